#include "services/orchestrator/tools/service_calls.h"

#include <grpcpp/client_context.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "assistd/v1/files.grpc.pb.h"
#include "assistd/v1/sandbox.grpc.pb.h"
#include "assistd/v1/vector_stores.grpc.pb.h"
#include "common/status_macros.h"
#include "services/common/grpc_status.h"
#include "services/common/project.h"
#include "services/common/service_names.h"

namespace assistd::orchestrator {
namespace {

constexpr absl::Duration kCallDeadline = absl::Seconds(60);
constexpr absl::Duration kExecuteDeadline = absl::Minutes(10);
constexpr size_t kUploadChunk = 1 << 20;

void Prepare(grpc::ClientContext* ctx, const std::string& project,
             absl::Duration deadline = kCallDeadline) {
  SetProject(ctx, project);
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
}

// Cancels `ctx` once `*cancelled` becomes true, until destroyed.
class CancelWatcher {
 public:
  CancelWatcher(grpc::ClientContext* ctx, const std::atomic<bool>* cancelled) {
    if (cancelled == nullptr) return;
    thread_ = std::thread([this, ctx, cancelled] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stop_) {
        if (cancelled->load()) {
          ctx->TryCancel();
          return;
        }
        cv_.wait_for(lock, std::chrono::milliseconds(50));
      }
    });
  }
  ~CancelWatcher() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> ServiceCalls::Channel(ServiceId id) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = channels_->ChannelFor(id);
  if (!channel.ok()) {
    return absl::UnavailableError(absl::StrCat(ServiceIdName(id), " service unreachable: ",
                                               channel.status().message()));
  }
  return channel;
}

absl::StatusOr<v1::File> ServiceCalls::GetFile(const std::string& project,
                                               const std::string& file_id) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kFiles));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::GetFileRequest req;
  req.set_file_id(file_id);
  v1::File file;
  RETURN_IF_ERROR(FromGrpcStatus(v1::FileService::NewStub(channel)->GetFile(&ctx, req, &file)));
  return file;
}

absl::StatusOr<std::string> ServiceCalls::ReadFile(const std::string& project,
                                                   const std::string& file_id, int64_t max_bytes) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kFiles));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::GetFileContentRequest req;
  req.set_file_id(file_id);
  auto reader = v1::FileService::NewStub(channel)->GetFileContent(&ctx, req);
  std::string bytes;
  v1::FileChunk chunk;
  while (reader->Read(&chunk)) {
    if (static_cast<int64_t>(bytes.size() + chunk.data().size()) > max_bytes) {
      ctx.TryCancel();
      reader->Finish();
      return absl::ResourceExhaustedError(
          absl::StrCat("file ", file_id, " is larger than ", max_bytes, " bytes"));
    }
    bytes += chunk.data();
  }
  RETURN_IF_ERROR(FromGrpcStatus(reader->Finish()));
  return bytes;
}

absl::StatusOr<v1::File> ServiceCalls::UploadFile(const std::string& project,
                                                  const std::string& filename,
                                                  const std::string& purpose,
                                                  absl::string_view bytes) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kFiles));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::File file;
  auto writer = v1::FileService::NewStub(channel)->Upload(&ctx, &file);
  v1::UploadRequest header;
  header.mutable_header()->set_filename(filename);
  header.mutable_header()->set_purpose(purpose);
  header.mutable_header()->set_bytes(static_cast<int64_t>(bytes.size()));
  bool ok = writer->Write(header);
  for (size_t at = 0; ok && at < bytes.size(); at += kUploadChunk) {
    v1::UploadRequest chunk;
    chunk.set_chunk(std::string(bytes.substr(at, kUploadChunk)));
    ok = writer->Write(chunk);
  }
  if (ok) writer->WritesDone();
  RETURN_IF_ERROR(FromGrpcStatus(writer->Finish()));
  return file;
}

absl::StatusOr<v1::VectorStore> ServiceCalls::CreateVectorStore(
    const std::string& project, const v1::CreateVectorStoreRequest& req) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kRetrieval));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::VectorStore store;
  RETURN_IF_ERROR(FromGrpcStatus(
      v1::VectorStoreService::NewStub(channel)->CreateVectorStore(&ctx, req, &store)));
  return store;
}

absl::StatusOr<v1::VectorStore> ServiceCalls::GetVectorStore(const std::string& project,
                                                             const std::string& store_id) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kRetrieval));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::GetVectorStoreRequest req;
  req.set_vector_store_id(store_id);
  v1::VectorStore store;
  RETURN_IF_ERROR(FromGrpcStatus(
      v1::VectorStoreService::NewStub(channel)->GetVectorStore(&ctx, req, &store)));
  return store;
}

