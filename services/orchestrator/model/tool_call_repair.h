#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_TOOL_CALL_REPAIR_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_TOOL_CALL_REPAIR_H_

// Safe repairs of small models' tool calls: arguments with the usual
// mistakes, and calls written as text when the server did not parse them.
// Nothing here guesses: text that is not clearly a call stays text, and
// arguments that need more than the repairs below are an error. Pure
// functions; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/orchestrator/model/chat_model.h"

namespace assistd::model {

// Returns `raw` as compact JSON text of an object, after these repairs
// only: blank -> "{}"; a ``` or ```json fence around it; trailing commas
// before "}" or "]"; a JSON string whose content is the object (arguments
// encoded twice). InvalidArgument (saying what is wrong) otherwise.
absl::StatusOr<std::string> RepairToolArguments(absl::string_view raw);

// Calls found in text, and the text around them.
struct TextToolCalls {
  std::string text;             // the text outside the markup
  std::vector<ToolCall> calls;  // ids empty; arguments as written (JSON)
};

// Recognises tool calls written as text:
//  - Hermes/Qwen: <tool_call>{"name":..,"arguments":{..}}</tool_call>,
//    one or more (a missing final close tag is accepted);
//  - Mistral: [TOOL_CALLS] [{"name":..,"arguments":{..}}, ...] (or one
//    object, or the newer "[TOOL_CALLS]name[ARGS]{..}");
//  - when `allow_bare_json`: the whole text (perhaps in a ```json fence)
//    is {"name":..,"arguments"|"parameters":..} or a list of them, with no
//    other keys than "id" and "type".
// "arguments" may be an object or a string. nullopt when there is no
// markup; InvalidArgument when markup is there but cannot be read.
absl::StatusOr<std::optional<TextToolCalls>> ExtractTextToolCalls(
    absl::string_view text, bool allow_bare_json);

// The markers that start a text tool call, for streaming hold-back.
inline constexpr absl::string_view kToolCallMarkers[] = {"<tool_call>",
                                                         "[TOOL_CALLS]"};

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_TOOL_CALL_REPAIR_H_
