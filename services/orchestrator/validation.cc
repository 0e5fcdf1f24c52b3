#include "services/orchestrator/validation.h"

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/metadata.h"
#include "common/status_macros.h"

namespace assistd::orchestrator {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

std::string Path(absl::string_view field, absl::string_view child) {
  if (field.empty()) return std::string(child);
  return absl::StrCat(field, ".", child);
}

std::string Index(absl::string_view field, int i) { return absl::StrCat(field, "[", i, "]"); }

absl::Status MaxChars(absl::string_view field, const std::string& value, int max) {
  if (Utf8Length(value) > static_cast<size_t>(max)) {
    return Invalid(field, absl::StrCat("string too long; expected at most ", max,
                                       " characters, got ", Utf8Length(value)));
  }
  return absl::OkStatus();
}

// `json` must hold a JSON object.
absl::Status JsonObject(absl::string_view field, const std::string& json) {
  nlohmann::json value = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Invalid(field, "not valid JSON");
  if (!value.is_object()) return Invalid(field, "must be a JSON object");
  return absl::OkStatus();
}

absl::Status ValidateFunctionName(absl::string_view field, const std::string& name) {
  if (name.empty()) return Invalid(field, "required");
  if (name.size() > 64) return Invalid(field, "longer than 64 characters");
  for (char ch : name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    if (!ok) return Invalid(field, "must match ^[a-zA-Z0-9_-]{1,64}$");
  }
  return absl::OkStatus();
}

absl::Status ValidateTool(const v1::AssistantTool& tool, const std::string& field) {
  switch (tool.tool_case()) {
    case v1::AssistantTool::kCodeInterpreter:
      return absl::OkStatus();
    case v1::AssistantTool::kFileSearch: {
      const v1::FileSearchTool& fs = tool.file_search();
      const std::string f = Path(field, "file_search");
      if (fs.has_max_num_results() && (fs.max_num_results() < 1 || fs.max_num_results() > 50)) {
        return Invalid(Path(f, "max_num_results"), "must be between 1 and 50");
      }
      if (fs.has_ranking_options()) {
        const auto& ro = fs.ranking_options();
        if (ro.has_ranker() && ro.ranker() != "auto" && ro.ranker() != "default_2024_08_21") {
          return Invalid(Path(f, "ranking_options.ranker"),
                         "must be one of 'auto', 'default_2024_08_21'");
        }
        if (!(ro.score_threshold() >= 0 && ro.score_threshold() <= 1)) {
          return Invalid(Path(f, "ranking_options.score_threshold"), "must be between 0 and 1");
        }
      }
      return absl::OkStatus();
    }
    case v1::AssistantTool::kFunction: {
      const v1::FunctionTool& fn = tool.function();
      const std::string f = Path(field, "function");
      RETURN_IF_ERROR(ValidateFunctionName(Path(f, "name"), fn.name()));
      if (fn.has_description()) {
        RETURN_IF_ERROR(MaxChars(Path(f, "description"), fn.description(), 1024));
      }
      if (fn.has_parameters_json()) {
        RETURN_IF_ERROR(JsonObject(Path(f, "parameters"), fn.parameters_json()));
      }
      return absl::OkStatus();
    }
    case v1::AssistantTool::TOOL_NOT_SET:
      break;
  }
  return Invalid(Path(field, "type"),
                 "required; one of 'code_interpreter', 'file_search', 'function'");
}

absl::Status ValidateSampling(bool has_temperature, double temperature, bool has_top_p,
                              double top_p) {
  if (has_temperature && !(temperature >= 0 && temperature <= 2)) {
    return Invalid("temperature", "must be between 0 and 2");
  }
  if (has_top_p && !(top_p >= 0 && top_p <= 1)) return Invalid("top_p", "must be between 0 and 1");
  return absl::OkStatus();
}

absl::Status ValidateResponseFormat(const v1::ResponseFormat& format) {
  if (format.format_case() != v1::ResponseFormat::kJsonSchema) return absl::OkStatus();
  const auto& js = format.json_schema();
  RETURN_IF_ERROR(ValidateFunctionName("response_format.json_schema.name", js.name()));
  if (js.has_schema_json()) {
    RETURN_IF_ERROR(JsonObject("response_format.json_schema.schema", js.schema_json()));
  }
  return absl::OkStatus();
}

absl::Status ValidateReasoningEffort(bool has, const std::string& value) {
  if (!has) return absl::OkStatus();
  for (const char* ok : {"none", "minimal", "low", "medium", "high", "xhigh", "max"}) {
    if (value == ok) return absl::OkStatus();
  }
  return Invalid("reasoning_effort",
                 "must be one of 'none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'");
}

absl::Status ValidateContentPart(const v1::MessageContentInput& part, const std::string& field) {
  switch (part.part_case()) {
    case v1::MessageContentInput::kText:
      if (part.text().empty()) return Invalid(Path(field, "text"), "must not be empty");
      return MaxChars(Path(field, "text"), part.text(), kMaxMessageChars);
    case v1::MessageContentInput::kImageFile:
      return ValidateId(part.image_file().file_id(), IdKind::kFile,
                        Path(field, "image_file.file_id"));
    case v1::MessageContentInput::kImageUrl: {
      const std::string& url = part.image_url().url();
      if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0 &&
          url.rfind("data:image/", 0) != 0) {
        return Invalid(Path(field, "image_url.url"), "must be an http(s) or data:image URL");
      }
      return absl::OkStatus();
    }
    case v1::MessageContentInput::PART_NOT_SET:
      break;
  }
  return Invalid(Path(field, "type"), "required; one of 'text', 'image_file', 'image_url'");
}

