#ifndef ASSISTD_SANDBOX_JAIL_NAMESPACES_H_
#define ASSISTD_SANDBOX_JAIL_NAMESPACES_H_

#include <sys/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace assistd::sandbox {

// The namespaces every session gets: user, mount, PID, network, IPC, UTS
// and cgroup. A fresh network namespace has only a loopback interface, down.
int SessionNamespaceFlags();

// clone(2) without a new stack, like fork(2) but with `flags` (CLONE_NEW*):
// returns 0 in the child, the child's pid in the parent. The child of a
// CLONE_NEWPID clone is PID 1 of its namespace. The caller must be
// single-threaded if `flags` has CLONE_NEWUSER. Internal with errno on
// failure.
absl::StatusOr<pid_t> CloneProcess(int flags);

// The uid/gid layout of a session's user namespace: inside uid/gid 0 (the
// jail's setup, no capabilities outside) maps to `outside_base`, and the
// sandbox user kSandboxUid maps to `outside_base + 1`. Every session gets its
// own pair, so sessions cannot touch each other's processes or files even
// through a kernel that leaks across namespaces.
inline constexpr uid_t kSandboxUid = 1000;
inline constexpr gid_t kSandboxGid = 1000;

// Writes uid_map, setgroups=deny and gid_map of the child `pid`, which has
// just been cloned into a new user namespace. Needs CAP_SETUID/CAP_SETGID in
// the parent namespace. Internal on failure.
absl::Status WriteIdMaps(pid_t pid, uint32_t outside_base);

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_JAIL_NAMESPACES_H_
