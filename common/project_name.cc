#include "common/project_name.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace assistd {

absl::Status ValidateProjectName(absl::string_view name) {
  bool valid = !name.empty() && name.size() <= kMaxProjectNameLength;
  for (char c : name) {
    valid = valid && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  }
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid project name '", name, "' (expected 1-", kMaxProjectNameLength,
      " characters of A-Z a-z 0-9 _ -)"));
}

}  // namespace assistd
