#include "services/orchestrator/model/openai_wire.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/ids.h"
#include "common/status_macros.h"

namespace assistd::model {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxQuotedBody = 300;

// Invalid UTF-8 would make dump() throw; replace it instead.
std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json ParseOrDiscarded(absl::string_view text) {
  return Json::parse(text.begin(), text.end(), nullptr, false);
}

const char* RoleName(ChatMessage::Role role) {
  switch (role) {
    case ChatMessage::Role::kSystem:
      return "system";
    case ChatMessage::Role::kUser:
      return "user";
    case ChatMessage::Role::kAssistant:
      return "assistant";
    case ChatMessage::Role::kTool:
      return "tool";
  }
  return "user";
}

Json MessageJson(const ChatMessage& message) {
  Json out = {{"role", RoleName(message.role)}};
  if (message.role == ChatMessage::Role::kAssistant &&
      !message.tool_calls.empty()) {
    // OpenAI's own shape: content null when the turn is only tool calls.
    out["content"] =
        message.content.empty() ? Json(nullptr) : Json(message.content);
    Json calls = Json::array();
    for (const ToolCall& call : message.tool_calls) {
      calls.push_back(
          {{"id", call.id},
           {"type", "function"},
           {"function",
            {{"name", call.name},
             {"arguments", call.arguments.empty() ? "{}" : call.arguments}}}});
    }
    out["tool_calls"] = std::move(calls);
    return out;
  }
  out["content"] = message.content;
  if (message.role == ChatMessage::Role::kTool) {
    out["tool_call_id"] = message.tool_call_id;
  }
  return out;
}

absl::StatusOr<Json> ToolJson(const ToolSchema& tool) {
  Json parameters = {{"type", "object"}, {"properties", Json::object()}};
  if (!tool.parameters_json.empty()) {
    parameters = ParseOrDiscarded(tool.parameters_json);
    if (!parameters.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tools: the parameters of function '", tool.name,
                       "' are not a JSON object"));
    }
  }
  Json function = {{"name", tool.name}, {"parameters", std::move(parameters)}};
  if (!tool.description.empty()) function["description"] = tool.description;
  if (tool.strict) function["strict"] = true;
  return Json{{"type", "function"}, {"function", std::move(function)}};
}

absl::StatusOr<Json> ToolChoiceJson(absl::string_view choice) {
  if (choice.empty()) return Json("auto");
  if (choice == "auto" || choice == "none" || choice == "required") {
    return Json(std::string(choice));
  }
  if (absl::ConsumePrefix(&choice, "function:") && !choice.empty()) {
    return Json{{"type", "function"},
                {"function", {{"name", std::string(choice)}}}};
  }
  return absl::InvalidArgumentError(
      absl::StrCat("tool_choice: unknown value \"", choice, "\""));
}

// nullopt: send nothing.
absl::StatusOr<std::optional<Json>> ResponseFormatJson(
    absl::string_view format) {
  if (format.empty() || format == "text") return std::nullopt;
  if (format == "json_object") return Json{{"type", "json_object"}};
  Json schema = ParseOrDiscarded(format);
  if (!schema.is_object()) {
    return absl::InvalidArgumentError(
        "response_format: expected \"text\", \"json_object\" or a json_schema "
        "object");
  }
  return Json{{"type", "json_schema"}, {"json_schema", std::move(schema)}};
}

absl::StatusOr<Json> BuildBody(const ChatRequest& request,
                               absl::string_view upstream_model, bool stream) {
  Json body = {{"model", std::string(upstream_model)}, {"stream", stream}};
  Json messages = Json::array();
  for (const ChatMessage& message : request.messages) {
    messages.push_back(MessageJson(message));
  }
  body["messages"] = std::move(messages);
  if (stream) body["stream_options"] = {{"include_usage", true}};
  if (!request.tools.empty()) {
    Json tools = Json::array();
    for (const ToolSchema& tool : request.tools) {
      ASSIGN_OR_RETURN(Json json, ToolJson(tool));
      tools.push_back(std::move(json));
    }
    body["tools"] = std::move(tools);
    ASSIGN_OR_RETURN(body["tool_choice"], ToolChoiceJson(request.tool_choice));
    body["parallel_tool_calls"] = request.parallel_tool_calls;
  }
  if (request.temperature) body["temperature"] = *request.temperature;
  if (request.top_p) body["top_p"] = *request.top_p;
  if (request.max_completion_tokens) {
    body["max_tokens"] = *request.max_completion_tokens;
  }
  ASSIGN_OR_RETURN(std::optional<Json> format,
                   ResponseFormatJson(request.response_format));
  if (format) body["response_format"] = *std::move(format);
  return body;
}

std::string StringOr(const Json& object, const char* key,
                     absl::string_view fallback = "") {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::string(fallback);
  return it->get<std::string>();
}

