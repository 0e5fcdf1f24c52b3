#ifndef ASSISTD_SERVICES_GATEWAY_JSON_MAPPING_H_
#define ASSISTD_SERVICES_GATEWAY_JSON_MAPPING_H_

// OpenAI JSON <-> assistd proto messages, by reflection, following the
// mapping rules in proto/assistd/v1/common.proto ("JSON MAPPING", rules
// 1-8): snake_case keys as is, `object` constants, int64 Unix seconds,
// null vs omitted for unset optional fields, lowercase enum strings,
// `{"type": x, x: {...}}` oneof unions, `*List` wrappers as bare arrays,
// `*_json` fields embedded as JSON values, assistd extensions dropped.
// Unions that are not discriminated by `type` (string-or-array `content`,
// `tool_choice`, `response_format`, search `filters`, `query`) follow what
// the field's comment in the .proto documents. No gRPC, no HTTP.

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "nlohmann/json.hpp"

namespace assistd::gateway {

// The JSON OpenAI sends for `message` (a response object, list or event
// payload). Never fails for a valid message.
nlohmann::json ToJson(const google::protobuf::Message& message);

// Fills `message` (a request message) from a request body or query.
// InvalidArgument naming the JSON path of the offending key in OpenAI's
// wording, e.g. "Invalid type for 'tools[0].type': expected one of
// 'code_interpreter', 'file_search' or 'function'." or "Unrecognized
// request argument supplied: foo"; `prefix` is prepended to paths.
absl::Status FromJson(const nlohmann::json& json, google::protobuf::Message* message,
                      const std::string& prefix = "");

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_JSON_MAPPING_H_