absl::StatusOr<v1::SearchVectorStoreResponse> ServiceCalls::Search(
    const std::string& project, const v1::SearchVectorStoreRequest& req) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kRetrieval));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::SearchVectorStoreResponse resp;
  RETURN_IF_ERROR(
      FromGrpcStatus(v1::VectorStoreService::NewStub(channel)->Search(&ctx, req, &resp)));
  return resp;
}

absl::Status ServiceCalls::AddFilesToStore(const std::string& project,
                                           const std::string& store_id,
                                           const std::vector<std::string>& file_ids) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kRetrieval));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::CreateFileBatchRequest req;
  req.set_vector_store_id(store_id);
  for (const std::string& id : file_ids) req.add_file_ids(id);
  v1::VectorStoreFileBatch batch;
  return FromGrpcStatus(
      v1::VectorStoreService::NewStub(channel)->CreateFileBatch(&ctx, req, &batch));
}

absl::StatusOr<v1::Session> ServiceCalls::CreateSession(const std::string& project,
                                                        const std::string& thread_id) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kSandbox));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::CreateSessionRequest req;
  req.set_thread_id(thread_id);
  v1::Session session;
  RETURN_IF_ERROR(FromGrpcStatus(
      v1::SandboxService::NewStub(channel)->CreateSession(&ctx, req, &session)));
  return session;
}

absl::StatusOr<v1::Session> ServiceCalls::GetSession(const std::string& project,
                                                     const std::string& session_id) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kSandbox));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::GetSessionRequest req;
  req.set_session_id(session_id);
  v1::Session session;
  RETURN_IF_ERROR(
      FromGrpcStatus(v1::SandboxService::NewStub(channel)->GetSession(&ctx, req, &session)));
  return session;
}

absl::Status ServiceCalls::PutSessionFile(const std::string& project,
                                          const std::string& session_id, const std::string& path,
                                          absl::string_view bytes) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kSandbox));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::SandboxFile file;
  auto writer = v1::SandboxService::NewStub(channel)->PutFile(&ctx, &file);
  v1::PutFileRequest header;
  header.mutable_header()->set_session_id(session_id);
  header.mutable_header()->set_path(path);
  header.mutable_header()->set_bytes(static_cast<int64_t>(bytes.size()));
  bool ok = writer->Write(header);
  for (size_t at = 0; ok && at < bytes.size(); at += kUploadChunk) {
    v1::PutFileRequest chunk;
    chunk.set_chunk(std::string(bytes.substr(at, kUploadChunk)));
    ok = writer->Write(chunk);
  }
  if (ok) writer->WritesDone();
  return FromGrpcStatus(writer->Finish());
}

absl::StatusOr<std::string> ServiceCalls::ReadSessionFile(const std::string& project,
                                                          const std::string& session_id,
                                                          const std::string& path,
                                                          int64_t max_bytes) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kSandbox));
  grpc::ClientContext ctx;
  Prepare(&ctx, project);
  v1::GetSessionFileRequest req;
  req.set_session_id(session_id);
  req.set_path(path);
  auto reader = v1::SandboxService::NewStub(channel)->GetFile(&ctx, req);
  std::string bytes;
  v1::SessionFileChunk chunk;
  while (reader->Read(&chunk)) {
    if (static_cast<int64_t>(bytes.size() + chunk.data().size()) > max_bytes) {
      ctx.TryCancel();
      reader->Finish();
      return absl::ResourceExhaustedError(
          absl::StrCat(path, " is larger than ", max_bytes, " bytes"));
    }
    bytes += chunk.data();
  }
  RETURN_IF_ERROR(FromGrpcStatus(reader->Finish()));
  return bytes;
}

absl::Status ServiceCalls::Execute(const std::string& project, const v1::ExecuteRequest& req,
                                   const std::atomic<bool>* cancelled,
                                   const std::function<void(const v1::ExecuteEvent&)>& on_event) {
  ASSIGN_OR_RETURN(auto channel, Channel(ServiceId::kSandbox));
  grpc::ClientContext ctx;
  Prepare(&ctx, project, kExecuteDeadline);
  absl::Status status;
  {
    CancelWatcher watcher(&ctx, cancelled);
    auto reader = v1::SandboxService::NewStub(channel)->Execute(&ctx, req);
    v1::ExecuteEvent event;
    while (reader->Read(&event)) on_event(event);
    status = FromGrpcStatus(reader->Finish());
  }
  if (cancelled != nullptr && cancelled->load()) return absl::CancelledError("run cancelled");
  return status;
}

}  // namespace assistd::orchestrator
