#ifndef ASSISTD_SANDBOX_JAIL_SECCOMP_FILTER_H_
#define ASSISTD_SANDBOX_JAIL_SECCOMP_FILTER_H_

#include <linux/filter.h>

#include <vector>

#include "absl/status/statusor.h"

namespace assistd::sandbox {

// A compiled seccomp-BPF program for sandbox sessions. Built once (libseccomp
// takes milliseconds), then installed in each session after fork, which
// costs microseconds.
//
// The program checks the architecture first (any other ABI, such as i386
// through int 0x80 or x32, kills the process) and then allows everything
// except, with EPERM: namespace creation and entry (unshare, setns, clone
// with CLONE_NEW* flags; clone3 answers ENOSYS so libc falls back to clone),
// mount and the new mount API, pivot_root, chroot, ptrace and
// process_vm_*, bpf, perf_event_open, userfaultfd, keyctl/add_key/
// request_key, io_uring_*, module and kexec calls, reboot, swapon/off,
// open_by_handle_at, syslog, acct, quotactl; and sockets of any family
// other than AF_UNIX (socket and socketpair). Immutable and thread-safe.
class SeccompProgram {
 public:
  // Internal if libseccomp fails.
  static absl::StatusOr<SeccompProgram> Build();

  // Installs the program on the calling thread. Requires no_new_privs (or
  // CAP_SYS_ADMIN). Async-signal-safe: no allocation.
  // Returns 0 or the errno of prctl.
  int Install() const;

  size_t instruction_count() const { return program_.size(); }

 private:
  std::vector<sock_filter> program_;
};

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_JAIL_SECCOMP_FILTER_H_
