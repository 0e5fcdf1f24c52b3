#ifndef ASSISTD_SERVICES_FILES_FILES_SERVICE_H_
#define ASSISTD_SERVICES_FILES_FILES_SERVICE_H_

#include "assistd/v1/files.grpc.pb.h"
#include "services/files/file_store.h"

namespace assistd::files {

// gRPC adapter of FileStore: validates requests, calls the core, converts
// once. Thread-safe (the store is).
class FilesService final : public v1::FileService::Service {
 public:
  // `store` must outlive the service.
  explicit FilesService(FileStore* store) : store_(store) {}

  grpc::Status Upload(grpc::ServerContext* ctx,
                      grpc::ServerReader<v1::UploadRequest>* reader,
                      v1::File* file) override;
  grpc::Status GetFile(grpc::ServerContext* ctx, const v1::GetFileRequest* req,
                       v1::File* file) override;
  grpc::Status ListFiles(grpc::ServerContext* ctx, const v1::ListFilesRequest* req,
                         v1::ListFilesResponse* resp) override;
  grpc::Status DeleteFile(grpc::ServerContext* ctx, const v1::DeleteFileRequest* req,
                          v1::DeleteResponse* resp) override;
  grpc::Status GetFileContent(grpc::ServerContext* ctx,
                              const v1::GetFileContentRequest* req,
                              grpc::ServerWriter<v1::FileChunk>* writer) override;
  grpc::Status GetFileText(grpc::ServerContext* ctx, const v1::GetFileTextRequest* req,
                           v1::GetFileTextResponse* resp) override;

 private:
  FileStore* const store_;  // not owned
};

}  // namespace assistd::files

#endif  // ASSISTD_SERVICES_FILES_FILES_SERVICE_H_
