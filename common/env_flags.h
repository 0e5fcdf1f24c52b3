#ifndef ASSISTD_COMMON_ENV_FLAGS_H_
#define ASSISTD_COMMON_ENV_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace assistd {

// Environment variable for flag `name` under `prefix`:
// ("ASSISTD_", "data_dir") -> "ASSISTD_DATA_DIR".
std::string EnvVarForFlag(absl::string_view prefix, absl::string_view name);

// For each flag in `names`, if its environment variable is set, parses the
// value into the flag. Call before absl::ParseCommandLine so command-line
// values win. InvalidArgument naming the variable if a value doesn't parse;
// NotFound if a name is not a defined flag (a bug).
absl::Status ApplyEnvironmentToFlags(absl::string_view prefix,
                                     const std::vector<std::string>& names);

}  // namespace assistd

#endif  // ASSISTD_COMMON_ENV_FLAGS_H_
