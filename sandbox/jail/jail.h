#ifndef ASSISTD_SANDBOX_JAIL_JAIL_H_
#define ASSISTD_SANDBOX_JAIL_JAIL_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "sandbox/jail/mounts.h"
#include "sandbox/jail/rlimits.h"
#include "sandbox/jail/seccomp_filter.h"

namespace assistd::sandbox {

// Everything that makes one session process's jail, decided by the pool.
struct JailConfig {
  // Full tier: fresh user, mount, PID, network, IPC, UTS and cgroup
  // namespaces and a minimal root. false (the "process" tier, only when the
  // operator opts down): same uid drop, seccomp, rlimits and cgroup, but
  // the host's filesystem and network stay visible.
  bool use_namespaces = true;
  // Host uid/gid base of this session (see namespaces.h): the session runs
  // as base + 1 on the host.
  uint32_t outside_uid_base = 0;
  // cgroup.procs files the process is attached to before it runs.
  std::vector<std::string> cgroup_procs_files;
  // The session's root; its descriptors are the spawner's.
  RootSpec root;
  RlimitSpec rlimits;
  // The session's whole environment (KEY=VALUE).
  std::vector<std::string> env;
};

// Runs around the clone, for an embedded interpreter (PyOS_*Fork*).
struct ForkHooks {
  void (*before)() = nullptr;
  void (*after_in_parent)() = nullptr;
  void (*after_in_child)() = nullptr;
};

// Starts a jailed session process from the calling (single-threaded)
// process and returns its pid; the caller reaps it. The child:
//   waits until the parent has written its uid/gid maps and attached it to
//   its cgroups; dies with the parent (PDEATHSIG); raises its own
//   oom_score_adj; builds its root (BuildSessionRoot); makes each
//   `fds[i].first` its `fds[i].second` and closes everything else, with
//   /dev/null as stdin; applies rlimits and the environment; drops to the
//   sandbox uid without capabilities, with no_new_privs; installs
//   `seccomp`; then returns `body()` as its exit code.
// If a step fails, the child writes "jail: <error>\n" to `error_fd` and
// exits with 120. Internal if the clone or the parent's part fails (the
// child is killed then).
absl::StatusOr<pid_t> SpawnJailed(const JailConfig& config, const SeccompProgram& seccomp,
                                  const std::vector<std::pair<int, int>>& fds, int error_fd,
                                  const ForkHooks& hooks, absl::FunctionRef<int()> body);

// Exit code of a session process whose jail could not be built.
inline constexpr int kJailFailedExitCode = 120;

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_JAIL_JAIL_H_
