#ifndef ASSISTD_SANDBOX_SESSION_H_
#define ASSISTD_SANDBOX_SESSION_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "sandbox/jail/cgroups.h"
#include "sandbox/jail/jail.h"
#include "sandbox/kernel/session_process.h"
#include "sandbox/kernel/zygote_client.h"
#include "sandbox/session_files.h"

namespace assistd::sandbox {

enum class SessionState { kReady, kBusy, kClosed, kExpired, kFailed };
const char* SessionStateName(SessionState state);

// A snapshot of a session's bookkeeping.
struct SessionInfo {
  std::string id;
  std::string owner;  // the project; sessions are invisible to other owners
  std::string label;  // e.g. the thread id
  int64_t created_at = 0;
  int64_t last_used_at = 0;
  int64_t expires_at = 0;
  SessionState state = SessionState::kReady;
};

// Per-session resources, chosen at creation.
struct SessionLimits {
  int64_t memory_bytes = int64_t{1} << 30;
  int64_t disk_bytes = int64_t{512} << 20;
  absl::Duration idle_timeout = absl::Hours(1);
};

// How one Execute ended (the stream's final event).
struct ExecuteReport {
  absl::Duration duration;
  bool timed_out = false;
  bool truncated = false;
  bool memory_exceeded = false;
  bool session_restarted = false;
  int execution_count = 0;
};

// What a session needs from its pool. Everything here outlives the session.
struct SessionEnvironment {
  Clock* clock = nullptr;
  JailConfig jail_template;       // tier, rlimits, tmp size
  CgroupLimits cgroup_limits;     // pids, cpu (memory comes from the limits)
  ExecuteLimits execute;          // defaults (timeout is per call)
  absl::Duration start_timeout = absl::Seconds(30);
  absl::Duration max_lifetime = absl::Hours(1);
};

// One sandbox session: a jailed Python process forked from the zygote, its
// cgroup, and its disk (a size-capped tmpfs seen as /mnt/data). Survives
// the death of its process: the next Execute restarts it (variables are
// lost, files kept). Thread-safe; one Execute at a time.
class Session {
 public:
  struct Resources {
    // The zygote of the current process; shared, because a replacement
    // zygote may serve new sessions while this one's process lives.
    std::shared_ptr<ZygoteClient> zygote;
    // The pool's live zygote (restarted if it died), for restarts.
    std::function<absl::StatusOr<std::shared_ptr<ZygoteClient>>()> zygote_source;
    std::unique_ptr<SessionCgroup> cgroup;  // null without cgroups
    std::string disk_dir;                   // mounted tmpfs
    std::string root_dir;                   // empty dir for the jail's root
    uint32_t uid_base = 0;
    std::function<void()> on_release;       // returns the uid slot
  };
  // Starts the process. Unavailable if the jail or kernel cannot start.
  static absl::StatusOr<std::shared_ptr<Session>> Start(const SessionEnvironment* env,
                                                        SessionInfo info, SessionLimits limits,
                                                        Resources resources);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  SessionInfo info() const;
  // Runs `code`, streaming into `sink`. FailedPrecondition if closed,
  // expired or busy; Unavailable if the process is dead and cannot be
  // restarted. Limits of the code itself are reported in the result.
  absl::StatusOr<ExecuteReport> Execute(absl::string_view code, absl::Duration timeout,
                                        ExecuteSink* sink);
  // Kills everything, deletes the disk. Idempotent; a closed session stays
  // closed even if `final_state` differs.
  SessionInfo Close(SessionState final_state = SessionState::kClosed);

  // Files in /mnt/data. FailedPrecondition if closed/expired (and, for
  // reads, while an Execute runs).
  absl::StatusOr<std::unique_ptr<SessionDisk::Writer>> BeginWrite(absl::string_view path,
                                                                  int64_t max_bytes);
  absl::StatusOr<std::unique_ptr<OpenSessionFile>> OpenFile(absl::string_view path);
  absl::StatusOr<std::vector<SessionFileInfo>> ListFiles();

  // Host pid of the session's PID 1 (0 if none) and its cgroup (testing).
  pid_t pid() const;
  SessionCgroup* cgroup() const { return resources_.cgroup.get(); }
  const std::string& disk_dir() const { return resources_.disk_dir; }
  // When the pool should expire it (idle timeout or lifetime).
  absl::Time expiry() const;

 private:
  Session(const SessionEnvironment* env, SessionInfo info, SessionLimits limits,
          Resources resources);
  absl::Status Launch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(launch_mu_);
  void KillProcesses();
  absl::Status Restart();
  void Release() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckOpen(bool allow_busy) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Touch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CollectFiles(const std::vector<std::string>& paths, ExecuteSink* sink);
  absl::Status Freeze();
  void Thaw();

  const SessionEnvironment* const env_;
  const SessionLimits limits_;
  Resources resources_;
  mutable absl::Mutex mu_;
  SessionInfo info_ ABSL_GUARDED_BY(mu_);
  absl::Time last_used_ ABSL_GUARDED_BY(mu_);
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  int executions_ ABSL_GUARDED_BY(mu_) = 0;
  // The process and the disk are used by the (single) Execute without mu_
  // held; launch_mu_ serialises replacing the process.
  absl::Mutex launch_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::unique_ptr<SessionProcess> process_;
  std::unique_ptr<SessionDisk> disk_;
  pid_t pid_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_SESSION_H_
