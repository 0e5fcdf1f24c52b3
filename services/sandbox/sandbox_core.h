#ifndef ASSISTD_SERVICES_SANDBOX_SANDBOX_CORE_H_
#define ASSISTD_SERVICES_SANDBOX_SANDBOX_CORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/metrics/metrics.h"
#include "common/pagination.h"
#include "sandbox/session_pool.h"

namespace assistd::sandbox {

// A CreateSession request, unvalidated.
struct CreateParams {
  std::string thread_id;
  std::optional<int64_t> idle_timeout_seconds;
  std::optional<int64_t> memory_limit_bytes;
  std::optional<int64_t> disk_limit_bytes;
};

struct FilePage {
  std::vector<sandbox::SessionFileInfo> data;
  bool has_more = false;
};

// The sandbox service without gRPC: request validation, project scoping
// and paging over the session pool. Errors follow sandbox.proto. Thread-safe.
class SandboxCore {
 public:
  // Largest `code` accepted by Execute.
  static constexpr int64_t kMaxCodeBytes = 1 << 20;

  // `pool` must outlive the core. Reports the pool's live sessions as
  // assistd_sandbox_sessions while it exists.
  explicit SandboxCore(sandbox::SessionPool* pool)
      : pool_(pool),
        sessions_metric_(metrics::ProvideSandboxSessions([pool] { return pool->live_sessions(); })) {}

  // InvalidArgument naming a negative limit field; ResourceExhausted when
  // full; Unavailable if the jail cannot run on this host.
  absl::StatusOr<sandbox::SessionInfo> CreateSession(const std::string& project,
                                                     const CreateParams& params);
  // NotFound for unknown ids and other projects' sessions.
  absl::StatusOr<sandbox::SessionInfo> GetSession(const std::string& project,
                                                  const std::string& id);
  absl::StatusOr<sandbox::SessionInfo> CloseSession(const std::string& project,
                                                    const std::string& id);
  // InvalidArgument naming "code" (empty) or "timeout_ms" (negative, above
  // the maximum); ResourceExhausted for code over 1 MiB; then as
  // Session::Execute.
  absl::StatusOr<sandbox::ExecuteReport> Execute(const std::string& project,
                                                 const std::string& id, absl::string_view code,
                                                 int64_t timeout_ms, sandbox::ExecuteSink* sink);
  // A writer for PutFile. InvalidArgument naming "header.path" or
  // "header.bytes" (negative); the declared size is checked at Commit.
  absl::StatusOr<std::unique_ptr<sandbox::SessionDisk::Writer>> BeginPut(
      const std::string& project, const std::string& id, absl::string_view path,
      std::optional<int64_t> declared_bytes);
  absl::StatusOr<std::unique_ptr<sandbox::OpenSessionFile>> OpenFile(const std::string& project,
                                                                     const std::string& id,
                                                                     absl::string_view path);
  // Paths are the cursors; `page.order` applies to path order.
  absl::StatusOr<FilePage> ListFiles(const std::string& project, const std::string& id,
                                     const PageParams& page);

 private:
  sandbox::SessionPool* const pool_;  // not owned
  const std::unique_ptr<metrics::Registration> sessions_metric_;
};

// One page of `sorted` (ascending by path) per `page`.
FilePage PageOfFiles(std::vector<sandbox::SessionFileInfo> sorted, const PageParams& page);

}  // namespace assistd::sandbox

#endif  // ASSISTD_SERVICES_SANDBOX_SANDBOX_CORE_H_
