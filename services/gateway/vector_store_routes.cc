// REST -> assistd.v1.VectorStoreService (stores, their files, file batches,
// search), served by the retrieval service.
#include "assistd/v1/vector_stores.grpc.pb.h"
#include "services/gateway/routes.h"

namespace assistd::gateway {
namespace {

// A unary VectorStoreService route.
template <typename Request, typename Response, typename Call>
RouteHandler StoreRoute(const RouteEnv* env, Call call) {
  return UnaryRoute<Request, Response>(env, call, ServiceId::kRetrieval);
}

#define ASSISTD_STORE_RPC(Method) ASSISTD_GATEWAY_RPC(VectorStoreService, Method)

void AddStoreFileRoutes(const RouteEnv* env, Router* router) {
  const std::string files = "/v1/vector_stores/{vector_store_id}/files";
  const std::string file = files + "/{file_id}";
  router->Add("POST", files,
              StoreRoute<v1::CreateVectorStoreFileRequest, v1::VectorStoreFile>(
                  env, ASSISTD_STORE_RPC(CreateVectorStoreFile)));
  router->Add("GET", files,
              StoreRoute<v1::ListVectorStoreFilesRequest, v1::ListVectorStoreFilesResponse>(
                  env, ASSISTD_STORE_RPC(ListVectorStoreFiles)));
  router->Add("GET", file,
              StoreRoute<v1::GetVectorStoreFileRequest, v1::VectorStoreFile>(
                  env, ASSISTD_STORE_RPC(GetVectorStoreFile)));
  router->Add("POST", file,
              StoreRoute<v1::UpdateVectorStoreFileRequest, v1::VectorStoreFile>(
                  env, ASSISTD_STORE_RPC(UpdateVectorStoreFile)));
  router->Add("DELETE", file,
              StoreRoute<v1::DeleteVectorStoreFileRequest, v1::DeleteResponse>(
                  env, ASSISTD_STORE_RPC(DeleteVectorStoreFile)));
  router->Add("GET", file + "/content",
              StoreRoute<v1::GetVectorStoreFileContentRequest, v1::VectorStoreFileContentPage>(
                  env, ASSISTD_STORE_RPC(GetVectorStoreFileContent)));
}

void AddBatchRoutes(const RouteEnv* env, Router* router) {
  const std::string batches = "/v1/vector_stores/{vector_store_id}/file_batches";
  const std::string batch = batches + "/{batch_id}";
  router->Add("POST", batches,
              StoreRoute<v1::CreateFileBatchRequest, v1::VectorStoreFileBatch>(
                  env, ASSISTD_STORE_RPC(CreateFileBatch)));
  router->Add("GET", batch,
              StoreRoute<v1::GetFileBatchRequest, v1::VectorStoreFileBatch>(
                  env, ASSISTD_STORE_RPC(GetFileBatch)));
  router->Add("POST", batch + "/cancel",
              StoreRoute<v1::CancelFileBatchRequest, v1::VectorStoreFileBatch>(
                  env, ASSISTD_STORE_RPC(CancelFileBatch)));
  router->Add("GET", batch + "/files",
              StoreRoute<v1::ListFileBatchFilesRequest, v1::ListVectorStoreFilesResponse>(
                  env, ASSISTD_STORE_RPC(ListFileBatchFiles)));
}

}  // namespace

void AddVectorStoreRoutes(const RouteEnv* env, Router* router) {
  const std::string store = "/v1/vector_stores/{vector_store_id}";
  router->Add("POST", "/v1/vector_stores",
              StoreRoute<v1::CreateVectorStoreRequest, v1::VectorStore>(
                  env, ASSISTD_STORE_RPC(CreateVectorStore)));
  router->Add("GET", "/v1/vector_stores",
              StoreRoute<v1::ListVectorStoresRequest, v1::ListVectorStoresResponse>(
                  env, ASSISTD_STORE_RPC(ListVectorStores)));
  router->Add("GET", store,
              StoreRoute<v1::GetVectorStoreRequest, v1::VectorStore>(
                  env, ASSISTD_STORE_RPC(GetVectorStore)));
  router->Add("POST", store,
              StoreRoute<v1::UpdateVectorStoreRequest, v1::VectorStore>(
                  env, ASSISTD_STORE_RPC(UpdateVectorStore)));
  router->Add("DELETE", store,
              StoreRoute<v1::DeleteVectorStoreRequest, v1::DeleteResponse>(
                  env, ASSISTD_STORE_RPC(DeleteVectorStore)));
  router->Add("POST", store + "/search",
              StoreRoute<v1::SearchVectorStoreRequest, v1::SearchVectorStoreResponse>(
                  env, ASSISTD_STORE_RPC(Search)));
  AddStoreFileRoutes(env, router);
  AddBatchRoutes(env, router);
}

}  // namespace assistd::gateway
