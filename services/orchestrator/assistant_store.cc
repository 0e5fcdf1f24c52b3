#include "services/orchestrator/assistant_store.h"

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "services/orchestrator/object_table.h"
#include "services/orchestrator/validation.h"

namespace assistd::orchestrator {

using sqlite::Connection;

namespace {

// Applies `clear_fields`; InvalidArgument for a name that can't be cleared.
absl::Status ClearFields(const google::protobuf::RepeatedPtrField<std::string>& fields,
                         v1::Assistant* a) {
  for (const std::string& f : fields) {
    if (f == "name") a->clear_name();
    else if (f == "description") a->clear_description();
    else if (f == "instructions") a->clear_instructions();
    else if (f == "tool_resources") a->clear_tool_resources();
    else if (f == "metadata") a->clear_metadata();
    else if (f == "temperature") a->clear_temperature();
    else if (f == "top_p") a->clear_top_p();
    else if (f == "response_format") a->clear_response_format();
    else return absl::InvalidArgumentError(absl::StrCat("clear_fields: '", f, "' can't be cleared"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Assistant> AssistantStore::Create(const std::string& project,
                                                     const v1::CreateAssistantRequest& r) {
  RETURN_IF_ERROR(ValidateCreateAssistant(r));
  if (r.tool_resources().file_search().vector_stores_size() > 0) {
    return absl::InternalError("tool_resources.file_search.vector_stores was not resolved");
  }
  v1::Assistant a;
  a.set_id(NewId(IdKind::kAssistant));
  a.set_object("assistant");
  a.set_created_at(clock_->NowUnixSeconds());
  a.set_model(r.model());
  if (r.has_name()) a.set_name(r.name());
  if (r.has_description()) a.set_description(r.description());
  if (r.has_instructions()) a.set_instructions(r.instructions());
  *a.mutable_tools() = r.tools();
  if (r.has_tool_resources()) *a.mutable_tool_resources() = r.tool_resources();
  if (r.has_metadata()) *a.mutable_metadata() = r.metadata();
  if (r.has_temperature()) a.set_temperature(r.temperature());
  if (r.has_top_p()) a.set_top_p(r.top_p());
  if (r.has_response_format()) *a.mutable_response_format() = r.response_format();
  RETURN_IF_ERROR(db_->Write([&](Connection& c) {
    return InsertObject(c, kAssistants, project, "", a.id(), a);
  }));
  return a;
}

absl::StatusOr<v1::Assistant> AssistantStore::Get(const std::string& project,
                                                  const std::string& id) {
  RETURN_IF_ERROR(ValidateId(id, IdKind::kAssistant, "assistant_id"));
  v1::Assistant a;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(a, LoadObject<v1::Assistant>(c, kAssistants, project, nullptr, id));
    return absl::OkStatus();
  }));
  return a;
}

absl::StatusOr<Page<v1::Assistant>> AssistantStore::List(const std::string& project,
                                                         const PageParams& page) {
  Page<v1::Assistant> result;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(result, ListObjects<v1::Assistant>(c, kAssistants, project, "", page));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Assistant> AssistantStore::Update(const std::string& project,
                                                     const v1::UpdateAssistantRequest& r) {
  RETURN_IF_ERROR(ValidateUpdateAssistant(r));
  v1::Assistant a;
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(a, LoadObject<v1::Assistant>(c, kAssistants, project, nullptr,
                                                  r.assistant_id()));
    RETURN_IF_ERROR(ClearFields(r.clear_fields(), &a));
    if (r.has_model()) a.set_model(r.model());
    if (r.has_name()) a.set_name(r.name());
    if (r.has_description()) a.set_description(r.description());
    if (r.has_instructions()) a.set_instructions(r.instructions());
    if (r.has_tools()) *a.mutable_tools() = r.tools().tools();
    if (r.has_tool_resources()) *a.mutable_tool_resources() = r.tool_resources();
    if (r.has_metadata()) *a.mutable_metadata() = r.metadata();
    if (r.has_temperature()) a.set_temperature(r.temperature());
    if (r.has_top_p()) a.set_top_p(r.top_p());
    if (r.has_response_format()) *a.mutable_response_format() = r.response_format();
    return UpdateBody(c, kAssistants, a.id(), a);
  }));
  return a;
}

absl::StatusOr<v1::DeleteResponse> AssistantStore::Delete(const std::string& project,
                                                          const std::string& id) {
  RETURN_IF_ERROR(ValidateId(id, IdKind::kAssistant, "assistant_id"));
  bool deleted = false;
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(deleted, DeleteObject(c, kAssistants, project, id));
    return absl::OkStatus();
  }));
  if (!deleted) return NotFound(kAssistants, id);
  v1::DeleteResponse response;
  response.set_id(id);
  response.set_object("assistant.deleted");
  response.set_deleted(true);
  return response;
}

}  // namespace assistd::orchestrator
