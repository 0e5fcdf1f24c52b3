#include "services/orchestrator/model/tool_call_repair.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"

namespace assistd::model {
namespace {

using Json = nlohmann::json;

constexpr absl::string_view kHermesOpen = "<tool_call>";
constexpr absl::string_view kHermesClose = "</tool_call>";
constexpr absl::string_view kMistral = "[TOOL_CALLS]";
constexpr absl::string_view kMistralArgs = "[ARGS]";

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json Parse(absl::string_view text) {
  return Json::parse(text.begin(), text.end(), nullptr, false);
}

// "```json\n{..}\n```" -> "{..}" (the closing fence may be missing: the
// model may have stopped early); other text is returned trimmed.
absl::string_view StripFence(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  absl::string_view body = text;
  if (!absl::ConsumePrefix(&body, "```")) return text;
  absl::ConsumeSuffix(&body, "```");
  size_t info_end = 0;
  while (info_end < body.size() && absl::ascii_isalnum(body[info_end])) {
    ++info_end;
  }
  const absl::string_view info = body.substr(0, info_end);
  if (!info.empty() && !absl::EqualsIgnoreCase(info, "json")) return text;
  return absl::StripAsciiWhitespace(body.substr(info_end));
}

// Drops commas that directly precede "}" or "]" (whitespace between),
// outside strings.
std::string DropTrailingCommas(absl::string_view text) {
  std::string out;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == ',') {
      size_t j = i + 1;
      while (j < text.size() && absl::ascii_isspace(text[j])) ++j;
      if (j < text.size() && (text[j] == '}' || text[j] == ']')) continue;
    }
    out.push_back(c);
  }
  return out;
}

// Parses JSON with the safe repairs: fences and trailing commas.
Json LenientParse(absl::string_view text) {
  const absl::string_view inner = StripFence(text);
  Json json = Parse(inner);
  if (json.is_discarded()) json = Parse(DropTrailingCommas(inner));
  return json;
}

// {"name":..,"arguments"|"parameters":..} -> a call.
absl::StatusOr<ToolCall> CallFromJson(const Json& json, bool strict_keys) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError("a tool call is not a JSON object");
  }
  const auto name = json.find("name");
  if (name == json.end() || !name->is_string() ||
      name->get<std::string>().empty()) {
    return absl::InvalidArgumentError("a tool call has no \"name\"");
  }
  auto args = json.find("arguments");
  if (args == json.end()) args = json.find("parameters");
  if (strict_keys) {
    for (const auto& [key, value] : json.items()) {
      if (key != "name" && key != "arguments" && key != "parameters" &&
          key != "id" && key != "type") {
        return absl::InvalidArgumentError("not a tool call");
      }
    }
    if (args == json.end())
      return absl::InvalidArgumentError("not a tool call");
  }
  ToolCall call;
  call.name = name->get<std::string>();
  if (args == json.end() || args->is_null()) {
    call.arguments = "{}";
  } else {
    call.arguments = args->is_string() ? args->get<std::string>() : Dump(*args);
  }
  return call;
}

// One object or a list of them.
absl::StatusOr<std::vector<ToolCall>> CallsFromJson(const Json& json,
                                                    bool strict_keys) {
  std::vector<ToolCall> calls;
  if (json.is_array() && !json.empty()) {
    for (const Json& item : json) {
      ASSIGN_OR_RETURN(ToolCall call, CallFromJson(item, strict_keys));
      calls.push_back(std::move(call));
    }
    return calls;
  }
  ASSIGN_OR_RETURN(ToolCall call, CallFromJson(json, strict_keys));
  calls.push_back(std::move(call));
  return calls;
}

absl::StatusOr<TextToolCalls> ExtractHermes(absl::string_view text) {
  TextToolCalls out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find(kHermesOpen, pos);
    absl::StrAppend(&out.text, text.substr(pos, open - pos));
    if (open == absl::string_view::npos) break;
    const size_t body = open + kHermesOpen.size();
    size_t close = text.find(kHermesClose, body);
    const absl::string_view inner = text.substr(body, close - body);
    const Json json = LenientParse(inner);
    if (json.is_discarded()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a <tool_call> block is not valid JSON: ", inner.substr(0, 200)));
    }
    ASSIGN_OR_RETURN(std::vector<ToolCall> calls, CallsFromJson(json, false));
    for (ToolCall& call : calls) out.calls.push_back(std::move(call));
    if (close == absl::string_view::npos) break;
    pos = close + kHermesClose.size();
  }
  return out;
}

absl::StatusOr<TextToolCalls> ExtractMistral(absl::string_view text) {
  const size_t marker = text.find(kMistral);
  TextToolCalls out;
  out.text = std::string(text.substr(0, marker));
  const absl::string_view rest =
      absl::StripAsciiWhitespace(text.substr(marker + kMistral.size()));
  Json json = LenientParse(rest);
  if (json.is_discarded()) {
    const size_t args = rest.find(kMistralArgs);  // name[ARGS]{...}
    if (args == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "[TOOL_CALLS] is not followed by JSON: ", rest.substr(0, 200)));
    }
    const Json arguments =
        LenientParse(rest.substr(args + kMistralArgs.size()));
    if (arguments.is_discarded()) {
      return absl::InvalidArgumentError("[TOOL_CALLS] arguments are not JSON");
    }
    json = {
        {"name", std::string(absl::StripAsciiWhitespace(rest.substr(0, args)))},
        {"arguments", arguments}};
  }
  ASSIGN_OR_RETURN(out.calls, CallsFromJson(json, false));
  return out;
}

}  // namespace

absl::StatusOr<std::string> RepairToolArguments(absl::string_view raw) {
  if (absl::StripAsciiWhitespace(raw).empty()) return std::string("{}");
  Json json = LenientParse(raw);
  if (json.is_string()) json = LenientParse(json.get<std::string>());
  if (json.is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat("arguments are not valid JSON: ", raw.substr(0, 200)));
  }
  if (!json.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "arguments must be a JSON object, got: ", raw.substr(0, 200)));
  }
  return Dump(json);
}

absl::StatusOr<std::optional<TextToolCalls>> ExtractTextToolCalls(
    absl::string_view text, bool allow_bare_json) {
  if (absl::StrContains(text, kHermesOpen)) {
    ASSIGN_OR_RETURN(TextToolCalls calls, ExtractHermes(text));
    return std::optional<TextToolCalls>(std::move(calls));
  }
  if (absl::StrContains(text, kMistral)) {
    ASSIGN_OR_RETURN(TextToolCalls calls, ExtractMistral(text));
    return std::optional<TextToolCalls>(std::move(calls));
  }
  if (!allow_bare_json) return std::nullopt;
  const absl::string_view inner = StripFence(text);
  if (inner.empty() || (inner[0] != '{' && inner[0] != '['))
    return std::nullopt;
  const Json json = LenientParse(inner);
  if (json.is_discarded()) return std::nullopt;
  absl::StatusOr<std::vector<ToolCall>> calls = CallsFromJson(json, true);
  if (!calls.ok()) return std::nullopt;  // JSON, but not a call: plain text
  return std::optional<TextToolCalls>(TextToolCalls{"", *std::move(calls)});
}

}  // namespace assistd::model
