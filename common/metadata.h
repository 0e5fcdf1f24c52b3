#ifndef ASSISTD_COMMON_METADATA_H_
#define ASSISTD_COMMON_METADATA_H_

// Validation of OpenAI `metadata` maps and vector-store file `attributes`.

#include <map>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace assistd {

inline constexpr int kMaxMetadataPairs = 16;
inline constexpr int kMaxMetadataKeyChars = 64;
inline constexpr int kMaxMetadataValueChars = 512;

// Number of Unicode code points in UTF-8 `s` (what OpenAI's limits count).
// Invalid bytes count one each.
size_t Utf8Length(absl::string_view s);

// At most 16 pairs, keys of 1..64 characters, values of at most 512.
// InvalidArgument whose message names `field` (e.g. "metadata") and the
// offending key otherwise.
absl::Status ValidateMetadata(const std::map<std::string, std::string>& m,
                              absl::string_view field = "metadata");

// An attribute value: string (<= 512 characters), number or boolean.
using AttributeValue = std::variant<std::string, double, bool>;

// The metadata rules, with typed values. Numbers must be finite.
absl::Status ValidateAttributes(
    const std::map<std::string, AttributeValue>& attributes,
    absl::string_view field = "attributes");

}  // namespace assistd

#endif  // ASSISTD_COMMON_METADATA_H_
