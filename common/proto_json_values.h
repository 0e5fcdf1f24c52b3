#ifndef ASSISTD_COMMON_PROTO_JSON_VALUES_H_
#define ASSISTD_COMMON_PROTO_JSON_VALUES_H_

// The JSON spelling of single proto field values, shared by the REST
// gateway's OpenAI mapping (services/gateway/json_mapping.cc) and
// assistctl's --json output (cli/proto_json.cc), which differ in how they
// assemble objects but not in how a number, enum or string is written.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <string>

#include "nlohmann/json.hpp"

namespace assistd {

// An enum value without its type's prefix, lowercase:
// RUN_STATUS_REQUIRES_ACTION (of RunStatus) -> "requires_action".
std::string EnumValueName(const google::protobuf::EnumValueDescriptor* value);

// A non-message value of `field` (element `index` when repeated, else -1):
// numbers and bools as themselves, enums by EnumValueName, bytes in
// base64, strings as they are. Null for a message field (the callers
// recurse in their own way).
nlohmann::json ScalarFieldToJson(const google::protobuf::Message& message,
                                 const google::protobuf::FieldDescriptor* field, int index);

}  // namespace assistd

#endif  // ASSISTD_COMMON_PROTO_JSON_VALUES_H_
