#ifndef ASSISTD_COMMON_PROJECT_NAME_H_
#define ASSISTD_COMMON_PROJECT_NAME_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace assistd {

// Longest project name.
inline constexpr int kMaxProjectNameLength = 64;

// OK if `name` is a valid project name: 1-64 characters of [A-Za-z0-9_-].
// InvalidArgument otherwise, quoting the name and stating the rule.
absl::Status ValidateProjectName(absl::string_view name);

}  // namespace assistd

#endif  // ASSISTD_COMMON_PROJECT_NAME_H_
