#include "services/files/files_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "services/common/grpc_status.h"
#include "services/common/project.h"

namespace assistd::files {
namespace {

constexpr size_t kContentChunkBytes = 1 << 20;
// GetFileText answers must fit the server's message limit with room to spare.
constexpr size_t kMaxTextResponseBytes = 12 << 20;

void ToProto(const FileRecord& r, v1::File* f) {
  f->set_id(r.id);
  f->set_object("file");
  f->set_bytes(r.bytes);
  f->set_created_at(r.created_at);
  f->set_filename(r.filename);
  f->set_purpose(r.purpose);
  f->set_status(v1::FILE_STATUS_PROCESSED);
  if (r.expires_at) f->set_expires_at(*r.expires_at);
}

absl::StatusOr<UploadHeader> FromProto(const v1::UploadHeader& h) {
  UploadHeader out;
  out.filename = h.filename();
  out.purpose = h.purpose();
  if (h.has_expires_after()) {
    if (h.expires_after().anchor() != v1::EXPIRES_AFTER_ANCHOR_CREATED_AT) {
      return absl::InvalidArgumentError(
          "Invalid 'expires_after.anchor': expected 'created_at'.");
    }
    out.expires_after_seconds = h.expires_after().seconds();
  }
  if (h.has_bytes()) out.declared_bytes = h.bytes();
  return out;
}

absl::Status CheckFileId(absl::string_view id) {
  return ValidateId(id, IdKind::kFile, "file_id");
}

// Reads the header message, then streams chunks into the store. Nothing is
// committed from a stream that was cancelled, or that lacks the `end` its
// header promised: a cut stream also ends with Read() returning false.
absl::StatusOr<FileRecord> ReceiveUpload(FileStore* store, const std::string& project,
                                         grpc::ServerContext* ctx,
                                         grpc::ServerReader<v1::UploadRequest>* reader) {
  v1::UploadRequest msg;
  if (!reader->Read(&msg) || !msg.has_header()) {
    return absl::InvalidArgumentError(
        "Invalid 'header': the first upload message must be the header.");
  }
  const bool end_marker = msg.header().end_marker();
  ASSIGN_OR_RETURN(UploadHeader header, FromProto(msg.header()));
  ASSIGN_OR_RETURN(auto upload, store->BeginUpload(project, std::move(header)));
  int64_t received = 0;
  bool ended = false;
  while (reader->Read(&msg)) {
    if (ended) return absl::InvalidArgumentError("Invalid 'end': it must be the last message.");
    if (msg.has_end()) {
      if (msg.end().bytes() != received) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Invalid 'end.bytes': ", msg.end().bytes(), ", but ", received, " bytes arrived."));
      }
      ended = true;
      continue;
    }
    if (!msg.has_chunk()) {
      return absl::InvalidArgumentError("Invalid 'header': sent more than once.");
    }
    received += static_cast<int64_t>(msg.chunk().size());
    RETURN_IF_ERROR(upload->Append(msg.chunk()));
  }
  if (ctx->IsCancelled() || (end_marker && !ended)) {
    return absl::CancelledError("The upload was cut short; nothing was stored.");
  }
  return upload->Commit();
}

}  // namespace

grpc::Status FilesService::Upload(grpc::ServerContext* ctx,
                                  grpc::ServerReader<v1::UploadRequest>* reader,
                                  v1::File* file) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  absl::StatusOr<FileRecord> record = ReceiveUpload(store_, *project, ctx, reader);
  if (!record.ok()) return ToGrpcStatus(record.status());
  if (ctx->IsCancelled()) return grpc::Status::CANCELLED;
  ToProto(*record, file);
  return grpc::Status::OK;
}

grpc::Status FilesService::GetFile(grpc::ServerContext* ctx, const v1::GetFileRequest* req,
                                   v1::File* file) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  if (absl::Status s = CheckFileId(req->file_id()); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<FileRecord> record = store_->Get(*project, req->file_id());
  if (!record.ok()) return ToGrpcStatus(record.status());
  ToProto(*record, file);
  return grpc::Status::OK;
}

