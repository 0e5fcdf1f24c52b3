#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_OPENAI_WIRE_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_OPENAI_WIRE_H_

// The JSON of OpenAI's /v1/chat/completions: the request body we send, and
// the answer (streamed chunks or one whole completion) we read back. Used by
// OpenAICompatibleChatModel; no I/O here.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/orchestrator/model/chat_model.h"

namespace assistd::model {

// The request body for `request`, asking for `upstream_model` (not
// request.model, which is our routing key). Choices made for compatibility
// with vLLM, llama.cpp's server and Ollama:
//  - the completion cap is sent as "max_tokens" (all three accept it; the
//    newer "max_completion_tokens" is unknown to older llama.cpp/Ollama);
//  - "tool_choice" and "parallel_tool_calls" are omitted without tools
//    (vLLM rejects tool_choice without tools);
//  - "strict" is sent only when true; "" or "text" response formats are
//    omitted;
//  - streaming asks for usage in the final chunk (stream_options).
// InvalidArgument (naming the field) for a tool whose parameters are not a
// JSON object, an unknown tool_choice, or a response_format that is neither
// "text", "json_object" nor a JSON object.
absl::StatusOr<std::string> BuildChatCompletionBody(
    const ChatRequest& request, absl::string_view upstream_model, bool stream);

// About 4 characters per token, rounded up.
int64_t EstimateTokens(size_t chars);
// The estimate for everything `request` sends (messages and tools).
int64_t EstimatePromptTokens(const ChatRequest& request);

// The server's own words for an error body: {"error":{"message":..}},
// {"error":".."}, {"message":..} (vLLM), {"detail":..} (FastAPI), or the
// start of the raw body.
std::string ServerErrorMessage(absl::string_view body);

// Turns the answer into observer calls and a ChatResult. Tool calls are
// numbered in order of first appearance; a call's first delta carries its
// id (one is made when the server sent none) and name. Not thread-safe.
class ChatAnswerAssembler {
 public:
  // `observer` is borrowed and may be null.
  explicit ChatAnswerAssembler(ChatStreamObserver* observer)
      : observer_(observer) {}

  // One SSE event's data: a chat.completion.chunk, or "[DONE]".
  // Cancelled when the observer returns false; Unavailable when the server
  // streams an error object or a chunk that is not JSON.
  absl::Status OnChunk(absl::string_view data);
  // A whole, non-streamed chat.completion. Same errors as OnChunk.
  absl::Status OnCompletion(absl::string_view json);

  // "[DONE]" or a finish_reason arrived: the answer is complete.
  bool complete() const { return done_ || finish_reason_.has_value(); }
  // Something was passed to the observer (a retry would repeat it).
  bool emitted() const { return emitted_; }

  // The assembled answer; usage is estimated when the server sent none.
  ChatResult Finish(const ChatRequest& request) const;

 private:
  struct PendingCall {
    ToolCall call;
    bool announced = false;   // the first delta went to the observer
    std::string unannounced;  // arguments that arrived before the name
  };

  absl::Status OnText(absl::string_view text);
  absl::Status OnToolDelta(std::optional<int64_t> server_index,
                           absl::string_view id, absl::string_view name,
                           absl::string_view arguments);
  int CallIndex(std::optional<int64_t> server_index, absl::string_view id);
  void SetFinishReason(absl::string_view reason);

  ChatStreamObserver* const observer_;
  std::string text_;
  std::vector<PendingCall> calls_;
  std::map<int64_t, int> index_of_;  // server index -> ours
  std::optional<FinishReason> finish_reason_;
  std::optional<TokenUsage> usage_;
  bool done_ = false;
  bool emitted_ = false;
};

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_OPENAI_WIRE_H_
