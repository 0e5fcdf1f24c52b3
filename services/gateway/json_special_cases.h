#ifndef ASSISTD_SERVICES_GATEWAY_JSON_SPECIAL_CASES_H_
#define ASSISTD_SERVICES_GATEWAY_JSON_SPECIAL_CASES_H_

// The table behind json_mapping.h: what the .proto comments document about
// individual fields and messages, in one place. Everything not listed here
// follows the generic rules of common.proto ("JSON MAPPING").
// Internal to services/gateway.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/proto_json_values.h"
#include "google/protobuf/descriptor.h"

namespace assistd::gateway::json_internal {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::OneofDescriptor;

// Rule 8: "assistd extension" fields of response objects; ToJson drops them.
bool IsExtension(const FieldDescriptor* field);

// Ids that travel in the URL path (e.g. CreateRunRequest.thread_id): FromJson
// rejects them as body keys; the HTTP layer sets them after parsing.
bool IsPathParam(const FieldDescriptor* field);

// Body keys that select the RPC rather than fill the request (`stream` on
// run creation and tool-output submission): accepted (boolean or null) and
// ignored by FromJson.
bool IsTransportKey(const Descriptor* request, absl::string_view key);

// What ToJson writes for an unset optional scalar or singular message field.
enum class Unset {
  kNull,     // "unset = null"
  kOmit,     // "unset = key omitted"
  kDefault,  // always present: the empty message's JSON (e.g. file_counts)
};
Unset WhenUnset(const FieldDescriptor* field);

// Repeated fields documented "empty = key omitted".
bool OmitWhenEmpty(const FieldDescriptor* field);

// Rule 6: `*List` message with one repeated field = a bare JSON array.
bool IsListWrapper(const Descriptor* message);
// A message whose only field is a map (Metadata, Attributes) = a JSON object.
bool IsMapWrapper(const Descriptor* message);
// List*Response = the list envelope {"object": "list", data, first_id, ...}.
bool IsListResponse(const Descriptor* message);

// How a real oneof appears in JSON.
enum class OneofStyle {
  kTagged,      // rule 5: {"type": member, member: payload}
  kBareKey,     // the member's value under the oneof's name, typed by JSON
                // kind (MessageCreate.content, search query, filter value)
  kWholeValue,  // the whole message is the member's value (AttributeValue,
                // ToolChoice, Filter, RunEvent)
};
OneofStyle StyleOf(const OneofDescriptor* oneof);
// The first oneof of `message` with `style`, or nullptr.
const OneofDescriptor* FindOneof(const Descriptor* message, OneofStyle style);

// `<key>_json` string fields (rule 7) are written under `<key>`.
bool IsEmbeddedJson(const FieldDescriptor* field);
std::string JsonKey(const FieldDescriptor* field);

// Rule 4 ("requires_action" for RUN_STATUS_REQUIRES_ACTION) is
// EnumValueName, common/proto_json_values.h.
// nullptr if `text` names no value (or names *_UNSPECIFIED).
const EnumValueDescriptor* EnumValueFromJson(const EnumDescriptor* type, absl::string_view text);
// JSON strings of every value except *_UNSPECIFIED, in declaration order.
std::vector<std::string> EnumJsonValues(const EnumDescriptor* type);

// Table entries (and message names the mapping code special-cases) that
// name nothing in the generated descriptor pool: a typo, or a proto field
// renamed since. Tests expect none.
std::vector<std::string> UnresolvedTableEntries();

}  // namespace assistd::gateway::json_internal

#endif  // ASSISTD_SERVICES_GATEWAY_JSON_SPECIAL_CASES_H_
