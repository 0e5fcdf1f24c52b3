#include "services/orchestrator/attachments.h"

#include <algorithm>

#include "common/status_macros.h"

namespace assistd::orchestrator {

absl::Status ResolveHelper(VectorStoreOps* ops, const std::string& project, bool for_thread,
                           v1::ToolResources* resources) {
  if (resources->file_search().vector_stores_size() == 0) return absl::OkStatus();
  if (ops == nullptr) {
    return absl::UnimplementedError(
        "tool_resources.file_search.vector_stores: the retrieval service is not available");
  }
  return ops->CreateHelperStore(project, for_thread, resources);
}

absl::Status CheckToolResources(VectorStoreOps* ops, const std::string& project,
                                const v1::ToolResources& resources) {
  if (ops == nullptr) return absl::OkStatus();
  for (const std::string& id : resources.file_search().vector_store_ids()) {
    RETURN_IF_ERROR(ops->CheckStore(project, id));
  }
  for (const std::string& id : resources.code_interpreter().file_ids()) {
    RETURN_IF_ERROR(ops->CheckFile(project, id));
  }
  return absl::OkStatus();
}

absl::Status CheckAttachments(
    VectorStoreOps* ops, const std::string& project,
    const google::protobuf::RepeatedPtrField<v1::MessageCreate>& messages) {
  if (ops == nullptr) return absl::OkStatus();
  for (const v1::MessageCreate& m : messages) {
    for (const v1::Attachment& a : m.attachments()) {
      RETURN_IF_ERROR(ops->CheckFile(project, a.file_id()));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> FileSearchAttachments(
    const google::protobuf::RepeatedPtrField<v1::MessageCreate>& messages) {
  std::vector<std::string> ids;
  for (const v1::MessageCreate& m : messages) {
    for (const v1::Attachment& a : m.attachments()) {
      const bool for_search = std::any_of(a.tools().begin(), a.tools().end(),
                                          [](const auto& t) { return t.has_file_search(); });
      if (for_search && std::find(ids.begin(), ids.end(), a.file_id()) == ids.end()) {
        ids.push_back(a.file_id());
      }
    }
  }
  return ids;
}

absl::Status AttachToNewThread(VectorStoreOps* ops, const std::string& project,
                               const std::vector<std::string>& file_ids,
                               v1::ToolResources* resources) {
  if (file_ids.empty()) return absl::OkStatus();
  v1::FileSearchResources* fs = resources->mutable_file_search();
  if (fs->vector_store_ids_size() > 0) {
    if (ops == nullptr) return absl::UnimplementedError("attachments: no retrieval service");
    return ops->AddFiles(project, fs->vector_store_ids(0), file_ids);
  }
  v1::ToolResourcesVectorStore* helper =
      fs->vector_stores_size() > 0 ? fs->mutable_vector_stores(0) : fs->add_vector_stores();
  for (const std::string& id : file_ids) {
    auto* ids = helper->mutable_file_ids();
    if (std::find(ids->begin(), ids->end(), id) == ids->end()) ids->Add(std::string(id));
  }
  return absl::OkStatus();
}

absl::Status PrepareNewThread(VectorStoreOps* ops, const std::string& project,
                              v1::CreateThreadRequest* request) {
  RETURN_IF_ERROR(CheckToolResources(ops, project, request->tool_resources()));
  RETURN_IF_ERROR(CheckAttachments(ops, project, request->messages()));
  const std::vector<std::string> ids = FileSearchAttachments(request->messages());
  if (!request->has_tool_resources() && ids.empty()) return absl::OkStatus();
  v1::ToolResources* resources = request->mutable_tool_resources();
  RETURN_IF_ERROR(AttachToNewThread(ops, project, ids, resources));
  return ResolveHelper(ops, project, /*for_thread=*/true, resources);
}

absl::Status AttachToThread(VectorStoreOps* ops, ThreadStore* threads, const std::string& project,
                            const std::string& thread_id,
                            const std::vector<std::string>& file_ids) {
  if (file_ids.empty()) return absl::OkStatus();
  if (ops == nullptr) return absl::UnimplementedError("attachments: no retrieval service");
  ASSIGN_OR_RETURN(v1::Thread thread, threads->Get(project, thread_id));
  // Checked again when the message is stored; checked here so a locked
  // thread's store does not change under its active run.
  RETURN_IF_ERROR(threads->CheckUnlocked(project, thread_id));
  if (thread.tool_resources().file_search().vector_store_ids_size() > 0) {
    return ops->AddFiles(project, thread.tool_resources().file_search().vector_store_ids(0),
                         file_ids);
  }
  v1::ToolResources fresh;
  RETURN_IF_ERROR(AttachToNewThread(ops, project, file_ids, &fresh));
  RETURN_IF_ERROR(ops->CreateHelperStore(project, /*for_thread=*/true, &fresh));
  const std::string& created = fresh.file_search().vector_store_ids(0);
  ASSIGN_OR_RETURN(std::string in_use, threads->SetVectorStoreIfNone(project, thread_id, created));
  // Another request gave the thread a store meanwhile: use that one.
  if (in_use != created) return ops->AddFiles(project, in_use, file_ids);
  return absl::OkStatus();
}

}  // namespace assistd::orchestrator
