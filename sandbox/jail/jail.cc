#include "sandbox/jail/jail.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "sandbox/jail/environment.h"
#include "sandbox/jail/fds.h"
#include "sandbox/jail/namespaces.h"
#include "sandbox/jail/privileges.h"

namespace assistd::sandbox {
namespace {

absl::Status WriteString(const char* path, absl::string_view value) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("open ", path, ": ", std::strerror(errno)));
  const ssize_t n = write(fd, value.data(), value.size());
  const int saved = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    return absl::InternalError(absl::StrCat("write ", path, ": ", std::strerror(saved)));
  }
  return absl::OkStatus();
}

// The child's side, after the parent has released it.
absl::Status EnterJail(const JailConfig& config, const SeccompProgram& seccomp,
                       const std::vector<std::pair<int, int>>& fds, int* report_fd) {
  // Under memory pressure the kernel kills a session before the service.
  RETURN_IF_ERROR(WriteString("/proc/self/oom_score_adj", "1000"));
  if (config.use_namespaces) {
    // Become the namespace's root (host uid outside_uid_base), so what the
    // setup creates is owned by a mapped uid.
    if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) {
      return absl::InternalError(absl::StrCat("setresuid(0) in the namespace: ",
                                              std::strerror(errno)));
    }
    RETURN_IF_ERROR(BuildSessionRoot(config.root));
    if (sethostname("sandbox", 7) != 0) {
      return absl::InternalError(absl::StrCat("sethostname: ", std::strerror(errno)));
    }
    if (chdir("/mnt/data") != 0) return absl::InternalError("chdir /mnt/data");
  } else if (chdir(config.root.data_dir.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("chdir: ", std::strerror(errno)));
  }
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) return absl::InternalError("open /dev/null");
  std::vector<std::pair<int, int>> keep = fds;
  keep.emplace_back(null_fd, STDIN_FILENO);
  RETURN_IF_ERROR(KeepOnlyFds(keep));
  *report_fd = STDERR_FILENO;
  RETURN_IF_ERROR(ApplyRlimits(config.rlimits));
  ReplaceEnvironment(config.env);
  if (config.use_namespaces) {
    RETURN_IF_ERROR(DropPrivileges(kSandboxUid, kSandboxGid));
  } else {
    RETURN_IF_ERROR(DropPrivileges(config.outside_uid_base + 1, config.outside_uid_base + 1));
  }
  // Changing credentials cleared the parent-death signal: set it again.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (int err = seccomp.Install(); err != 0) {
    return absl::InternalError(absl::StrCat("seccomp: ", std::strerror(err)));
  }
  return absl::OkStatus();
}

[[noreturn]] void RunChild(const JailConfig& config, const SeccompProgram& seccomp,
                           const std::vector<std::pair<int, int>>& fds, int error_fd,
                           int release_fd, absl::FunctionRef<int()> body) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  char go = 0;
  // EOF instead of the byte: the parent died or gave up on us.
  if (read(release_fd, &go, 1) != 1) _exit(kJailFailedExitCode);
  close(release_fd);
  // The error pipe: `error_fd` until the fds are rearranged, then stderr.
  int report_fd = error_fd;
  absl::Status status = EnterJail(config, seccomp, fds, &report_fd);
  if (!status.ok()) {
    const std::string line = absl::StrCat("jail: ", status.message(), "\n");
    (void)!write(report_fd, line.data(), line.size());
    _exit(kJailFailedExitCode);
  }
  _exit(body());
}

// The parent's side: maps, cgroups, then the release byte.
absl::Status Release(const JailConfig& config, pid_t pid, int release_fd) {
  if (config.use_namespaces) RETURN_IF_ERROR(WriteIdMaps(pid, config.outside_uid_base));
  for (const std::string& procs : config.cgroup_procs_files) {
    RETURN_IF_ERROR(WriteString(procs.c_str(), std::to_string(pid)));
  }
  if (write(release_fd, "g", 1) != 1) {
    return absl::InternalError(absl::StrCat("release: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<pid_t> SpawnJailed(const JailConfig& config, const SeccompProgram& seccomp,
                                  const std::vector<std::pair<int, int>>& fds, int error_fd,
                                  const ForkHooks& hooks, absl::FunctionRef<int()> body) {
  int release[2];
  if (pipe2(release, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
  }
  if (hooks.before != nullptr) hooks.before();
  absl::StatusOr<pid_t> pid =
      CloneProcess(config.use_namespaces ? SessionNamespaceFlags() : 0);
  if (pid.ok() && *pid == 0) {
    if (hooks.after_in_child != nullptr) hooks.after_in_child();
    close(release[1]);
    RunChild(config, seccomp, fds, error_fd, release[0], body);
  }
  if (hooks.after_in_parent != nullptr) hooks.after_in_parent();
  close(release[0]);
  absl::Status released = pid.ok() ? Release(config, *pid, release[1]) : pid.status();
  close(release[1]);
  if (!released.ok()) {
    if (pid.ok()) kill(*pid, SIGKILL);
    return released;
  }
  return pid;
}

}  // namespace assistd::sandbox
