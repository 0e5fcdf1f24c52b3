#include "sandbox/jail/fds.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace assistd::sandbox {

absl::Status KeepOnlyFds(const std::vector<std::pair<int, int>>& from_to) {
  int highest_target = 0;
  for (const auto& [from, to] : from_to) highest_target = std::max(highest_target, to);
  // First move every source above all targets, so no dup2 below clobbers a
  // source that has not been moved yet.
  std::vector<int> parked;
  for (const auto& [from, to] : from_to) {
    const int fd = fcntl(from, F_DUPFD, highest_target + 1);
    if (fd < 0) return absl::InternalError(absl::StrCat("dup ", from, ": ", std::strerror(errno)));
    parked.push_back(fd);
  }
  for (size_t i = 0; i < from_to.size(); ++i) {
    if (dup2(parked[i], from_to[i].second) < 0) {
      return absl::InternalError(absl::StrCat("dup2: ", std::strerror(errno)));
    }
  }
  std::vector<int> keep;
  for (const auto& [from, to] : from_to) keep.push_back(to);
  std::sort(keep.begin(), keep.end());
  unsigned int next = 0;
  for (int fd : keep) {
    if (static_cast<unsigned int>(fd) > next) close_range(next, fd - 1, 0);
    next = static_cast<unsigned int>(fd) + 1;
  }
  if (close_range(next, ~0U, 0) != 0) {
    return absl::InternalError(absl::StrCat("close_range: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::vector<int> OpenFds() {
  std::vector<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  const int own = dirfd(dir);
  while (dirent* e = readdir(dir)) {
    int fd;
    if (absl::SimpleAtoi(e->d_name, &fd) && fd != own) fds.push_back(fd);
  }
  closedir(dir);
  std::sort(fds.begin(), fds.end());
  return fds;
}

}  // namespace assistd::sandbox