grpc::Status FilesService::ListFiles(grpc::ServerContext* ctx, const v1::ListFilesRequest* req,
                                     v1::ListFilesResponse* resp) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  const v1::PageRequest& p = req->page();
  absl::StatusOr<PageParams> params = MakePageParams(
      p.limit(), p.order() == v1::ORDER_ASC ? "asc" : "desc", p.after(), p.before(),
      PageLimits{10000, 10000, /*allow_before=*/false});
  if (!params.ok()) return ToGrpcStatus(params.status());
  absl::StatusOr<Page<FileRecord>> page = store_->List(*project, req->purpose(), *params);
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const FileRecord& r : page->data) ToProto(r, resp->add_data());
  if (!page->data.empty()) {
    resp->set_first_id(page->data.front().id);
    resp->set_last_id(page->data.back().id);
  }
  resp->set_has_more(page->has_more);
  return grpc::Status::OK;
}

grpc::Status FilesService::DeleteFile(grpc::ServerContext* ctx,
                                      const v1::DeleteFileRequest* req,
                                      v1::DeleteResponse* resp) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  if (absl::Status s = CheckFileId(req->file_id()); !s.ok()) return ToGrpcStatus(s);
  if (absl::Status s = store_->Delete(*project, req->file_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  resp->set_id(req->file_id());
  resp->set_object("file");
  resp->set_deleted(true);
  return grpc::Status::OK;
}

grpc::Status FilesService::GetFileContent(grpc::ServerContext* ctx,
                                          const v1::GetFileContentRequest* req,
                                          grpc::ServerWriter<v1::FileChunk>* writer) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  if (absl::Status s = CheckFileId(req->file_id()); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<std::unique_ptr<BlobStore::Reader>> reader =
      store_->OpenContent(*project, req->file_id());
  if (!reader.ok()) return ToGrpcStatus(reader.status());
  v1::FileChunk chunk;
  while (!ctx->IsCancelled()) {
    chunk.mutable_data()->clear();
    absl::StatusOr<bool> more = (*reader)->Read(kContentChunkBytes, chunk.mutable_data());
    if (!more.ok()) return ToGrpcStatus(more.status());
    if (!*more) return grpc::Status::OK;
    if (!writer->Write(chunk)) return grpc::Status::CANCELLED;  // client went away
  }
  return grpc::Status::CANCELLED;
}

grpc::Status FilesService::GetFileText(grpc::ServerContext* ctx,
                                       const v1::GetFileTextRequest* req,
                                       v1::GetFileTextResponse* resp) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  if (absl::Status s = CheckFileId(req->file_id()); !s.ok()) return ToGrpcStatus(s);
  if (req->first_page() < 0 || req->max_pages() < 0) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "Invalid 'first_page'/'max_pages': must not be negative."));
  }
  absl::StatusOr<extract::Document> doc = store_->GetText(*project, req->file_id());
  if (!doc.ok()) return ToGrpcStatus(doc.status());
  resp->set_file_id(req->file_id());
  resp->set_format(std::string(extract::FormatName(doc->format)));
  resp->set_total_pages(static_cast<int32_t>(doc->pages.size()));
  const size_t first = req->first_page() > 0 ? req->first_page() - 1 : 0;
  const size_t limit = req->max_pages() > 0 ? req->max_pages() : doc->pages.size();
  for (size_t i = first; i < doc->pages.size() && i < first + limit; ++i) {
    v1::TextPage* page = resp->add_pages();
    page->set_page_number(doc->pages[i].number);
    page->set_text(doc->pages[i].text);
    page->set_has_text_layer(doc->pages[i].has_text_layer);
    if (resp->ByteSizeLong() > kMaxTextResponseBytes) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, absl::StrCat(
          "pages ", first + 1, "-", i + 1, " do not fit in one response; "
          "ask for fewer with max_pages"));
    }
  }
  return grpc::Status::OK;
}

}  // namespace assistd::files
