#include "services/gateway/json_special_cases.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace assistd::gateway::json_internal {
namespace {

using Names = std::set<std::string, std::less<>>;

// Rule 8. Keep in sync with the "assistd extension" comments of the protos.
const Names& ExtensionFields() {
  static const auto* const kNames = new Names{
      "assistd.v1.FileCitation.page_number",      "assistd.v1.FileCitation.file_name",
      "assistd.v1.FileSearchResult.page_number",  "assistd.v1.FileSearchResult.page_breaks",
      "assistd.v1.CodeInterpreterToolCall.files", "assistd.v1.SearchResult.page_number",
      "assistd.v1.SearchResult.page_breaks",
  };
  return *kNames;
}

// Unset optional fields of response objects whose key is omitted (spec
// section 2 marks them `key?` without `|null`). Fields of delta messages are
// omitted unless listed in NullInDeltas().
const Names& OmittedWhenUnset() {
  static const auto* const kNames = new Names{
      "assistd.v1.ToolResources.code_interpreter",
      "assistd.v1.ToolResources.file_search",
      "assistd.v1.VectorStore.expires_after",
      "assistd.v1.VectorStoreFile.chunking_strategy",
      "assistd.v1.FileSearchToolCall.ranking_options",
      "assistd.v1.FileSearchTool.ranking_options",
      "assistd.v1.FileSearchTool.max_num_results",
      "assistd.v1.FileSearchRankingOptions.ranker",
      "assistd.v1.FunctionTool.description",
      "assistd.v1.FunctionTool.parameters_json",
      "assistd.v1.ResponseFormatJsonSchema.description",
      "assistd.v1.ResponseFormatJsonSchema.schema_json",
  };
  return *kNames;
}

// Delta fields documented "unset = null" (`function.output: null` on the
// first function delta).
const Names& NullInDeltas() {
  static const auto* const kNames = new Names{
      "assistd.v1.FunctionToolCallDelta.output",
  };
  return *kNames;
}

// Message fields that are always objects, even when the server left them
// unset.
const Names& AlwaysPresent() {
  static const auto* const kNames = new Names{
      "assistd.v1.VectorStore.file_counts",
      "assistd.v1.VectorStoreFileBatch.file_counts",
      "assistd.v1.MessageDelta.delta",
      "assistd.v1.RunStepDelta.delta",
  };
  return *kNames;
}

// Repeated fields documented "empty = key omitted".
const Names& OmittedWhenEmpty() {
  static const auto* const kNames = new Names{
      "assistd.v1.FileSearchResult.content",
      // Create-only helper, never in responses.
      "assistd.v1.FileSearchResources.vector_stores",
      "assistd.v1.FileSearchToolCall.results",
      "assistd.v1.MessageTextDelta.annotations",
      "assistd.v1.MessageDeltaBody.content",
      "assistd.v1.CodeInterpreterToolCallDelta.outputs",
  };
  return *kNames;
}

// `*_id` fields of requests that are body or query keys, not path ids.
const Names& IdsInBody() {
  static const auto* const kNames = new Names{
      "assistd.v1.CreateRunRequest.assistant_id",
      "assistd.v1.CreateThreadAndRunRequest.assistant_id",
      "assistd.v1.ListMessagesRequest.run_id",
      "assistd.v1.CreateVectorStoreFileRequest.file_id",
      "assistd.v1.DetachFileFromAllStoresRequest.file_id",
  };
  return *kNames;
}

const Names& PathIdNames() {
  static const auto* const kNames =
      new Names{"thread_id", "run_id",          "message_id",   "step_id",
                "batch_id",  "vector_store_id", "assistant_id", "file_id"};
  return *kNames;
}

const Names& StreamingRequests() {
  static const auto* const kNames = new Names{
      "assistd.v1.CreateRunRequest",
      "assistd.v1.CreateThreadAndRunRequest",
      "assistd.v1.SubmitToolOutputsRequest",
  };
  return *kNames;
}

const Names& BareKeyOneofs() {
  static const auto* const kNames = new Names{
      "assistd.v1.MessageCreate.content",
      "assistd.v1.SearchVectorStoreRequest.query",
      "assistd.v1.ComparisonFilter.value",
  };
  return *kNames;
}

const Names& WholeValueOneofs() {
  static const auto* const kNames = new Names{
      "assistd.v1.AttributeValue.kind",
      "assistd.v1.ToolChoice.choice",
      "assistd.v1.Filter.kind",
      "assistd.v1.RunEvent.data",
  };
  return *kNames;
}

bool Contains(const Names& names, absl::string_view name) {
  return names.find(name) != names.end();
}

// Stream delta messages (MessageDelta, ToolCallDelta, MessageDeltaBody...):
// clients accumulate them, so unset fields are omitted, never null.
bool IsDeltaMessage(const Descriptor* message) {
  return absl::StrContains(message->name(), "Delta");
}


}  // namespace

