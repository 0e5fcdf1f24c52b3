#ifndef ASSISTD_CLI_PROTO_JSON_H_
#define ASSISTD_CLI_PROTO_JSON_H_

// assistd objects as JSON for `--json`, shaped like OpenAI's objects (the
// rules of common.proto), not like protobuf's canonical JSON mapping:
//  - field names as declared (snake_case); 64-bit integers are numbers;
//  - enums are lowercase values without the type prefix
//    (VECTOR_STORE_FILE_STATUS_COMPLETED -> "completed"); *_UNSPECIFIED and
//    unset optional or message fields are omitted;
//  - a message with one oneof gets "type": <member name> (rule 5);
//  - a message whose only field is repeated or a map is written as that
//    array or object (list wrappers, Metadata, Attributes), and an
//    AttributeValue as its bare value.

#include <google/protobuf/message.h>

#include <nlohmann/json.hpp>

namespace assistd::cli {

nlohmann::json ProtoToJson(const google::protobuf::Message& message);

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_PROTO_JSON_H_
