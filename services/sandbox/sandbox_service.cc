#include "services/sandbox/sandbox_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/common/grpc_status.h"
#include "services/common/project.h"

namespace assistd::sandbox {
namespace {

constexpr size_t kFileChunkBytes = 1 << 20;

v1::SessionStatus ToProto(SessionState s) {
  switch (s) {
    case SessionState::kReady: return v1::SESSION_STATUS_READY;
    case SessionState::kBusy: return v1::SESSION_STATUS_BUSY;
    case SessionState::kClosed: return v1::SESSION_STATUS_CLOSED;
    case SessionState::kExpired: return v1::SESSION_STATUS_EXPIRED;
    case SessionState::kFailed: return v1::SESSION_STATUS_FAILED;
  }
  return v1::SESSION_STATUS_UNSPECIFIED;
}

grpc::Status Reply(const absl::StatusOr<SessionInfo>& info, v1::Session* s) {
  if (!info.ok()) return ToGrpcStatus(info.status());
  s->set_id(info->id);
  s->set_created_at(info->created_at);
  s->set_last_used_at(info->last_used_at);
  s->set_expires_at(info->expires_at);
  s->set_status(ToProto(info->state));
  s->set_thread_id(info->label);
  return grpc::Status::OK;
}

void ToProto(const SessionFileInfo& f, v1::SandboxFile* out) {
  out->set_path(f.path);
  out->set_bytes(f.bytes);
  out->set_sha256(f.sha256);
  out->set_modified_at(f.modified_at);
}

// Streams the execution's events to the client; a failed write (the client
// went away) makes the session interrupt the code.
class StreamSink final : public ExecuteSink {
 public:
  StreamSink(grpc::ServerContext* ctx, grpc::ServerWriter<v1::ExecuteEvent>* w)
      : ctx_(ctx), writer_(w) {}
  bool OnStdout(absl::string_view t) override { return Send([&](auto* e) { e->set_stdout(std::string(t)); }); }
  bool OnStderr(absl::string_view t) override { return Send([&](auto* e) { e->set_stderr(std::string(t)); }); }
  bool OnResult(absl::string_view t) override {
    return Send([&](auto* e) { e->mutable_result()->set_text_repr(std::string(t)); });
  }
  bool OnError(absl::string_view ename, absl::string_view evalue,
               const std::vector<std::string>& tb) override {
    return Send([&](v1::ExecuteEvent* e) {
      v1::ExecuteError* err = e->mutable_error();
      err->set_ename(std::string(ename));
      err->set_evalue(std::string(evalue));
      for (const std::string& line : tb) err->add_traceback(line);
    });
  }
  bool OnImage(absl::string_view name, absl::string_view mime, absl::string_view data) override {
    return Send([&](v1::ExecuteEvent* e) {
      e->mutable_image()->set_name(std::string(name));
      e->mutable_image()->set_mime_type(std::string(mime));
      e->mutable_image()->set_data(std::string(data));
    });
  }
  bool OnFile(absl::string_view path, int64_t bytes, absl::string_view sha256,
              int64_t modified_at) override {
    return Send([&](v1::ExecuteEvent* e) {
      ToProto(SessionFileInfo{std::string(path), bytes, std::string(sha256), modified_at},
              e->mutable_file());
    });
  }
  void OnStart(int execution_count) override { count_ = execution_count; }

 private:
  template <typename F>
  bool Send(F fill) {
    if (ctx_->IsCancelled()) return false;
    v1::ExecuteEvent event;
    fill(&event);
    if (event.has_result()) event.mutable_result()->set_execution_count(count_);
    return writer_->Write(event);
  }
  grpc::ServerContext* const ctx_;
  grpc::ServerWriter<v1::ExecuteEvent>* const writer_;
  int count_ = 0;
};

absl::StatusOr<SessionFileInfo> ReceivePut(SandboxCore* core, const std::string& project,
                                           grpc::ServerReader<v1::PutFileRequest>* reader) {
  v1::PutFileRequest msg;
  if (!reader->Read(&msg) || !msg.has_header()) {
    return absl::InvalidArgumentError(
        "Invalid 'header': the first message must be the header.");
  }
  const v1::PutFileHeader h = msg.header();
  std::optional<int64_t> declared;
  if (h.has_bytes()) declared = h.bytes();
  ASSIGN_OR_RETURN(auto writer, core->BeginPut(project, h.session_id(), h.path(), declared));
  while (reader->Read(&msg)) {
    if (!msg.has_chunk()) return absl::InvalidArgumentError("Invalid 'header': sent more than once.");
    RETURN_IF_ERROR(writer->Append(msg.chunk()));
  }
  return writer->Commit();
}

}  // namespace

grpc::Status SandboxService::CreateSession(grpc::ServerContext* ctx,
                                           const v1::CreateSessionRequest* req,
                                           v1::Session* resp) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  CreateParams p;
  p.thread_id = req->thread_id();
  if (req->has_idle_timeout_seconds()) p.idle_timeout_seconds = req->idle_timeout_seconds();
  if (req->has_memory_limit_bytes()) p.memory_limit_bytes = req->memory_limit_bytes();
  if (req->has_disk_limit_bytes()) p.disk_limit_bytes = req->disk_limit_bytes();
  return Reply(core_->CreateSession(*project, p), resp);
}

