#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_JSON_SCHEMA_VALIDATOR_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_JSON_SCHEMA_VALIDATOR_H_

// Checks tool-call arguments against a function's JSON Schema. Debian has
// no maintained C++ JSON Schema validator, so this covers the subset that
// function definitions use: type (one or a list; "integer" accepts 2.0),
// properties, required, enum, const, items, additionalProperties (false or
// a schema), nested to any depth. Other keywords (formats, bounds, $ref,
// anyOf, ...) are not checked: an argument is never rejected on a rule we
// do not understand.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace assistd::model {

// OK when `instance_json` satisfies `schema_json` ("" = any JSON).
// InvalidArgument when the instance is not JSON or breaks the schema; the
// message lists up to 5 problems, each naming its path ("$.items[2].name:
// expected string, got number"). InvalidArgument too when the schema
// itself is not a JSON object. Thread-safe (pure).
absl::Status ValidateJsonAgainstSchema(absl::string_view instance_json,
                                       absl::string_view schema_json);

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_JSON_SCHEMA_VALIDATOR_H_
