#include "common/env_flags.h"

#include <cstdlib>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace assistd {

std::string EnvVarForFlag(absl::string_view prefix, absl::string_view name) {
  return absl::StrCat(prefix, absl::AsciiStrToUpper(name));
}

absl::Status ApplyEnvironmentToFlags(absl::string_view prefix,
                                     const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      return absl::NotFoundError(absl::StrCat("no flag --", name));
    }
    const std::string var = EnvVarForFlag(prefix, name);
    const char* value = std::getenv(var.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "environment variable ", var, "='", value, "': ", error));
    }
  }
  return absl::OkStatus();
}

}  // namespace assistd
