#include "sandbox/jail/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace assistd::sandbox {
namespace {

absl::Status WriteProcFile(pid_t pid, const char* name, const std::string& content) {
  const std::string path = absl::StrCat("/proc/", pid, "/", name);
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("open ", path, ": ", std::strerror(errno)));
  }
  const ssize_t n = write(fd, content.data(), content.size());
  const int saved = errno;
  close(fd);
  if (n != static_cast<ssize_t>(content.size())) {
    return absl::InternalError(absl::StrCat("write ", path, ": ", std::strerror(saved)));
  }
  return absl::OkStatus();
}

}  // namespace

int SessionNamespaceFlags() {
  return CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
         CLONE_NEWUTS | CLONE_NEWCGROUP;
}

absl::StatusOr<pid_t> CloneProcess(int flags) {
  // The raw syscall with a null stack behaves like fork(): the child runs on
  // a copy-on-write copy of this stack.
  const long pid = syscall(SYS_clone, static_cast<unsigned long>(flags) | SIGCHLD, nullptr,
                           nullptr, nullptr, 0);
  if (pid < 0) {
    return absl::InternalError(absl::StrCat("clone: ", std::strerror(errno)));
  }
  return static_cast<pid_t>(pid);
}

absl::Status WriteIdMaps(pid_t pid, uint32_t outside_base) {
  const std::string map =
      absl::StrCat("0 ", outside_base, " 1\n", kSandboxUid, " ", outside_base + 1, " 1\n");
  if (absl::Status s = WriteProcFile(pid, "uid_map", map); !s.ok()) return s;
  if (absl::Status s = WriteProcFile(pid, "setgroups", "deny"); !s.ok()) return s;
  return WriteProcFile(pid, "gid_map", map);
}

}  // namespace assistd::sandbox
