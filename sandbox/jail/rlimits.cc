#include "sandbox/jail/rlimits.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace assistd::sandbox {
namespace {

absl::Status Set(int resource, const char* name, int64_t value) {
  rlimit limit{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
  if (setrlimit(resource, &limit) != 0) {
    return absl::InternalError(absl::StrCat("setrlimit(", name, "): ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyRlimits(const RlimitSpec& spec) {
  struct Entry {
    int resource;
    const char* name;
    int64_t value;
  };
  const Entry entries[] = {
      {RLIMIT_FSIZE, "RLIMIT_FSIZE", spec.file_bytes},
      {RLIMIT_NOFILE, "RLIMIT_NOFILE", spec.open_files},
      {RLIMIT_NPROC, "RLIMIT_NPROC", spec.processes},
      {RLIMIT_CPU, "RLIMIT_CPU", spec.cpu_seconds},
      {RLIMIT_CORE, "RLIMIT_CORE", -1},
      {RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK", 64 << 10},
  };
  for (const Entry& e : entries) {
    if (e.value == 0) continue;
    const int64_t value = e.resource == RLIMIT_CORE ? 0 : e.value;
    if (absl::Status s = Set(e.resource, e.name, value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace assistd::sandbox
