#include "services/gateway/json_errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace assistd::gateway {
namespace {

absl::Status WithParam(absl::Status status, const std::string& path) {
  status.SetPayload(kJsonErrorParamUrl, absl::Cord(path));
  return status;
}

std::string Quoted(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  quoted.reserve(values.size());
  for (const std::string& v : values) quoted.push_back(absl::StrCat("'", v, "'"));
  return absl::StrJoin(quoted, ", ");
}

// "'a', 'b' or 'c'" (no comma before the last word), as in OpenAI's union
// messages.
std::string OneOf(const std::vector<std::string>& values) {
  if (values.size() < 2) return Quoted(values);
  std::vector<std::string> head(values.begin(), values.end() - 1);
  return absl::StrCat(Quoted(head), " or '", values.back(), "'");
}

// "'a' and 'b'" / "'a', 'b', and 'c'", as in OpenAI's enum messages.
std::string AllOf(const std::vector<std::string>& values) {
  if (values.size() < 2) return Quoted(values);
  if (values.size() == 2) {
    return absl::StrCat("'", values[0], "' and '", values[1], "'");
  }
  std::vector<std::string> head(values.begin(), values.end() - 1);
  return absl::StrCat(Quoted(head), ", and '", values.back(), "'");
}

}  // namespace

std::optional<std::string> JsonErrorParam(const absl::Status& status) {
  auto payload = status.GetPayload(kJsonErrorParamUrl);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

namespace json_internal {

std::string JoinPath(const std::string& prefix, absl::string_view key) {
  if (prefix.empty()) return std::string(key);
  return absl::StrCat(prefix, ".", key);
}

std::string IndexPath(const std::string& prefix, size_t index) {
  return absl::StrCat(prefix, "[", index, "]");
}

absl::Status UnrecognizedArgument(const std::string& path) {
  return WithParam(
      absl::InvalidArgumentError(absl::StrCat("Unrecognized request argument supplied: ", path)),
      path);
}

absl::Status MissingParameter(const std::string& path) {
  return WithParam(
      absl::InvalidArgumentError(absl::StrCat("Missing required parameter: '", path, "'.")), path);
}

absl::Status InvalidType(const std::string& path, absl::string_view expected) {
  return WithParam(absl::InvalidArgumentError(
                       absl::StrCat("Invalid type for '", path, "': expected ", expected, ".")),
                   path);
}

absl::Status InvalidUnionType(const std::string& path, const std::vector<std::string>& supported) {
  return InvalidType(path, absl::StrCat("one of ", OneOf(supported)));
}

absl::Status InvalidValue(const std::string& path, absl::string_view value,
                          const std::vector<std::string>& supported) {
  return WithParam(
      absl::InvalidArgumentError(absl::StrCat("Invalid value: '", value,
                                              "'. Supported values are: ", AllOf(supported), ".")),
      path);
}

}  // namespace json_internal
}  // namespace assistd::gateway
