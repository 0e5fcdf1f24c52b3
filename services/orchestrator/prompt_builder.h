#ifndef ASSISTD_SERVICES_ORCHESTRATOR_PROMPT_BUILDER_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_PROMPT_BUILDER_H_

// Builds the model input of one turn: instructions, then the thread's
// messages (truncated), then what this run has done so far (its messages
// and tool calls with their outputs).

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "assistd/v1/runs.pb.h"
#include "assistd/v1/threads.pb.h"
#include "services/orchestrator/model/chat_model.h"
#include "services/orchestrator/model/passages.h"

namespace assistd::orchestrator {

struct PromptInput {
  std::string instructions;
  // The thread's messages that this run did not create, oldest first.
  std::vector<v1::Message> history;
  // This run's steps in order, and the messages its message_creation steps
  // point at.
  std::vector<v1::RunStep> steps;
  absl::flat_hash_map<std::string, v1::Message> run_messages;
  v1::TruncationStrategy truncation;
  // Tokens the prompt may use (max_prompt_tokens minus what earlier calls
  // of the run used); nullopt = no limit.
  std::optional<int64_t> budget;
};

// ResourceExhausted when even the instructions, the newest message and the
// run's own turns exceed `budget` (the run becomes incomplete with reason
// max_prompt_tokens). `auto` truncation drops the oldest messages until the
// prompt fits; `last_messages` keeps the newest N.
absl::StatusOr<std::vector<model::ChatMessage>> BuildPrompt(const PromptInput& input);

// About 4 characters per token plus a few per message: what most BPE
// tokenizers give on English text, within about 20%.
int64_t EstimateTokens(const std::vector<model::ChatMessage>& messages);
int64_t EstimateTokens(const std::string& text);

// The text the model sees for a message's content parts.
std::string MessageText(const v1::Message& message);

// The text the model sees as a tool call's result. `file_search_ordinal`:
// how many file_search calls of the run came before this one (it numbers
// the source markers).
std::string ToolOutputText(const v1::ToolCall& call, int file_search_ordinal);

// A file_search call's results as passages under their source markers
// "【ordinal:k†name】" (model/passages.h), content included.
std::vector<model::Passage> FileSearchPassages(const v1::FileSearchToolCall& call, int ordinal);

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_PROMPT_BUILDER_H_
