#include "services/retrieval/vector_store_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/status_macros.h"
#include "services/common/grpc_status.h"
#include "services/common/project.h"
#include "services/retrieval/vector_store_proto.h"

namespace assistd::retrieval {
namespace {

// Runs `body(project)` for the caller's project; the one place where a
// handler's absl::Status becomes a grpc::Status.
absl::Status CheckStoreId(absl::string_view id) {
  return ValidateId(id, IdKind::kVectorStore, "vector_store_id");
}

absl::Status CheckStoreAndFile(absl::string_view store_id, absl::string_view file_id) {
  RETURN_IF_ERROR(CheckStoreId(store_id));
  return ValidateId(file_id, IdKind::kFile, "file_id");
}

absl::Status CheckStoreAndBatch(absl::string_view store_id, absl::string_view batch_id) {
  RETURN_IF_ERROR(CheckStoreId(store_id));
  return ValidateId(batch_id, IdKind::kFileBatch, "batch_id");
}

const std::string& IdOf(const VectorStoreRecord& r) { return r.id; }
const std::string& IdOf(const StoreFileRecord& r) { return r.file_id; }

template <typename Record, typename Response>
void FillList(const Page<Record>& page, Response* resp) {
  for (const Record& r : page.data) ToProto(r, resp->add_data());
  if (!page.data.empty()) {
    resp->set_first_id(IdOf(page.data.front()));
    resp->set_last_id(IdOf(page.data.back()));
  }
  resp->set_has_more(page.has_more);
}

void Deleted(const std::string& id, const char* object, v1::DeleteResponse* resp) {
  resp->set_id(id);
  resp->set_object(object);
  resp->set_deleted(true);
}

}  // namespace

grpc::Status VectorStoreService::CreateVectorStore(grpc::ServerContext* ctx,
                                                   const v1::CreateVectorStoreRequest* req,
                                                   v1::VectorStore* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(CreateStoreParams params, CreateStoreFromProto(*req));
    ASSIGN_OR_RETURN(VectorStoreRecord store, core_->CreateStore(project, params));
    ToProto(store, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::GetVectorStore(grpc::ServerContext* ctx,
                                                const v1::GetVectorStoreRequest* req,
                                                v1::VectorStore* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreId(req->vector_store_id()));
    ASSIGN_OR_RETURN(VectorStoreRecord store, core_->GetStore(project, req->vector_store_id()));
    ToProto(store, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::ListVectorStores(grpc::ServerContext* ctx,
                                                  const v1::ListVectorStoresRequest* req,
                                                  v1::ListVectorStoresResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(PageParams page, PageFromProto(req->page(), IdKind::kVectorStore));
    ASSIGN_OR_RETURN(Page<VectorStoreRecord> stores, core_->ListStores(project, page));
    FillList(stores, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::UpdateVectorStore(grpc::ServerContext* ctx,
                                                   const v1::UpdateVectorStoreRequest* req,
                                                   v1::VectorStore* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreId(req->vector_store_id()));
    ASSIGN_OR_RETURN(UpdateStoreParams params, UpdateStoreFromProto(*req));
    ASSIGN_OR_RETURN(VectorStoreRecord store,
                     core_->UpdateStore(project, req->vector_store_id(), params));
    ToProto(store, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::DeleteVectorStore(grpc::ServerContext* ctx,
                                                   const v1::DeleteVectorStoreRequest* req,
                                                   v1::DeleteResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreId(req->vector_store_id()));
    RETURN_IF_ERROR(core_->DeleteStore(project, req->vector_store_id()));
    Deleted(req->vector_store_id(), "vector_store.deleted", resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::CreateVectorStoreFile(grpc::ServerContext* ctx,
                                                       const v1::CreateVectorStoreFileRequest* req,
                                                       v1::VectorStoreFile* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreId(req->vector_store_id()));
    ASSIGN_OR_RETURN(AddFileParams params, AddFileFromProto(*req));
    ASSIGN_OR_RETURN(StoreFileRecord file, core_->AddFile(project, req->vector_store_id(), params));
    ToProto(file, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::GetVectorStoreFile(grpc::ServerContext* ctx,
                                                    const v1::GetVectorStoreFileRequest* req,
                                                    v1::VectorStoreFile* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreAndFile(req->vector_store_id(), req->file_id()));
    ASSIGN_OR_RETURN(StoreFileRecord file,
                     core_->GetFile(project, req->vector_store_id(), req->file_id()));
    ToProto(file, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::ListVectorStoreFiles(grpc::ServerContext* ctx,
                                                      const v1::ListVectorStoreFilesRequest* req,
                                                      v1::ListVectorStoreFilesResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreId(req->vector_store_id()));
    ASSIGN_OR_RETURN(PageParams page, PageFromProto(req->page(), IdKind::kFile));
    ASSIGN_OR_RETURN(std::optional<FileStatus> status, StatusFilterFromProto(req->filter()));
    ASSIGN_OR_RETURN(Page<StoreFileRecord> files,
                     core_->ListFiles(project, req->vector_store_id(), "", status, page));
    FillList(files, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::UpdateVectorStoreFile(grpc::ServerContext* ctx,
                                                       const v1::UpdateVectorStoreFileRequest* req,
                                                       v1::VectorStoreFile* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreAndFile(req->vector_store_id(), req->file_id()));
    ASSIGN_OR_RETURN(std::optional<Attributes> attributes, UpdateFileFromProto(*req));
    ASSIGN_OR_RETURN(StoreFileRecord file,
                     core_->UpdateFileAttributes(project, req->vector_store_id(), req->file_id(),
                                                 std::move(attributes)));
    ToProto(file, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::DeleteVectorStoreFile(grpc::ServerContext* ctx,
                                                       const v1::DeleteVectorStoreFileRequest* req,
                                                       v1::DeleteResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreAndFile(req->vector_store_id(), req->file_id()));
    RETURN_IF_ERROR(core_->RemoveFile(project, req->vector_store_id(), req->file_id()));
    Deleted(req->file_id(), "vector_store.file.deleted", resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::GetVectorStoreFileContent(
    grpc::ServerContext* ctx, const v1::GetVectorStoreFileContentRequest* req,
    v1::VectorStoreFileContentPage* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreAndFile(req->vector_store_id(), req->file_id()));
    ASSIGN_OR_RETURN(extract::Document doc,
                     core_->FileContent(project, req->vector_store_id(), req->file_id()));
    return ToProto(doc, req->page(), resp);
  });
}

grpc::Status VectorStoreService::DetachFileFromAllStores(
    grpc::ServerContext* ctx, const v1::DetachFileFromAllStoresRequest* req,
    v1::DetachFileFromAllStoresResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(ValidateId(req->file_id(), IdKind::kFile, "file_id"));
    ASSIGN_OR_RETURN(int detached, core_->DetachFileEverywhere(project, req->file_id()));
    resp->set_detached(detached);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::CreateFileBatch(grpc::ServerContext* ctx,
                                                 const v1::CreateFileBatchRequest* req,
                                                 v1::VectorStoreFileBatch* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreId(req->vector_store_id()));
    ASSIGN_OR_RETURN(std::vector<AddFileParams> files, BatchFromProto(*req));
    ASSIGN_OR_RETURN(BatchRecord batch, core_->CreateBatch(project, req->vector_store_id(), files));
    ToProto(batch, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::GetFileBatch(grpc::ServerContext* ctx,
                                              const v1::GetFileBatchRequest* req,
                                              v1::VectorStoreFileBatch* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreAndBatch(req->vector_store_id(), req->batch_id()));
    ASSIGN_OR_RETURN(BatchRecord batch,
                     core_->GetBatch(project, req->vector_store_id(), req->batch_id()));
    ToProto(batch, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::CancelFileBatch(grpc::ServerContext* ctx,
                                                 const v1::CancelFileBatchRequest* req,
                                                 v1::VectorStoreFileBatch* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreAndBatch(req->vector_store_id(), req->batch_id()));
    ASSIGN_OR_RETURN(BatchRecord batch,
                     core_->CancelBatch(project, req->vector_store_id(), req->batch_id()));
    ToProto(batch, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::ListFileBatchFiles(grpc::ServerContext* ctx,
                                                    const v1::ListFileBatchFilesRequest* req,
                                                    v1::ListVectorStoreFilesResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreAndBatch(req->vector_store_id(), req->batch_id()));
    ASSIGN_OR_RETURN(PageParams page, PageFromProto(req->page(), IdKind::kFile));
    ASSIGN_OR_RETURN(std::optional<FileStatus> status, StatusFilterFromProto(req->filter()));
    ASSIGN_OR_RETURN(Page<StoreFileRecord> files, core_->ListFiles(project, req->vector_store_id(),
                                                                   req->batch_id(), status, page));
    FillList(files, resp);
    return absl::OkStatus();
  });
}

grpc::Status VectorStoreService::Search(grpc::ServerContext* ctx,
                                        const v1::SearchVectorStoreRequest* req,
                                        v1::SearchVectorStoreResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckStoreId(req->vector_store_id()));
    ASSIGN_OR_RETURN(SearchParams params, SearchFromProto(*req));
    ASSIGN_OR_RETURN(std::vector<SearchHit> hits,
                     core_->Search(project, req->vector_store_id(), params));
    resp->set_object("vector_store.search_results.page");
    // rewrite_query is accepted but not acted on: the queries run as given.
    for (const std::string& q : params.queries) resp->add_search_query(q);
    for (const SearchHit& hit : hits) ToProto(hit, resp->add_data());
    resp->set_has_more(false);
    return absl::OkStatus();
  });
}

}  // namespace assistd::retrieval
