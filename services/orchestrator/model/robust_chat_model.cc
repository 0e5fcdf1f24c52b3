#include "services/orchestrator/model/robust_chat_model.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "services/orchestrator/model/json_schema_validator.h"
#include "services/orchestrator/model/text_tool_call_filter.h"
#include "services/orchestrator/model/tool_call_repair.h"

namespace assistd::model {
namespace {

// Passes text through the filter to `out`; swallows tool-call deltas (they
// are sent once validated).
class HoldingObserver final : public ChatStreamObserver {
 public:
  // `out` is borrowed and may be null.
  HoldingObserver(ChatStreamObserver* out, bool allow_bare_json)
      : out_(out), filter_(allow_bare_json) {}

  bool OnText(absl::string_view fragment) override {
    return Show(filter_.Feed(fragment));
  }
  bool OnToolCallDelta(int, absl::string_view, absl::string_view,
                       absl::string_view) override {
    return true;
  }

  bool Show(absl::string_view text) {
    if (text.empty()) return true;
    absl::StrAppend(&shown_, text);
    return out_ == nullptr || out_->OnText(text);
  }
  const TextToolCallFilter& filter() const { return filter_; }
  const std::string& shown() const { return shown_; }

 private:
  ChatStreamObserver* const out_;
  TextToolCallFilter filter_;
  std::string shown_;
};

bool UsesTools(const ChatRequest& request) {
  return !request.tools.empty() && request.tool_choice != "none";
}

bool WantsPlainText(const ChatRequest& request) {
  return request.response_format.empty() || request.response_format == "text";
}

absl::Status ObserverStopped() {
  return absl::CancelledError("the stream observer stopped the answer");
}

// "" when `call` is fine; repairs its arguments in place.
std::string CheckCall(const std::map<std::string, const ToolSchema*>& tools,
                      ToolCall& call, bool* arguments_parse) {
  absl::StatusOr<std::string> repaired = RepairToolArguments(call.arguments);
  *arguments_parse = repaired.ok();
  if (repaired.ok()) call.arguments = *std::move(repaired);
  const auto tool = tools.find(call.name);
  if (tool == tools.end()) {
    std::vector<std::string> names;
    for (const auto& [name, schema] : tools) names.push_back(name);
    return absl::StrCat("unknown function '", call.name,
                        "' (available: ", absl::StrJoin(names, ", "), ")");
  }
  const absl::Status valid =
      repaired.ok() ? ValidateJsonAgainstSchema(call.arguments,
                                                tool->second->parameters_json)
                    : repaired.status();
  if (valid.ok()) return "";
  return absl::StrCat("function '", call.name, "': ", valid.message());
}

std::string ToolMessageFor(const ToolCall& call, const std::string& error) {
  if (error.empty()) {
    return "Not run, because another call in this turn was invalid. Make "
           "this call again together with the corrected one.";
  }
  return absl::StrCat("Error: ", error, ". Call ", call.name,
                      " again with arguments that match its parameters "
                      "schema.");
}

}  // namespace

// One answer of the inner model, resolved and checked.
struct RobustChatModel::Attempt {
  ChatResult result;       // text: what was shown; calls: ids set, repaired
  std::string raw_text;    // all the model wrote, markup included
  bool from_text = false;  // the calls were written as text
  bool all_parse = true;   // every call's arguments are (repaired) JSON
  std::vector<std::string> call_errors;  // per call; "" = fine
  std::string error;                     // non-empty: the answer cannot be used
};

absl::StatusOr<RobustChatModel::Attempt> RobustChatModel::Try(
    const ChatRequest& request, ChatStreamObserver* observer) const {
  const bool bare_json = WantsPlainText(request);
  HoldingObserver holder(observer, bare_json);
  ASSIGN_OR_RETURN(ChatResult result, inner_->Complete(request, &holder));
  Attempt attempt;
  attempt.raw_text = holder.filter().all();
  const absl::string_view held = holder.filter().held();
  std::optional<std::string> to_show(held);
  if (result.tool_calls.empty() && !held.empty()) {
    absl::StatusOr<std::optional<TextToolCalls>> found =
        ExtractTextToolCalls(held, bare_json);
    if (!found.ok()) {
      attempt.error = std::string(found.status().message());
      to_show.reset();  // unreadable markup is not shown as text either
    } else if (found->has_value()) {
      result.tool_calls = std::move((*found)->calls);
      attempt.from_text = true;
      to_show = std::move((*found)->text);
      if (absl::StripAsciiWhitespace(*to_show).empty()) to_show.reset();
    }
  }
  if (to_show && !holder.Show(*to_show)) return ObserverStopped();
  result.text = holder.shown();

  std::map<std::string, const ToolSchema*> tools;
  for (const ToolSchema& tool : request.tools) tools[tool.name] = &tool;
  std::vector<std::string> problems;
  for (ToolCall& call : result.tool_calls) {
    if (call.id.empty()) call.id = NewId(IdKind::kToolCall);
    bool parses = true;
    attempt.call_errors.push_back(CheckCall(tools, call, &parses));
    attempt.all_parse = attempt.all_parse && parses;
    if (!attempt.call_errors.back().empty()) {
      problems.push_back(attempt.call_errors.back());
    }
  }
  if (attempt.error.empty()) attempt.error = absl::StrJoin(problems, "; ");
  attempt.result = std::move(result);
  return attempt;
}

namespace {

// The conversation plus the bad answer and what was wrong with it. Calls
// whose arguments parse go back as real tool calls answered by tool
// messages (what chat templates expect); anything else goes back as the
// model's own text and a user message, so no template has to render
// malformed arguments.
ChatRequest Correction(const ChatRequest& request, const ChatResult& result,
                       const std::string& raw_text, bool native,
                       const std::vector<std::string>& call_errors,
                       const std::string& error) {
  ChatRequest again = request;
  ChatMessage assistant;
  assistant.role = ChatMessage::Role::kAssistant;
  if (native) {
    assistant.content = result.text;
    assistant.tool_calls = result.tool_calls;
    again.messages.push_back(std::move(assistant));
    for (size_t i = 0; i < result.tool_calls.size(); ++i) {
      ChatMessage tool;
      tool.role = ChatMessage::Role::kTool;
      tool.tool_call_id = result.tool_calls[i].id;
      tool.content = ToolMessageFor(result.tool_calls[i], call_errors[i]);
      again.messages.push_back(std::move(tool));
    }
    return again;
  }
  assistant.content = raw_text;
  for (const ToolCall& call : result.tool_calls) {
    if (raw_text.find(call.name) != std::string::npos) continue;
    absl::StrAppend(&assistant.content, assistant.content.empty() ? "" : "\n",
                    call.name, "(", call.arguments, ")");
  }
  again.messages.push_back(std::move(assistant));
  ChatMessage user;
  user.role = ChatMessage::Role::kUser;
  user.content = absl::StrCat(
      "Your tool call could not be used: ", error,
      ". Call the tool again; its arguments must be a JSON object that "
      "matches the function's parameters schema.");
  again.messages.push_back(std::move(user));
  return again;
}

// Sends the validated calls to the observer, one whole delta each.
absl::StatusOr<ChatResult> Deliver(ChatResult result,
                                   ChatStreamObserver* observer) {
  for (size_t i = 0; i < result.tool_calls.size(); ++i) {
    const ToolCall& call = result.tool_calls[i];
    if (observer != nullptr &&
        !observer->OnToolCallDelta(static_cast<int>(i), call.id, call.name,
                                   call.arguments)) {
      return ObserverStopped();
    }
  }
  if (!result.tool_calls.empty() &&
      result.finish_reason == FinishReason::kStop) {
    result.finish_reason = FinishReason::kToolCalls;
  }
  return result;
}

}  // namespace

absl::StatusOr<ChatResult> RobustChatModel::Complete(
    const ChatRequest& request, ChatStreamObserver* observer) {
  if (!UsesTools(request)) return inner_->Complete(request, observer);
  const absl::Time start = absl::Now();
  ASSIGN_OR_RETURN(Attempt first, Try(request, observer));
  if (first.error.empty()) return Deliver(std::move(first.result), observer);

  const bool native =
      !first.from_text && first.all_parse && !first.result.tool_calls.empty();
  ChatRequest again = Correction(request, first.result, first.raw_text, native,
                                 first.call_errors, first.error);
  again.timeout = request.timeout - (absl::Now() - start);
  if (again.timeout <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(absl::StrCat(
        "no time left to re-ask the model after an invalid tool call: ",
        first.error));
  }
  ASSIGN_OR_RETURN(Attempt second, Try(again, observer));
  if (!second.error.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "model made an invalid tool call after one retry: ", second.error));
  }
  ChatResult result = std::move(second.result);
  result.text = absl::StrCat(first.result.text, result.text);
  result.usage.prompt_tokens += first.result.usage.prompt_tokens;
  result.usage.completion_tokens += first.result.usage.completion_tokens;
  return Deliver(std::move(result), observer);
}

}  // namespace assistd::model