absl::Status ValidateTokenLimit(absl::string_view field, bool has, int32_t value) {
  if (has && value < kMinTokenLimit) {
    return Invalid(field, absl::StrCat("must be at least ", kMinTokenLimit));
  }
  return absl::OkStatus();
}

absl::Status ValidateTruncation(const v1::TruncationStrategy& t) {
  if (t.type() == v1::TRUNCATION_TYPE_LAST_MESSAGES) {
    if (!t.has_last_messages() || t.last_messages() < 1) {
      return Invalid("truncation_strategy.last_messages",
                     "required and at least 1 when type is 'last_messages'");
    }
  } else if (t.has_last_messages()) {
    return Invalid("truncation_strategy.last_messages", "only allowed with type 'last_messages'");
  }
  return absl::OkStatus();
}

struct RunOverrides {
  const v1::TruncationStrategy* truncation;
  bool has_max_prompt;
  int32_t max_prompt;
  bool has_max_completion;
  int32_t max_completion;
};

absl::Status ValidateRunOverrides(const RunOverrides& o) {
  RETURN_IF_ERROR(ValidateTokenLimit("max_prompt_tokens", o.has_max_prompt, o.max_prompt));
  RETURN_IF_ERROR(
      ValidateTokenLimit("max_completion_tokens", o.has_max_completion, o.max_completion));
  return ValidateTruncation(*o.truncation);
}

}  // namespace

absl::Status ValidateToolChoice(const v1::ToolChoice& choice,
                                const google::protobuf::RepeatedPtrField<v1::AssistantTool>& tools) {
  if (choice.choice_case() != v1::ToolChoice::kTool) return absl::OkStatus();
  const v1::NamedToolChoice& named = choice.tool();
  for (const v1::AssistantTool& tool : tools) {
    if (named.has_function() && tool.has_function() &&
        tool.function().name() == named.function().name()) {
      return absl::OkStatus();
    }
    if (named.has_file_search() && tool.has_file_search()) return absl::OkStatus();
    if (named.has_code_interpreter() && tool.has_code_interpreter()) return absl::OkStatus();
  }
  return Invalid("tool_choice", "names a tool that is not in the run's tools");
}

absl::Status ValidateMetadataProto(const v1::Metadata& metadata, absl::string_view field) {
  std::map<std::string, std::string> m(metadata.entries().begin(), metadata.entries().end());
  return ValidateMetadata(m, field);
}

