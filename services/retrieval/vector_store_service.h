#ifndef ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_SERVICE_H_
#define ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_SERVICE_H_

#include "assistd/v1/vector_stores.grpc.pb.h"
#include "services/retrieval/vector_store_core.h"

namespace assistd::retrieval {

// gRPC adapter of VectorStoreCore: reads the caller's project, validates the
// request (ids, pages, chunking, attributes, filters...; INVALID_ARGUMENT
// naming the field, see vector_store_proto.h), calls the core and converts
// its status once. Thread-safe (the core is).
class VectorStoreService final : public v1::VectorStoreService::Service {
 public:
  // `core` must outlive the service.
  explicit VectorStoreService(VectorStoreCore* core) : core_(core) {}
  VectorStoreService(const VectorStoreService&) = delete;
  VectorStoreService& operator=(const VectorStoreService&) = delete;

  grpc::Status CreateVectorStore(grpc::ServerContext* ctx, const v1::CreateVectorStoreRequest* req,
                                 v1::VectorStore* resp) override;
  grpc::Status GetVectorStore(grpc::ServerContext* ctx, const v1::GetVectorStoreRequest* req,
                              v1::VectorStore* resp) override;
  grpc::Status ListVectorStores(grpc::ServerContext* ctx, const v1::ListVectorStoresRequest* req,
                                v1::ListVectorStoresResponse* resp) override;
  grpc::Status UpdateVectorStore(grpc::ServerContext* ctx, const v1::UpdateVectorStoreRequest* req,
                                 v1::VectorStore* resp) override;
  grpc::Status DeleteVectorStore(grpc::ServerContext* ctx, const v1::DeleteVectorStoreRequest* req,
                                 v1::DeleteResponse* resp) override;

  grpc::Status CreateVectorStoreFile(grpc::ServerContext* ctx,
                                     const v1::CreateVectorStoreFileRequest* req,
                                     v1::VectorStoreFile* resp) override;
  grpc::Status GetVectorStoreFile(grpc::ServerContext* ctx,
                                  const v1::GetVectorStoreFileRequest* req,
                                  v1::VectorStoreFile* resp) override;
  grpc::Status ListVectorStoreFiles(grpc::ServerContext* ctx,
                                    const v1::ListVectorStoreFilesRequest* req,
                                    v1::ListVectorStoreFilesResponse* resp) override;
  grpc::Status UpdateVectorStoreFile(grpc::ServerContext* ctx,
                                     const v1::UpdateVectorStoreFileRequest* req,
                                     v1::VectorStoreFile* resp) override;
  grpc::Status DeleteVectorStoreFile(grpc::ServerContext* ctx,
                                     const v1::DeleteVectorStoreFileRequest* req,
                                     v1::DeleteResponse* resp) override;
  grpc::Status GetVectorStoreFileContent(grpc::ServerContext* ctx,
                                         const v1::GetVectorStoreFileContentRequest* req,
                                         v1::VectorStoreFileContentPage* resp) override;
  grpc::Status DetachFileFromAllStores(grpc::ServerContext* ctx,
                                       const v1::DetachFileFromAllStoresRequest* req,
                                       v1::DetachFileFromAllStoresResponse* resp) override;

  grpc::Status CreateFileBatch(grpc::ServerContext* ctx, const v1::CreateFileBatchRequest* req,
                               v1::VectorStoreFileBatch* resp) override;
  grpc::Status GetFileBatch(grpc::ServerContext* ctx, const v1::GetFileBatchRequest* req,
                            v1::VectorStoreFileBatch* resp) override;
  grpc::Status CancelFileBatch(grpc::ServerContext* ctx, const v1::CancelFileBatchRequest* req,
                               v1::VectorStoreFileBatch* resp) override;
  grpc::Status ListFileBatchFiles(grpc::ServerContext* ctx,
                                  const v1::ListFileBatchFilesRequest* req,
                                  v1::ListVectorStoreFilesResponse* resp) override;

  grpc::Status Search(grpc::ServerContext* ctx, const v1::SearchVectorStoreRequest* req,
                      v1::SearchVectorStoreResponse* resp) override;

 private:
  VectorStoreCore* const core_;  // not owned
};

}  // namespace assistd::retrieval

#endif  // ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_SERVICE_H_