// Arguments arrive as a string (OpenAI) or, from some servers, as an object.
std::string ArgumentsText(const Json& function) {
  const auto it = function.find("arguments");
  if (it == function.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return Dump(*it);
}

std::optional<TokenUsage> ReadUsage(const Json& doc) {
  const auto it = doc.find("usage");
  if (it == doc.end() || !it->is_object()) return std::nullopt;
  TokenUsage usage;
  const auto prompt = it->find("prompt_tokens");
  const auto completion = it->find("completion_tokens");
  if (prompt != it->end() && prompt->is_number_integer()) {
    usage.prompt_tokens = prompt->get<int64_t>();
  }
  if (completion != it->end() && completion->is_number_integer()) {
    usage.completion_tokens = completion->get<int64_t>();
  }
  return usage;
}

// An error object inside a 200 answer (vLLM streams one when generation
// fails part-way): its message, or nullopt.
std::optional<std::string> StreamedError(const Json& doc) {
  const auto error = doc.find("error");
  if (error != doc.end() && !error->is_null()) {
    return ServerErrorMessage(Dump(doc));
  }
  if (StringOr(doc, "object") == "error") return StringOr(doc, "message");
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::string> BuildChatCompletionBody(
    const ChatRequest& request, absl::string_view upstream_model, bool stream) {
  ASSIGN_OR_RETURN(Json body, BuildBody(request, upstream_model, stream));
  return Dump(body);
}

int64_t EstimateTokens(size_t chars) {
  return static_cast<int64_t>((chars + 3) / 4);
}

int64_t EstimatePromptTokens(const ChatRequest& request) {
  size_t chars = 0;
  for (const ChatMessage& message : request.messages) {
    chars += message.content.size() + 4;  // role and framing
    for (const ToolCall& call : message.tool_calls) {
      chars += call.name.size() + call.arguments.size();
    }
  }
  for (const ToolSchema& tool : request.tools) {
    chars += tool.name.size() + tool.description.size() +
             tool.parameters_json.size();
  }
  return EstimateTokens(chars);
}

std::string ServerErrorMessage(absl::string_view body) {
  const Json doc = ParseOrDiscarded(body);
  if (doc.is_object()) {
    const auto error = doc.find("error");
    if (error != doc.end() && error->is_object()) {
      const std::string message = StringOr(*error, "message");
      if (!message.empty()) return message;
    }
    if (error != doc.end() && error->is_string()) {
      return error->get<std::string>();
    }
    for (const char* key : {"message", "detail"}) {
      const auto it = doc.find(key);
      if (it != doc.end() && it->is_string()) return it->get<std::string>();
      if (it != doc.end() && !it->is_null()) return Dump(*it);
    }
  }
  if (absl::StripAsciiWhitespace(body).empty()) return "(empty body)";
  return std::string(body.substr(0, kMaxQuotedBody));
}

absl::Status ChatAnswerAssembler::OnChunk(absl::string_view data) {
  if (absl::StripAsciiWhitespace(data) == "[DONE]") {
    done_ = true;
    return absl::OkStatus();
  }
  const Json doc = ParseOrDiscarded(data);
  if (!doc.is_object()) {
    return absl::UnavailableError(
        absl::StrCat("model server streamed a chunk that is not JSON: ",
                     data.substr(0, kMaxQuotedBody)));
  }
  if (std::optional<std::string> error = StreamedError(doc)) {
    return absl::UnavailableError(
        absl::StrCat("model server failed mid-answer: ", *error));
  }
  if (std::optional<TokenUsage> usage = ReadUsage(doc)) usage_ = usage;
  const auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array() || choices->empty()) {
    return absl::OkStatus();  // e.g. the usage-only final chunk
  }
  const Json& choice = (*choices)[0];
  if (!choice.is_object()) return absl::OkStatus();
  const auto delta = choice.find("delta");
  if (delta != choice.end() && delta->is_object()) {
    RETURN_IF_ERROR(OnText(StringOr(*delta, "content")));
    const auto calls = delta->find("tool_calls");
    if (calls != delta->end() && calls->is_array()) {
      for (const Json& call : *calls) {
        if (!call.is_object()) continue;
        std::optional<int64_t> index;
        const auto it = call.find("index");
        if (it != call.end() && it->is_number_integer()) {
          index = it->get<int64_t>();
        }
        const auto function = call.find("function");
        const Json empty = Json::object();
        const Json& fn = (function != call.end() && function->is_object())
                             ? *function
                             : empty;
        RETURN_IF_ERROR(OnToolDelta(index, StringOr(call, "id"),
                                    StringOr(fn, "name"), ArgumentsText(fn)));
      }
    }
  }
  SetFinishReason(StringOr(choice, "finish_reason"));
  return absl::OkStatus();
}

absl::Status ChatAnswerAssembler::OnCompletion(absl::string_view json) {
  const Json doc = ParseOrDiscarded(json);
  if (!doc.is_object()) {
    return absl::UnavailableError(
        absl::StrCat("model server answered with something that is not JSON: ",
                     json.substr(0, kMaxQuotedBody)));
  }
  if (std::optional<std::string> error = StreamedError(doc)) {
    return absl::UnavailableError(
        absl::StrCat("model server failed: ", *error));
  }
  usage_ = ReadUsage(doc);
  const auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    return absl::UnavailableError("model server answered without choices");
  }
  const Json& choice = (*choices)[0];
  const auto message = choice.find("message");
  if (message != choice.end() && message->is_object()) {
    RETURN_IF_ERROR(OnText(StringOr(*message, "content")));
    const auto calls = message->find("tool_calls");
    if (calls != message->end() && calls->is_array()) {
      int64_t position = 0;
      for (const Json& call : *calls) {
        if (!call.is_object()) continue;
        const auto function = call.find("function");
        if (function == call.end() || !function->is_object()) continue;
        RETURN_IF_ERROR(OnToolDelta(position++, StringOr(call, "id"),
                                    StringOr(*function, "name"),
                                    ArgumentsText(*function)));
      }
    }
  }
  SetFinishReason(StringOr(choice, "finish_reason", "stop"));
  done_ = true;
  return absl::OkStatus();
}

