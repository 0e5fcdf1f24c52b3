#include "sandbox/jail/seccomp_filter.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace assistd::sandbox {
namespace {

// Denied outright, whatever the arguments.
constexpr const char* kDeniedSyscalls[] = {
    "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "chroot",
    "fsopen", "fsconfig", "fsmount", "fspick", "open_tree", "move_mount",
    "mount_setattr", "ptrace", "process_vm_readv", "process_vm_writev",
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key",
    "request_key", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "init_module", "finit_module", "delete_module", "kexec_load",
    "kexec_file_load", "reboot", "swapon", "swapoff", "open_by_handle_at",
    "name_to_handle_at", "syslog", "acct", "quotactl", "quotactl_fd",
    "lookup_dcookie", "vhangup", "settimeofday", "clock_settime", "adjtimex",
    "clock_adjtime", "iopl", "ioperm", "nfsservctl", "fanotify_init",
    "pidfd_getfd", "process_madvise", "kcmp", "sethostname", "setdomainname",
    "landlock_create_ruleset", "memfd_secret"};

constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                     CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                     CLONE_NEWCGROUP | CLONE_NEWTIME;

struct ContextDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

absl::Status Check(int rc, absl::string_view what) {
  if (rc == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("seccomp ", what, ": ", std::strerror(-rc)));
}

absl::Status AddRules(scmp_filter_ctx ctx) {
  const uint32_t deny = SCMP_ACT_ERRNO(EPERM);
  for (const char* name : kDeniedSyscalls) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr < 0) continue;  // not a syscall on this architecture
    RETURN_IF_ERROR(Check(seccomp_rule_add(ctx, deny, nr, 0), name));
  }
  // clone's flags are its first argument on x86-64; one rule per flag, as
  // libseccomp compares (arg & mask) == datum.
  for (uint64_t flag = 1; flag != 0; flag <<= 1) {
    if ((kNamespaceFlags & flag) == 0) continue;
    RETURN_IF_ERROR(Check(seccomp_rule_add(ctx, deny, SCMP_SYS(clone), 1,
                                           SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)),
                          "clone"));
  }
  // clone3 passes its flags in memory, out of BPF's reach: ENOSYS makes
  // glibc fall back to clone, which is checked above.
  RETURN_IF_ERROR(Check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0),
                        "clone3"));
  RETURN_IF_ERROR(Check(seccomp_rule_add(ctx, deny, SCMP_SYS(socket), 1,
                                         SCMP_A0(SCMP_CMP_NE, AF_UNIX)),
                        "socket"));
  RETURN_IF_ERROR(Check(seccomp_rule_add(ctx, deny, SCMP_SYS(socketpair), 1,
                                         SCMP_A0(SCMP_CMP_NE, AF_UNIX)),
                        "socketpair"));
  // TIOCSTI would push input into a terminal outside the jail.
  return Check(seccomp_rule_add(ctx, deny, SCMP_SYS(ioctl), 1,
                                SCMP_A1(SCMP_CMP_EQ, TIOCSTI)),
               "ioctl");
}

// libseccomp writes the program to a file descriptor: give it a memfd and
// read the instructions back.
absl::StatusOr<std::vector<sock_filter>> Export(scmp_filter_ctx ctx) {
  const int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("memfd_create: ", std::strerror(errno)));
  std::vector<sock_filter> program;
  absl::Status status = Check(seccomp_export_bpf(ctx, fd), "export");
  const off_t size = status.ok() ? lseek(fd, 0, SEEK_END) : 0;
  if (status.ok() && (size <= 0 || size % sizeof(sock_filter) != 0)) {
    status = absl::InternalError("seccomp export: odd program size");
  }
  if (status.ok()) {
    program.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (pread(fd, program.data(), static_cast<size_t>(size), 0) != size) {
      status = absl::InternalError("seccomp export: short read");
    }
  }
  close(fd);
  if (!status.ok()) return status;
  return program;
}

}  // namespace

absl::StatusOr<SeccompProgram> SeccompProgram::Build() {
  Context ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (ctx == nullptr) return absl::InternalError("seccomp_init failed");
  // Any other ABI (i386 via int 0x80, x32) kills the process: its syscall
  // numbers would otherwise slip past the rules.
  RETURN_IF_ERROR(Check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH,
                                         SCMP_ACT_KILL_PROCESS),
                        "badarch"));
  RETURN_IF_ERROR(Check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0), "nnp"));
  RETURN_IF_ERROR(AddRules(ctx.get()));
  SeccompProgram program;
  ASSIGN_OR_RETURN(program.program_, Export(ctx.get()));
  return program;
}

int SeccompProgram::Install() const {
  sock_fprog prog;
  prog.len = static_cast<unsigned short>(program_.size());
  prog.filter = const_cast<sock_filter*>(program_.data());
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) return errno;
  return 0;
}

}  // namespace assistd::sandbox
