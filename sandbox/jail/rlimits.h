#ifndef ASSISTD_SANDBOX_JAIL_RLIMITS_H_
#define ASSISTD_SANDBOX_JAIL_RLIMITS_H_

#include <cstdint>

#include "absl/status/status.h"

namespace assistd::sandbox {

// Per-process limits of a session, a backstop behind the cgroup (which
// holds the real memory, pids and CPU limits). 0 leaves a limit unchanged.
struct RlimitSpec {
  // Largest file a session can write (RLIMIT_FSIZE): EFBIG and SIGXFSZ past it.
  int64_t file_bytes = int64_t{1} << 30;
  // Open files per process (RLIMIT_NOFILE).
  int64_t open_files = 256;
  // Processes of the session's uid (RLIMIT_NPROC).
  int64_t processes = 256;
  // CPU seconds per process (RLIMIT_CPU): SIGXCPU, then SIGKILL.
  int64_t cpu_seconds = 3600;
  // Core dumps are always off (RLIMIT_CORE = 0); locked memory is 64 KiB.
};

// Applies `spec` to the calling process (soft = hard). Internal naming the
// limit that failed.
absl::Status ApplyRlimits(const RlimitSpec& spec);

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_JAIL_RLIMITS_H_
