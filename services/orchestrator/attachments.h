#ifndef ASSISTD_SERVICES_ORCHESTRATOR_ATTACHMENTS_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_ATTACHMENTS_H_

// Message attachments for file_search: their files go into the thread's
// vector store, which is created when the thread has none (expiring 7 days
// after its last activity, as OpenAI's). code_interpreter attachments are
// plain thread tool_resources (ThreadStore records them with the message).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "assistd/v1/threads.pb.h"
#include "services/orchestrator/thread_store.h"

namespace assistd::orchestrator {

// What the adapters ask of the retrieval service.
class VectorStoreOps {
 public:
  virtual ~VectorStoreOps() = default;
  // Creates the store of the `vector_stores` helper in `resources` and
  // replaces the helper with the new store's id. Thread stores expire 7
  // days after their last activity.
  virtual absl::Status CreateHelperStore(const std::string& project, bool for_thread,
                                         v1::ToolResources* resources) = 0;
  // Adds files to a store; they are ingested asynchronously.
  virtual absl::Status AddFiles(const std::string& project, const std::string& store_id,
                                const std::vector<std::string>& file_ids) = 0;
  // NotFound, naming the id, unless the project has this store / file.
  virtual absl::Status CheckStore(const std::string& project, const std::string& store_id) = 0;
  virtual absl::Status CheckFile(const std::string& project, const std::string& file_id) = 0;
};

// NotFound unless every vector store and file that `resources` names belongs
// to the project: another project's ids are never recorded, even though
// they could not be read through them. A no-op when `ops` is null.
absl::Status CheckToolResources(VectorStoreOps* ops, const std::string& project,
                                const v1::ToolResources& resources);
// The same for the files attached to `messages`.
absl::Status CheckAttachments(VectorStoreOps* ops, const std::string& project,
                              const google::protobuf::RepeatedPtrField<v1::MessageCreate>& messages);

// Applies the `vector_stores` helper of `resources`, if it has one.
// Unimplemented when `ops` is null (no retrieval service).
absl::Status ResolveHelper(VectorStoreOps* ops, const std::string& project, bool for_thread,
                           v1::ToolResources* resources);

// The distinct file ids of file_search attachments, in order.
std::vector<std::string> FileSearchAttachments(
    const google::protobuf::RepeatedPtrField<v1::MessageCreate>& messages);

// For a thread about to be created with `resources`: adds the files to its
// store, or to its `vector_stores` helper, or makes such a helper (the
// caller then resolves it).
absl::Status AttachToNewThread(VectorStoreOps* ops, const std::string& project,
                               const std::vector<std::string>& file_ids,
                               v1::ToolResources* resources);

// For a thread about to be created: checks its references, applies the
// file_search attachments of its messages and its `vector_stores` helper. Leaves tool_resources
// unset when there is nothing to record.
absl::Status PrepareNewThread(VectorStoreOps* ops, const std::string& project,
                              v1::CreateThreadRequest* request);

// Applies the `vector_stores` helper of an optional `tool_resources` field
// of `holder` without setting the field when it is absent.
template <typename Msg>
absl::Status ResolveOptionalHelper(VectorStoreOps* ops, const std::string& project,
                                   bool for_thread, Msg* holder) {
  if (!holder->has_tool_resources()) return absl::OkStatus();
  return ResolveHelper(ops, project, for_thread, holder->mutable_tool_resources());
}

// For an existing thread: adds the files to its store, creating one and
// recording it on the thread when it has none.
absl::Status AttachToThread(VectorStoreOps* ops, ThreadStore* threads, const std::string& project,
                            const std::string& thread_id, const std::vector<std::string>& file_ids);

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_ATTACHMENTS_H_