absl::Status ValidateTools(const google::protobuf::RepeatedPtrField<v1::AssistantTool>& tools,
                           absl::string_view field) {
  if (tools.size() > kMaxTools) {
    return Invalid(field, absl::StrCat("array too long; expected at most ", kMaxTools));
  }
  for (int i = 0; i < tools.size(); ++i) {
    RETURN_IF_ERROR(ValidateTool(tools[i], Index(field, i)));
    if (!tools[i].has_function()) continue;
    for (int j = 0; j < i; ++j) {
      if (tools[j].has_function() && tools[j].function().name() == tools[i].function().name()) {
        return Invalid(Path(Index(field, i), "function.name"),
                       absl::StrCat("duplicate function name '", tools[i].function().name(), "'"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateToolResources(const v1::ToolResources& resources, bool on_create,
                                   absl::string_view field) {
  const auto& ci = resources.code_interpreter().file_ids();
  if (ci.size() > kMaxCodeInterpreterFiles) {
    return Invalid(Path(field, "code_interpreter.file_ids"),
                   absl::StrCat("array too long; expected at most ", kMaxCodeInterpreterFiles));
  }
  for (int i = 0; i < ci.size(); ++i) {
    RETURN_IF_ERROR(
        ValidateId(ci[i], IdKind::kFile, Index(Path(field, "code_interpreter.file_ids"), i)));
  }
  const v1::FileSearchResources& fs = resources.file_search();
  const std::string fs_field = Path(field, "file_search");
  if (fs.vector_store_ids_size() > 1) {
    return Invalid(Path(fs_field, "vector_store_ids"), "array too long; expected at most 1");
  }
  for (const std::string& id : fs.vector_store_ids()) {
    RETURN_IF_ERROR(ValidateId(id, IdKind::kVectorStore, Path(fs_field, "vector_store_ids[0]")));
  }
  if (fs.vector_stores_size() > 0) {
    if (!on_create) {
      return Invalid(Path(fs_field, "vector_stores"), "only allowed when creating the object");
    }
    if (fs.vector_stores_size() > 1) {
      return Invalid(Path(fs_field, "vector_stores"), "array too long; expected at most 1");
    }
    if (fs.vector_store_ids_size() > 0) {
      return Invalid(fs_field, "give either vector_store_ids or vector_stores, not both");
    }
    const auto& vs = fs.vector_stores(0);
    for (int i = 0; i < vs.file_ids_size(); ++i) {
      RETURN_IF_ERROR(ValidateId(vs.file_ids(i), IdKind::kFile,
                                 Index(Path(fs_field, "vector_stores[0].file_ids"), i)));
    }
    RETURN_IF_ERROR(ValidateMetadataProto(vs.metadata(), Path(fs_field, "vector_stores[0].metadata")));
  }
  return absl::OkStatus();
}

absl::Status ValidateMessageCreate(const v1::MessageCreate& message, absl::string_view field) {
  if (message.role() != v1::MESSAGE_ROLE_USER && message.role() != v1::MESSAGE_ROLE_ASSISTANT) {
    return Invalid(Path(field, "role"), "required; one of 'user', 'assistant'");
  }
  switch (message.content_case()) {
    case v1::MessageCreate::kText:
      if (message.text().empty()) return Invalid(Path(field, "content"), "must not be empty");
      RETURN_IF_ERROR(MaxChars(Path(field, "content"), message.text(), kMaxMessageChars));
      break;
    case v1::MessageCreate::kParts: {
      const auto& parts = message.parts().parts();
      if (parts.empty()) return Invalid(Path(field, "content"), "array must not be empty");
      if (parts.size() > kMaxContentParts) {
        return Invalid(Path(field, "content"),
                       absl::StrCat("array too long; expected at most ", kMaxContentParts));
      }
      for (int i = 0; i < parts.size(); ++i) {
        RETURN_IF_ERROR(ValidateContentPart(parts[i], Index(Path(field, "content"), i)));
      }
      break;
    }
    case v1::MessageCreate::CONTENT_NOT_SET:
      return Invalid(Path(field, "content"), "required");
  }
  if (message.attachments_size() > kMaxAttachments) {
    return Invalid(Path(field, "attachments"),
                   absl::StrCat("array too long; expected at most ", kMaxAttachments));
  }
  for (int i = 0; i < message.attachments_size(); ++i) {
    const std::string f = Index(Path(field, "attachments"), i);
    RETURN_IF_ERROR(ValidateId(message.attachments(i).file_id(), IdKind::kFile,
                               Path(f, "file_id")));
    for (const auto& tool : message.attachments(i).tools()) {
      if (tool.tool_case() == v1::AttachmentTool::TOOL_NOT_SET) {
        return Invalid(Path(f, "tools"), "each tool needs a type: 'code_interpreter' or 'file_search'");
      }
    }
  }
  return ValidateMetadataProto(message.metadata(), Path(field, "metadata"));
}

namespace {

// The fields an assistant create and update share.
template <typename Request>
absl::Status ValidateAssistantFields(const Request& r) {
  if (r.has_name()) RETURN_IF_ERROR(MaxChars("name", r.name(), kMaxNameChars));
  if (r.has_description()) {
    RETURN_IF_ERROR(MaxChars("description", r.description(), kMaxDescriptionChars));
  }
  if (r.has_instructions()) {
    RETURN_IF_ERROR(MaxChars("instructions", r.instructions(), kMaxInstructionsChars));
  }
  RETURN_IF_ERROR(ValidateMetadataProto(r.metadata()));
  RETURN_IF_ERROR(ValidateSampling(r.has_temperature(), r.temperature(), r.has_top_p(), r.top_p()));
  RETURN_IF_ERROR(ValidateResponseFormat(r.response_format()));
  return ValidateReasoningEffort(r.has_reasoning_effort(), r.reasoning_effort());
}

// The fields a run create and a create-thread-and-run share.
template <typename Request>
absl::Status ValidateRunFields(const Request& r) {
  if (r.has_model() && r.model().empty()) return Invalid("model", "must not be empty");
  if (r.has_instructions()) {
    RETURN_IF_ERROR(MaxChars("instructions", r.instructions(), kMaxInstructionsChars));
  }
  RETURN_IF_ERROR(ValidateTools(r.tools().tools()));
  RETURN_IF_ERROR(ValidateMetadataProto(r.metadata()));
  RETURN_IF_ERROR(ValidateSampling(r.has_temperature(), r.temperature(), r.has_top_p(), r.top_p()));
  RETURN_IF_ERROR(ValidateRunOverrides({&r.truncation_strategy(), r.has_max_prompt_tokens(),
                                        r.max_prompt_tokens(), r.has_max_completion_tokens(),
                                        r.max_completion_tokens()}));
  return ValidateResponseFormat(r.response_format());
}

}  // namespace

absl::Status ValidateCreateAssistant(const v1::CreateAssistantRequest& r) {
  if (r.model().empty()) return Invalid("model", "required");
  RETURN_IF_ERROR(MaxChars("model", r.model(), 256));
  RETURN_IF_ERROR(ValidateTools(r.tools()));
  RETURN_IF_ERROR(ValidateToolResources(r.tool_resources(), /*on_create=*/true));
  return ValidateAssistantFields(r);
}

absl::Status ValidateUpdateAssistant(const v1::UpdateAssistantRequest& r) {
  RETURN_IF_ERROR(ValidateId(r.assistant_id(), IdKind::kAssistant, "assistant_id"));
  if (r.has_model()) {
    if (r.model().empty()) return Invalid("model", "must not be empty");
    RETURN_IF_ERROR(MaxChars("model", r.model(), 256));
  }
  RETURN_IF_ERROR(ValidateTools(r.tools().tools()));
  RETURN_IF_ERROR(ValidateToolResources(r.tool_resources(), /*on_create=*/false));
  return ValidateAssistantFields(r);
}

absl::Status ValidateCreateThread(const v1::CreateThreadRequest& r, absl::string_view field) {
  if (r.messages_size() > kMaxInitialMessages) {
    return Invalid(Path(field, "messages"),
                   absl::StrCat("array too long; expected at most ", kMaxInitialMessages));
  }
  for (int i = 0; i < r.messages_size(); ++i) {
    RETURN_IF_ERROR(ValidateMessageCreate(r.messages(i), Index(Path(field, "messages"), i)));
  }
  RETURN_IF_ERROR(ValidateMetadataProto(r.metadata(), Path(field, "metadata")));
  return ValidateToolResources(r.tool_resources(), /*on_create=*/true,
                               Path(field, "tool_resources"));
}

absl::Status ValidateUpdateThread(const v1::UpdateThreadRequest& r) {
  RETURN_IF_ERROR(ValidateId(r.thread_id(), IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateMetadataProto(r.metadata()));
  return ValidateToolResources(r.tool_resources(), /*on_create=*/false);
}

absl::Status ValidateCreateRun(const v1::CreateRunRequest& r) {
  RETURN_IF_ERROR(ValidateId(r.thread_id(), IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateId(r.assistant_id(), IdKind::kAssistant, "assistant_id"));
  RETURN_IF_ERROR(ValidateRunFields(r));
  if (r.has_additional_instructions()) {
    RETURN_IF_ERROR(MaxChars("additional_instructions", r.additional_instructions(),
                             kMaxInstructionsChars));
  }
  if (r.additional_messages_size() > kMaxInitialMessages) {
    return Invalid("additional_messages",
                   absl::StrCat("array too long; expected at most ", kMaxInitialMessages));
  }
  for (int i = 0; i < r.additional_messages_size(); ++i) {
    RETURN_IF_ERROR(ValidateMessageCreate(r.additional_messages(i),
                                          Index("additional_messages", i)));
  }
  for (const std::string& inc : r.include()) {
    if (inc != "step_details.tool_calls[*].file_search.results[*].content") {
      return Invalid("include", absl::StrCat("unsupported value '", inc, "'"));
    }
  }
  return ValidateReasoningEffort(r.has_reasoning_effort(), r.reasoning_effort());
}

absl::Status ValidateCreateThreadAndRun(const v1::CreateThreadAndRunRequest& r) {
  RETURN_IF_ERROR(ValidateId(r.assistant_id(), IdKind::kAssistant, "assistant_id"));
  RETURN_IF_ERROR(ValidateCreateThread(r.thread(), "thread"));
  RETURN_IF_ERROR(ValidateToolResources(r.tool_resources(), /*on_create=*/true));
  return ValidateRunFields(r);
}

}  // namespace assistd::orchestrator
