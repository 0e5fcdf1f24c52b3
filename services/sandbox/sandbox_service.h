#ifndef ASSISTD_SERVICES_SANDBOX_SANDBOX_SERVICE_H_
#define ASSISTD_SERVICES_SANDBOX_SANDBOX_SERVICE_H_

#include "assistd/v1/sandbox.grpc.pb.h"
#include "services/sandbox/sandbox_core.h"

namespace assistd::sandbox {

// gRPC adapter of SandboxCore: validates requests, calls the core, converts
// once. Thread-safe (the core is).
class SandboxService final : public v1::SandboxService::Service {
 public:
  // `core` must outlive the service.
  explicit SandboxService(SandboxCore* core) : core_(core) {}

  grpc::Status CreateSession(grpc::ServerContext* ctx, const v1::CreateSessionRequest* req,
                             v1::Session* resp) override;
  grpc::Status GetSession(grpc::ServerContext* ctx, const v1::GetSessionRequest* req,
                          v1::Session* resp) override;
  grpc::Status CloseSession(grpc::ServerContext* ctx, const v1::CloseSessionRequest* req,
                            v1::Session* resp) override;
  grpc::Status Execute(grpc::ServerContext* ctx, const v1::ExecuteRequest* req,
                       grpc::ServerWriter<v1::ExecuteEvent>* writer) override;
  grpc::Status PutFile(grpc::ServerContext* ctx, grpc::ServerReader<v1::PutFileRequest>* reader,
                       v1::SandboxFile* resp) override;
  grpc::Status GetFile(grpc::ServerContext* ctx, const v1::GetSessionFileRequest* req,
                       grpc::ServerWriter<v1::SessionFileChunk>* writer) override;
  grpc::Status ListFiles(grpc::ServerContext* ctx, const v1::ListSessionFilesRequest* req,
                         v1::ListSessionFilesResponse* resp) override;

 private:
  SandboxCore* const core_;  // not owned
};

}  // namespace assistd::sandbox

#endif  // ASSISTD_SERVICES_SANDBOX_SANDBOX_SERVICE_H_