absl::Status ChatAnswerAssembler::OnText(absl::string_view text) {
  if (text.empty()) return absl::OkStatus();
  text_.append(text.data(), text.size());
  emitted_ = true;
  if (observer_ != nullptr && !observer_->OnText(text)) {
    return absl::CancelledError("the stream observer stopped the answer");
  }
  return absl::OkStatus();
}

int ChatAnswerAssembler::CallIndex(std::optional<int64_t> server_index,
                                   absl::string_view id) {
  if (!server_index) {
    // No index: a new id starts a new call, anything else continues the last.
    if (calls_.empty() || (!id.empty() && !calls_.back().call.id.empty() &&
                           calls_.back().call.id != id)) {
      calls_.emplace_back();
    }
    return static_cast<int>(calls_.size()) - 1;
  }
  const auto [it, inserted] =
      index_of_.emplace(*server_index, static_cast<int>(calls_.size()));
  if (inserted) calls_.emplace_back();
  return it->second;
}

absl::Status ChatAnswerAssembler::OnToolDelta(
    std::optional<int64_t> server_index, absl::string_view id,
    absl::string_view name, absl::string_view arguments) {
  const int index = CallIndex(server_index, id);
  PendingCall& pending = calls_[index];
  if (pending.call.id.empty() && !id.empty()) pending.call.id = std::string(id);
  if (pending.call.name.empty() && !name.empty()) {
    pending.call.name = std::string(name);
  }
  pending.call.arguments.append(arguments.data(), arguments.size());
  if (!pending.announced) {
    pending.unannounced.append(arguments.data(), arguments.size());
    if (pending.call.name.empty()) return absl::OkStatus();  // wait for it
    if (pending.call.id.empty()) pending.call.id = NewId(IdKind::kToolCall);
    pending.announced = true;
    arguments = pending.unannounced;
    id = pending.call.id;
    name = pending.call.name;
  } else {
    id = name = "";
    if (arguments.empty()) return absl::OkStatus();
  }
  emitted_ = true;
  const bool keep_going =
      observer_ == nullptr ||
      observer_->OnToolCallDelta(index, id, name, arguments);
  if (!keep_going) {
    return absl::CancelledError("the stream observer stopped the answer");
  }
  return absl::OkStatus();
}

void ChatAnswerAssembler::SetFinishReason(absl::string_view reason) {
  if (reason.empty()) return;
  if (reason == "length") {
    finish_reason_ = FinishReason::kLength;
  } else if (reason == "tool_calls" || reason == "function_call") {
    finish_reason_ = FinishReason::kToolCalls;
  } else if (reason == "content_filter") {
    finish_reason_ = FinishReason::kContentFilter;
  } else {
    finish_reason_ = FinishReason::kStop;
  }
}

ChatResult ChatAnswerAssembler::Finish(const ChatRequest& request) const {
  ChatResult result;
  result.text = text_;
  size_t completion_chars = text_.size();
  for (const PendingCall& pending : calls_) {
    ToolCall call = pending.call;
    if (call.id.empty()) call.id = NewId(IdKind::kToolCall);
    if (absl::StripAsciiWhitespace(call.arguments).empty()) {
      call.arguments = "{}";
    }
    completion_chars += call.name.size() + call.arguments.size();
    result.tool_calls.push_back(std::move(call));
  }
  result.finish_reason = finish_reason_.value_or(FinishReason::kStop);
  // Some servers (llama.cpp) say "stop" after tool calls.
  if (!result.tool_calls.empty() &&
      result.finish_reason == FinishReason::kStop) {
    result.finish_reason = FinishReason::kToolCalls;
  }
  if (usage_) {
    result.usage = *usage_;
  } else {
    result.usage.prompt_tokens = EstimatePromptTokens(request);
    result.usage.completion_tokens = EstimateTokens(completion_chars);
  }
  return result;
}

}  // namespace assistd::model
