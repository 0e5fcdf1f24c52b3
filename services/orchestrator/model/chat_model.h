#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_CHAT_MODEL_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_CHAT_MODEL_H_

// The seam between the run loop and a language model: one chat-completion
// call with tools, streamed. Implementations: OpenAICompatibleChatModel
// (any /v1/chat/completions server, over common/http), the tool-call
// robustness wrapper, and the built-in no-weights model. No gRPC, no proto.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace assistd::model {

// A tool call as the model made it.
struct ToolCall {
  std::string id;         // "call_..." (the client makes one if the server sent none)
  std::string name;       // function name
  std::string arguments;  // JSON text of an object ("{}" when empty)
};

// One message of the conversation sent to the model.
struct ChatMessage {
  enum class Role { kSystem, kUser, kAssistant, kTool };
  Role role = Role::kUser;
  std::string content;                // text ("" allowed for an assistant turn with tool_calls)
  std::vector<ToolCall> tool_calls;   // kAssistant only: the calls it made
  std::string tool_call_id;           // kTool only: the call this answers
};

// A function the model may call.
struct ToolSchema {
  std::string name;
  std::string description;
  std::string parameters_json;  // a JSON Schema object; "" = no parameters
  bool strict = false;
};

struct ChatRequest {
  std::string model;  // the name the assistant/run asked for (routing key)
  std::vector<ChatMessage> messages;
  std::vector<ToolSchema> tools;
  // "auto" (default), "none", "required", or "function:<name>" to force one.
  std::string tool_choice = "auto";
  bool parallel_tool_calls = true;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> max_completion_tokens;
  // "" or "text" = plain text; "json_object"; or a json_schema response
  // format as its JSON text: {"name":..,"schema":{..},"strict":..}.
  std::string response_format;
  // Whole call; the client also stops when `cancelled` becomes true
  // (Cancelled), mid-stream, within about 50 ms.
  absl::Duration timeout = absl::Minutes(5);
  const std::atomic<bool>* cancelled = nullptr;  // borrowed, may be null
};

// Receives the answer as it streams, on the calling thread, in order.
// Returning false from either method stops the call (Cancelled).
class ChatStreamObserver {
 public:
  virtual ~ChatStreamObserver() = default;
  // A fragment of assistant text (never inside a tool call).
  virtual bool OnText(absl::string_view fragment) = 0;
  // A fragment of tool call `index` (0-based, in the order the model made
  // them). `id` and `name` are non-empty on the first fragment of a call
  // only; `arguments` are appended across fragments.
  virtual bool OnToolCallDelta(int index, absl::string_view id,
                               absl::string_view name,
                               absl::string_view arguments) = 0;
};

enum class FinishReason { kStop, kLength, kToolCalls, kContentFilter };

struct TokenUsage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

// The whole answer, consistent with what was streamed.
struct ChatResult {
  std::string text;
  std::vector<ToolCall> tool_calls;  // complete, arguments validated
  FinishReason finish_reason = FinishReason::kStop;
  TokenUsage usage;  // from the server, or estimated when it sent none
};

// Thread-safe: the run loop calls one model from many workers at once.
class ChatModel {
 public:
  virtual ~ChatModel() = default;
  // Errors: ResourceExhausted (429 after retries; the run fails with
  // rate_limit_exceeded), Unavailable (server down or 5xx after retries;
  // server_error), DeadlineExceeded, Cancelled, InvalidArgument (the server rejected the
  // request as malformed: 400/422), NotFound (unknown model name),
  // PermissionDenied/Unauthenticated (401/403).
  virtual absl::StatusOr<ChatResult> Complete(const ChatRequest& request,
                                              ChatStreamObserver* observer) = 0;
};

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_CHAT_MODEL_H_
