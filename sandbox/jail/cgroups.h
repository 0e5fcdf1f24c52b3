#ifndef ASSISTD_SANDBOX_JAIL_CGROUPS_H_
#define ASSISTD_SANDBOX_JAIL_CGROUPS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace assistd::sandbox {

enum class CgroupVersion { kNone, kV1, kV2 };
const char* CgroupVersionName(CgroupVersion version);

// Kernel-enforced limits of one session.
struct CgroupLimits {
  // Memory including page cache and tmpfs pages; swap is not allowed
  // (memsw / memory.swap.max = 0). Past it the kernel OOM-kills inside the
  // session only.
  int64_t memory_bytes = int64_t{1} << 30;
  // Processes and threads (pids.max): fork and thread bombs get EAGAIN.
  int64_t pids = 128;
  // CPU bandwidth in thousandths of a core (1000 = one core).
  int64_t cpu_millicores = 1000;
};

// One session's cgroup (a directory per hierarchy on v1, one on v2).
// Thread-compatible; the pool serialises calls per session.
class SessionCgroup {
 public:
  virtual ~SessionCgroup() = default;
  // The cgroup.procs files a new process must be written into (one per
  // hierarchy); the zygote attaches the session before it runs anything.
  virtual std::vector<std::string> ProcsFiles() const = 0;
  // Stops every process of the session (freezer), and lets them run again.
  // Internal if the freezer does not settle within a second.
  virtual absl::Status Freeze() = 0;
  virtual absl::Status Thaw() = 0;
  // SIGKILLs every process until none is left (frozen first, so nothing can
  // fork in between). DeadlineExceeded if processes are still there after
  // `timeout`.
  virtual absl::Status KillAll(absl::Duration timeout) = 0;
  // The processes in the session's cgroup right now.
  virtual std::vector<pid_t> Pids() const = 0;
  // How many times the kernel's OOM killer has fired in this cgroup.
  virtual int64_t OomKills() const = 0;
  // KillAll, then removes the directories. Safe to call twice.
  virtual absl::Status Remove() = 0;
  // The main directory (memory hierarchy on v1), for logs and tests.
  virtual std::string path() const = 0;
};

struct CgroupOptions {
  // Created under the supervisor's own cgroup in each hierarchy, so the
  // sessions stay inside whatever limits the host put on the service.
  std::string parent_name = "assistd-sandbox";
  // Testing: pretend the host has no usable cgroups.
  bool disable = false;
};

// Finds the host's cgroup setup and makes per-session cgroups under
// <own cgroup>/<parent_name>/<instance>/, where <instance> names this
// process ("pool-<pid>-<n>"). Thread-safe.
class CgroupManager {
 public:
  // Probes: cgroup v2 when its memory and pids controllers can be delegated
  // below the supervisor's own cgroup, else v1 with memory, pids and
  // freezer hierarchies (cpu when present), else kNone. Never fails: the
  // caller decides whether kNone is acceptable (reason() says why).
  static std::unique_ptr<CgroupManager> Create(const CgroupOptions& options);
  virtual ~CgroupManager() = default;

  virtual CgroupVersion version() const = 0;
  // Why version() is kNone, or what is missing (e.g. no cpu controller).
  virtual std::string reason() const = 0;
  // A new cgroup with `limits`. FailedPrecondition if version() is kNone;
  // Internal if the kernel refuses.
  virtual absl::StatusOr<std::unique_ptr<SessionCgroup>> CreateSession(
      const std::string& name, const CgroupLimits& limits) = 0;
  // Kills the processes in, and removes, every instance directory whose
  // process is gone (left by a crashed supervisor). Returns how many.
  virtual int ReapLeftovers() = 0;
};

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_JAIL_CGROUPS_H_
