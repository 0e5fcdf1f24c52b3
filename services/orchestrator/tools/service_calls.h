#ifndef ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_SERVICE_CALLS_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_SERVICE_CALLS_H_

// The calls the built-in tools make to the other services (files,
// retrieval, sandbox), over the channel registry: in-process or remote,
// each scoped to a project and bounded by a deadline. Thin: one function
// per RPC, gRPC errors converted to absl::Status.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "assistd/v1/files.pb.h"
#include "assistd/v1/sandbox.pb.h"
#include "assistd/v1/vector_stores.pb.h"
#include "services/common/channel_registry.h"

namespace assistd::orchestrator {

class ServiceCalls {
 public:
  explicit ServiceCalls(ChannelRegistry* channels) : channels_(channels) {}

  // Files.
  absl::StatusOr<v1::File> GetFile(const std::string& project, const std::string& file_id);
  // The whole content; ResourceExhausted past `max_bytes`.
  absl::StatusOr<std::string> ReadFile(const std::string& project, const std::string& file_id,
                                       int64_t max_bytes);
  absl::StatusOr<v1::File> UploadFile(const std::string& project, const std::string& filename,
                                      const std::string& purpose, absl::string_view bytes);

  // Vector stores.
  absl::StatusOr<v1::VectorStore> CreateVectorStore(const std::string& project,
                                                    const v1::CreateVectorStoreRequest& req);
  absl::StatusOr<v1::VectorStore> GetVectorStore(const std::string& project,
                                                 const std::string& store_id);
  absl::StatusOr<v1::SearchVectorStoreResponse> Search(const std::string& project,
                                                       const v1::SearchVectorStoreRequest& req);
  // Adds files to a store as one batch (ingested asynchronously).
  absl::Status AddFilesToStore(const std::string& project, const std::string& store_id,
                               const std::vector<std::string>& file_ids);

  // Sandbox.
  absl::StatusOr<v1::Session> CreateSession(const std::string& project,
                                            const std::string& thread_id);
  absl::StatusOr<v1::Session> GetSession(const std::string& project,
                                         const std::string& session_id);
  absl::Status PutSessionFile(const std::string& project, const std::string& session_id,
                              const std::string& path, absl::string_view bytes);
  absl::StatusOr<std::string> ReadSessionFile(const std::string& project,
                                              const std::string& session_id,
                                              const std::string& path, int64_t max_bytes);
  // Runs `code`, passing each event to `on_event` until `done`. The call is
  // interrupted (Cancelled) soon after `*cancelled` becomes true.
  absl::Status Execute(const std::string& project, const v1::ExecuteRequest& req,
                       const std::atomic<bool>* cancelled,
                       const std::function<void(const v1::ExecuteEvent&)>& on_event);

 private:
  absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel(ServiceId id);

  ChannelRegistry* const channels_;  // not owned
};

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_SERVICE_CALLS_H_