grpc::Status SandboxService::GetSession(grpc::ServerContext* ctx, const v1::GetSessionRequest* req,
                                        v1::Session* resp) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  return Reply(core_->GetSession(*project, req->session_id()), resp);
}

grpc::Status SandboxService::CloseSession(grpc::ServerContext* ctx,
                                          const v1::CloseSessionRequest* req, v1::Session* resp) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  return Reply(core_->CloseSession(*project, req->session_id()), resp);
}

grpc::Status SandboxService::Execute(grpc::ServerContext* ctx, const v1::ExecuteRequest* req,
                                     grpc::ServerWriter<v1::ExecuteEvent>* writer) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  StreamSink sink(ctx, writer);
  absl::StatusOr<ExecuteReport> report =
      core_->Execute(*project, req->session_id(), req->code(), req->timeout_ms(), &sink);
  if (!report.ok()) return ToGrpcStatus(report.status());
  v1::ExecuteEvent done;
  v1::ExecuteDone* d = done.mutable_done();
  d->set_duration_ms(absl::ToInt64Milliseconds(report->duration));
  d->set_timed_out(report->timed_out);
  d->set_truncated(report->truncated);
  d->set_memory_exceeded(report->memory_exceeded);
  d->set_session_restarted(report->session_restarted);
  if (ctx->IsCancelled() || !writer->Write(done)) return grpc::Status::CANCELLED;
  return grpc::Status::OK;
}

grpc::Status SandboxService::PutFile(grpc::ServerContext* ctx,
                                     grpc::ServerReader<v1::PutFileRequest>* reader,
                                     v1::SandboxFile* resp) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  absl::StatusOr<SessionFileInfo> file = ReceivePut(core_, *project, reader);
  if (!file.ok()) return ToGrpcStatus(file.status());
  ToProto(*file, resp);
  return grpc::Status::OK;
}

grpc::Status SandboxService::GetFile(grpc::ServerContext* ctx,
                                     const v1::GetSessionFileRequest* req,
                                     grpc::ServerWriter<v1::SessionFileChunk>* writer) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  absl::StatusOr<std::unique_ptr<OpenSessionFile>> file =
      core_->OpenFile(*project, req->session_id(), req->path());
  if (!file.ok()) return ToGrpcStatus(file.status());
  v1::SessionFileChunk chunk;
  ToProto((*file)->info(), chunk.mutable_info());
  if (!writer->Write(chunk)) return grpc::Status::CANCELLED;
  while (!ctx->IsCancelled()) {
    absl::StatusOr<std::string> data = (*file)->Read(kFileChunkBytes);
    if (!data.ok()) return ToGrpcStatus(data.status());
    if (data->empty()) return grpc::Status::OK;
    chunk.set_data(*std::move(data));
    if (!writer->Write(chunk)) return grpc::Status::CANCELLED;
  }
  return grpc::Status::CANCELLED;
}

grpc::Status SandboxService::ListFiles(grpc::ServerContext* ctx,
                                       const v1::ListSessionFilesRequest* req,
                                       v1::ListSessionFilesResponse* resp) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  const v1::PageRequest& p = req->page();
  absl::StatusOr<PageParams> params = MakePageParams(
      p.limit(), p.order() == v1::ORDER_ASC ? "asc" : "desc", p.after(), p.before());
  if (!params.ok()) return ToGrpcStatus(params.status());
  absl::StatusOr<FilePage> page = core_->ListFiles(*project, req->session_id(), *params);
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const SessionFileInfo& f : page->data) ToProto(f, resp->add_data());
  if (!page->data.empty()) {
    resp->set_first_id(page->data.front().path);
    resp->set_last_id(page->data.back().path);
  }
  resp->set_has_more(page->has_more);
  return grpc::Status::OK;
}

}  // namespace assistd::sandbox