bool IsExtension(const FieldDescriptor* field) {
  return Contains(ExtensionFields(), field->full_name());
}

bool IsPathParam(const FieldDescriptor* field) {
  return absl::EndsWith(field->containing_type()->name(), "Request") &&
         Contains(PathIdNames(), field->name()) && !Contains(IdsInBody(), field->full_name());
}

bool IsTransportKey(const Descriptor* request, absl::string_view key) {
  return key == "stream" && Contains(StreamingRequests(), request->full_name());
}

Unset WhenUnset(const FieldDescriptor* field) {
  const std::string& name = field->full_name();
  if (Contains(AlwaysPresent(), name)) return Unset::kDefault;
  if (Contains(OmittedWhenUnset(), name)) return Unset::kOmit;
  if (Contains(NullInDeltas(), name)) return Unset::kNull;
  return IsDeltaMessage(field->containing_type()) ? Unset::kOmit : Unset::kNull;
}

bool OmitWhenEmpty(const FieldDescriptor* field) {
  return Contains(OmittedWhenEmpty(), field->full_name());
}

bool IsListWrapper(const Descriptor* message) {
  return absl::EndsWith(message->name(), "List") && message->field_count() == 1 &&
         message->field(0)->is_repeated() && !message->field(0)->is_map();
}

bool IsMapWrapper(const Descriptor* message) {
  return message->field_count() == 1 && message->field(0)->is_map();
}

bool IsListResponse(const Descriptor* message) {
  return absl::StartsWith(message->name(), "List") && absl::EndsWith(message->name(), "Response") &&
         message->FindFieldByName("data") != nullptr &&
         message->FindFieldByName("has_more") != nullptr;
}

OneofStyle StyleOf(const OneofDescriptor* oneof) {
  if (Contains(BareKeyOneofs(), oneof->full_name())) return OneofStyle::kBareKey;
  if (Contains(WholeValueOneofs(), oneof->full_name())) return OneofStyle::kWholeValue;
  return OneofStyle::kTagged;
}

const OneofDescriptor* FindOneof(const Descriptor* message, OneofStyle style) {
  for (int i = 0; i < message->real_oneof_decl_count(); ++i) {
    if (StyleOf(message->oneof_decl(i)) == style) return message->oneof_decl(i);
  }
  return nullptr;
}

bool IsEmbeddedJson(const FieldDescriptor* field) {
  return field->type() == FieldDescriptor::TYPE_STRING && !field->is_repeated() &&
         absl::EndsWith(field->name(), "_json");
}

std::string JsonKey(const FieldDescriptor* field) {
  const std::string& name = field->name();
  if (!IsEmbeddedJson(field)) return name;
  return name.substr(0, name.size() - 5);
}


const EnumValueDescriptor* EnumValueFromJson(const EnumDescriptor* type, absl::string_view text) {
  for (int i = 0; i < type->value_count(); ++i) {
    const EnumValueDescriptor* value = type->value(i);
    if (value->number() != 0 && EnumValueName(value) == text) return value;
  }
  return nullptr;
}

std::vector<std::string> EnumJsonValues(const EnumDescriptor* type) {
  std::vector<std::string> values;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() != 0) values.push_back(EnumValueName(type->value(i)));
  }
  return values;
}

std::vector<std::string> UnresolvedTableEntries() {
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  std::vector<std::string> unresolved;
  for (const Names* names : {&ExtensionFields(), &OmittedWhenUnset(), &NullInDeltas(),
                             &AlwaysPresent(), &OmittedWhenEmpty(), &IdsInBody()}) {
    for (const std::string& name : *names) {
      if (pool->FindFieldByName(name) == nullptr) unresolved.push_back(name);
    }
  }
  for (const Names* names : {&BareKeyOneofs(), &WholeValueOneofs()}) {
    for (const std::string& name : *names) {
      if (pool->FindOneofByName(name) == nullptr) unresolved.push_back(name);
    }
  }
  // Messages named in json_mapping.cc and json_parse.cc.
  static const auto* const kMessagesInCode =
      new Names{"assistd.v1.ResponseFormat", "assistd.v1.RunEvent", "assistd.v1.Filter",
                "assistd.v1.CreateMessageRequest", "assistd.v1.PageRequest"};
  for (const Names* names : {&StreamingRequests(), kMessagesInCode}) {
    for (const std::string& name : *names) {
      if (pool->FindMessageTypeByName(name) == nullptr) unresolved.push_back(name);
    }
  }
  return unresolved;
}

}  // namespace assistd::gateway::json_internal
