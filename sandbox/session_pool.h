#ifndef ASSISTD_SANDBOX_SESSION_POOL_H_
#define ASSISTD_SANDBOX_SESSION_POOL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "sandbox/jail/cgroups.h"
#include "sandbox/jail/rlimits.h"
#include "sandbox/kernel/session_process.h"
#include "sandbox/kernel/zygote_client.h"
#include "sandbox/session.h"

namespace assistd::sandbox {

// Where a pool for `data_dir` keeps its session directories:
// `<data_dir>/sandbox` when every directory above it is searchable by
// others (sessions reach their disk by path as an unprivileged uid), else a
// directory under /run named after the data dir.
std::string DefaultStateDir(const std::string& data_dir);

struct SessionPoolOptions {
  // Holds sessions/<id>/data (each a tmpfs mount) and mplconfig/. Leftovers
  // of a previous run are unmounted and removed at startup.
  std::string state_dir;
  // The assistd-sandbox-zygote binary.
  std::string zygote_path;
  // Live sessions at once; past it the least recently used idle session is
  // evicted (EXPIRED), and if all are busy, creation fails.
  int max_sessions = 32;
  // Live sessions per owner (project); 0 = only max_sessions.
  int max_sessions_per_owner = 0;
  // A session is expired this long after creation, however busy.
  absl::Duration max_lifetime = absl::Hours(1);
  SessionLimits default_limits;
  // Requests above these are capped to them.
  SessionLimits max_limits{int64_t{8} << 30, int64_t{4} << 30, absl::Hours(24)};
  // Processes and CPU of each session (memory comes from its limits).
  CgroupLimits cgroup;
  RlimitSpec rlimits;
  // Size of each session's /tmp (memory-backed, counted in its memory).
  int64_t tmp_bytes = int64_t{64} << 20;
  // Output, image and file caps of an Execute, and its interrupt grace.
  ExecuteLimits execute;
  absl::Duration default_timeout = absl::Seconds(30);
  absl::Duration max_timeout = absl::Minutes(10);
  // Closed and expired sessions are still answered for this long.
  absl::Duration retention = absl::Hours(1);
  // Operator opt-downs (fail closed otherwise): run without per-session
  // cgroups (rlimits only), or without namespaces (the "process" tier:
  // seccomp, rlimits, uid and cgroup, host filesystem visible).
  bool allow_without_cgroups = false;
  bool allow_without_namespaces = false;
  // Sessions run as host uids uid_base + 2*slot (+1), slot < max_sessions.
  uint32_t uid_base = 200000;
  CgroupOptions cgroups;
  // Not owned; RealClock() if null.
  Clock* clock = nullptr;
  // Start the zygote and probe the jail in a background thread, so the
  // server starts at once (CreateSession waits for it).
  bool start_in_background = false;
  // Expire idle sessions from a background thread (every second).
  bool background_reaper = true;
};

// The sandbox: sessions forked from one warm Python zygote, with lifetime,
// idle timeout, a maximum count with LRU eviction, per-owner scoping, and
// cleanup of a previous run's leftovers. Thread-safe.
class SessionPool {
 public:
  // Prepares the state dir and reaps leftovers, probes cgroups, starts the
  // zygote and runs a probe session through the whole jail (unless
  // start_in_background). FailedPrecondition if the state dir is unusable.
  // A host that cannot run the jail (and no opt-down) does not fail
  // creation: CreateSession then answers Unavailable, saying why.
  static absl::StatusOr<std::unique_ptr<SessionPool>> Create(SessionPoolOptions options);
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // A new session for `owner`. Unavailable if the jail cannot run here;
  // ResourceExhausted if the pool or the owner's quota is full of busy
  // sessions.
  absl::StatusOr<std::shared_ptr<Session>> CreateSession(const std::string& owner,
                                                         const std::string& label,
                                                         const SessionLimits& limits);
  // NotFound if unknown, forgotten, or another owner's.
  absl::StatusOr<std::shared_ptr<Session>> Find(const std::string& owner,
                                                const std::string& id) const;
  // Expires sessions past their idle timeout or lifetime and forgets closed
  // ones past the retention. Called every second by the reaper thread.
  void ReapExpired();

  // Waits for the background start; its status (OK if the jail works).
  absl::Status WaitUntilReady();
  // "namespaces+cgroup-v1", "process+rlimits", ...
  std::string tier() const;
  int live_sessions() const;
  const SessionPoolOptions& options() const { return options_; }
  SessionLimits Clamp(const SessionLimits& requested) const;
  // The current zygote's pid, 0 if none (testing: crash it).
  pid_t zygote_pid();

 private:
  explicit SessionPool(SessionPoolOptions options);
  absl::Status PrepareStateDir();
  void StartUp();
  absl::Status StartZygoteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(create_mu_);
  absl::Status Probe() ABSL_EXCLUSIVE_LOCKS_REQUIRED(create_mu_);
  absl::StatusOr<std::shared_ptr<Session>> StartSession(const std::string& owner,
                                                        const std::string& label,
                                                        const SessionLimits& limits)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(create_mu_);
  absl::Status MakeRoom(const std::string& owner) ABSL_EXCLUSIVE_LOCKS_REQUIRED(create_mu_);
  absl::StatusOr<int> TakeSlot();
  void ReturnSlot(int slot);
  void ReaperLoop();

  SessionPoolOptions options_;
  SessionEnvironment env_;
  std::unique_ptr<CgroupManager> cgroups_;
  absl::Notification started_;
  absl::Notification stopping_;
  std::thread startup_thread_;
  std::thread reaper_thread_;
  // Serialises creation (zygote start, eviction, spawn).
  absl::Mutex create_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::shared_ptr<ZygoteClient> zygote_ ABSL_GUARDED_BY(create_mu_);
  absl::Status startup_status_ ABSL_GUARDED_BY(create_mu_);
  mutable absl::Mutex mu_;
  struct Entry {
    std::shared_ptr<Session> session;
    absl::Time closed_seen;  // InfiniteFuture while live
  };
  std::map<std::string, Entry> sessions_ ABSL_GUARDED_BY(mu_);
  // Free uid slots; its own lock because sessions return theirs while
  // their own lock is held.
  absl::Mutex slot_mu_;
  std::vector<bool> slot_used_ ABSL_GUARDED_BY(slot_mu_);
};

// The zygote installed next to the running executable.
std::string DefaultZygotePath();

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_SESSION_POOL_H_
