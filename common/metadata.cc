#include "common/metadata.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace assistd {
namespace {

absl::Status CheckSize(size_t pairs, absl::string_view field) {
  if (pairs > static_cast<size_t>(kMaxMetadataPairs)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid '", field, "': too many keys (", pairs,
        "). Expected an object with at most ", kMaxMetadataPairs, " keys."));
  }
  return absl::OkStatus();
}

absl::Status CheckKey(absl::string_view key, absl::string_view field) {
  const size_t len = Utf8Length(key);
  if (len == 0 || len > static_cast<size_t>(kMaxMetadataKeyChars)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid '", field, "': key '", key, "' has length ", len,
        ". Expected keys of 1 to ", kMaxMetadataKeyChars, " characters."));
  }
  return absl::OkStatus();
}

absl::Status CheckString(absl::string_view key, absl::string_view value,
                         absl::string_view field) {
  const size_t len = Utf8Length(value);
  if (len > static_cast<size_t>(kMaxMetadataValueChars)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid '", field, ".", key, "': string too long. Expected a string "
        "with maximum length ", kMaxMetadataValueChars,
        ", but got a string with length ", len, " instead."));
  }
  return absl::OkStatus();
}

}  // namespace

size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    // Count every byte that is not a continuation byte.
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

absl::Status ValidateMetadata(const std::map<std::string, std::string>& m,
                              absl::string_view field) {
  RETURN_IF_ERROR(CheckSize(m.size(), field));
  for (const auto& [key, value] : m) {
    RETURN_IF_ERROR(CheckKey(key, field));
    RETURN_IF_ERROR(CheckString(key, value, field));
  }
  return absl::OkStatus();
}

absl::Status ValidateAttributes(
    const std::map<std::string, AttributeValue>& attributes,
    absl::string_view field) {
  RETURN_IF_ERROR(CheckSize(attributes.size(), field));
  for (const auto& [key, value] : attributes) {
    RETURN_IF_ERROR(CheckKey(key, field));
    if (const auto* s = std::get_if<std::string>(&value)) {
      RETURN_IF_ERROR(CheckString(key, *s, field));
    } else if (const auto* d = std::get_if<double>(&value)) {
      if (!std::isfinite(*d)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Invalid '", field, ".", key, "': numbers must be finite."));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace assistd
