#include "services/orchestrator/prompt_builder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace assistd::orchestrator {

using model::ChatMessage;

namespace {

ChatMessage FromThreadMessage(const v1::Message& m) {
  ChatMessage out;
  out.role = m.role() == v1::MESSAGE_ROLE_ASSISTANT ? ChatMessage::Role::kAssistant
                                                    : ChatMessage::Role::kUser;
  out.content = MessageText(m);
  return out;
}

model::ToolCall FromStepCall(const v1::ToolCall& call) {
  model::ToolCall out;
  out.id = call.id();
  if (call.has_function()) {
    out.name = call.function().name();
    out.arguments = call.function().arguments();
  } else if (call.has_code_interpreter()) {
    out.name = "code_interpreter";
    out.arguments = call.code_interpreter().input();
  } else {
    out.name = "file_search";
    out.arguments = "{}";
  }
  return out;
}

// The run's own turns: assistant messages, tool calls and tool results.
std::vector<ChatMessage> RunTurns(const PromptInput& input) {
  std::vector<ChatMessage> turns;
  int file_searches = 0;
  for (const v1::RunStep& step : input.steps) {
    const v1::StepDetails& d = step.step_details();
    if (d.has_message_creation()) {
      auto it = input.run_messages.find(d.message_creation().message_id());
      if (it != input.run_messages.end()) turns.push_back(FromThreadMessage(it->second));
      continue;
    }
    if (!d.has_tool_calls() || d.tool_calls().tool_calls().empty()) continue;
    ChatMessage call_turn;
    call_turn.role = ChatMessage::Role::kAssistant;
    for (const v1::ToolCall& call : d.tool_calls().tool_calls()) {
      call_turn.tool_calls.push_back(FromStepCall(call));
    }
    turns.push_back(std::move(call_turn));
    for (const v1::ToolCall& call : d.tool_calls().tool_calls()) {
      ChatMessage result;
      result.role = ChatMessage::Role::kTool;
      result.tool_call_id = call.id();
      result.content = ToolOutputText(call, file_searches);
      if (call.has_file_search()) ++file_searches;
      turns.push_back(std::move(result));
    }
  }
  return turns;
}

}  // namespace

std::string MessageText(const v1::Message& m) {
  std::string text;
  for (const v1::MessageContent& part : m.content()) {
    if (!text.empty()) text += "\n";
    switch (part.part_case()) {
      case v1::MessageContent::kText:
        text += part.text().value();
        break;
      case v1::MessageContent::kImageFile:
        absl::StrAppend(&text, "[image file ", part.image_file().file_id(), "]");
        break;
      case v1::MessageContent::kImageUrl:
        absl::StrAppend(&text, "[image ", part.image_url().url(), "]");
        break;
      case v1::MessageContent::kRefusal:
        text += part.refusal();
        break;
      case v1::MessageContent::PART_NOT_SET:
        break;
    }
  }
  return text;
}

std::vector<model::Passage> FileSearchPassages(const v1::FileSearchToolCall& call,
                                               int ordinal) {
  std::vector<model::Passage> passages;
  for (const v1::FileSearchResult& r : call.results()) {
    model::Passage& p = passages.emplace_back();
    p.marker = model::MakeMarker(ordinal, static_cast<int>(passages.size()) - 1, r.file_name());
    p.file_id = r.file_id();
    p.file_name = r.file_name();
    p.page_number = r.page_number();
    p.score = r.score();
    for (const v1::TextContentItem& c : r.content()) p.text += c.text();
    for (const v1::PageBreak& b : r.page_breaks()) {
      p.page_breaks.emplace_back(b.offset(), b.page_number());
    }
  }
  return passages;
}

std::string ToolOutputText(const v1::ToolCall& call, int file_search_ordinal) {
  if (call.has_function()) return call.function().output();
  if (call.has_file_search()) {
    return model::FormatPassages(FileSearchPassages(call.file_search(), file_search_ordinal));
  }
  std::string text;
  for (const auto& out : call.code_interpreter().outputs()) {
    if (out.has_logs()) text += out.logs();
    if (out.has_image()) absl::StrAppend(&text, "[image ", out.image().file_id(), "]\n");
  }
  for (const auto& file : call.code_interpreter().files()) {
    absl::StrAppend(&text, "[wrote ", file.path(), "; link it as sandbox:", file.path(), "]\n");
  }
  return text;
}

int64_t EstimateTokens(const std::string& text) {
  return static_cast<int64_t>((text.size() + 3) / 4);
}

int64_t EstimateTokens(const std::vector<ChatMessage>& messages) {
  int64_t total = 0;
  for (const ChatMessage& m : messages) {
    total += 4 + EstimateTokens(m.content);
    for (const model::ToolCall& call : m.tool_calls) {
      total += 4 + EstimateTokens(call.name) + EstimateTokens(call.arguments);
    }
  }
  return total;
}

absl::StatusOr<std::vector<ChatMessage>> BuildPrompt(const PromptInput& input) {
  std::vector<ChatMessage> system;
  if (!input.instructions.empty()) {
    system.push_back({ChatMessage::Role::kSystem, input.instructions, {}, ""});
  }
  std::vector<ChatMessage> history;
  for (const v1::Message& m : input.history) history.push_back(FromThreadMessage(m));
  if (input.truncation.type() == v1::TRUNCATION_TYPE_LAST_MESSAGES &&
      history.size() > static_cast<size_t>(input.truncation.last_messages())) {
    history.erase(history.begin(), history.end() - input.truncation.last_messages());
  }
  const std::vector<ChatMessage> turns = RunTurns(input);
  const int64_t fixed = EstimateTokens(system) + EstimateTokens(turns);
  size_t first = 0;
  if (input.budget) {
    int64_t used = fixed + EstimateTokens(history);
    // Keep at least the newest message; drop the oldest while over budget.
    while (used > *input.budget && first + 1 < history.size()) {
      used -= EstimateTokens(std::vector<ChatMessage>{history[first]});
      ++first;
    }
    if (used > *input.budget) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the prompt needs about ", used, " tokens but only ", *input.budget,
          " are left under max_prompt_tokens"));
    }
  }
  std::vector<ChatMessage> prompt = std::move(system);
  prompt.insert(prompt.end(), history.begin() + first, history.end());
  prompt.insert(prompt.end(), turns.begin(), turns.end());
  return prompt;
}

}  // namespace assistd::orchestrator
