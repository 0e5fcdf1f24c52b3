#ifndef ASSISTD_SANDBOX_JAIL_FDS_H_
#define ASSISTD_SANDBOX_JAIL_FDS_H_

#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace assistd::sandbox {

// Makes each `from` descriptor available as `to` (without close-on-exec),
// then closes every descriptor not in a `to`. Nothing is exec'd in a
// session, so O_CLOEXEC protects nothing: whatever stays open here is
// reachable by the session's code. Handles overlaps between the sets.
// Internal on failure.
absl::Status KeepOnlyFds(const std::vector<std::pair<int, int>>& from_to);

// The descriptors open in this process, from /proc/self/fd (for tests and
// checks). Empty if /proc is not readable.
std::vector<int> OpenFds();

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_JAIL_FDS_H_
