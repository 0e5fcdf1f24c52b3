#ifndef ASSISTD_SERVICES_GATEWAY_JSON_ERRORS_H_
#define ASSISTD_SERVICES_GATEWAY_JSON_ERRORS_H_

// The InvalidArgument statuses FromJson returns. The message is exactly
// OpenAI's wording (the HTTP layer copies it into `error.message`); the JSON
// path of the offending key (OpenAI's `error.param`, e.g. "tools[0].type")
// travels as a status payload under kJsonErrorParamUrl, read back with
// JsonErrorParam(). Messages:
//   Unrecognized request argument supplied: <path>
//   Missing required parameter: '<path>'.
//   Invalid type for '<path>': expected <what>.
//   Invalid type for '<path>': expected one of 'a', 'b' or 'c'.   (union type)
//   Invalid value: '<v>'. Supported values are: 'a', 'b', and 'c'.  (enum)

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace assistd::gateway {

// Type URL of the payload holding the offending JSON path.
inline constexpr absl::string_view kJsonErrorParamUrl =
    "type.googleapis.com/assistd.gateway.JsonErrorParam";

// The JSON path attached by FromJson, or nullopt (e.g. for statuses that did
// not come from FromJson).
std::optional<std::string> JsonErrorParam(const absl::Status& status);

namespace json_internal {

// "a.b" / "b" (empty prefix) and "a[3]".
std::string JoinPath(const std::string& prefix, absl::string_view key);
std::string IndexPath(const std::string& prefix, size_t index);

absl::Status UnrecognizedArgument(const std::string& path);
absl::Status MissingParameter(const std::string& path);
// `expected` is e.g. "a string", "an object".
absl::Status InvalidType(const std::string& path, absl::string_view expected);
// A union's `type` that names no member.
absl::Status InvalidUnionType(const std::string& path, const std::vector<std::string>& supported);
// An enum string that names no value.
absl::Status InvalidValue(const std::string& path, absl::string_view value,
                          const std::vector<std::string>& supported);

}  // namespace json_internal
}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_JSON_ERRORS_H_
