#ifndef ASSISTD_SERVICES_ORCHESTRATOR_THREAD_STORE_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_THREAD_STORE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "assistd/v1/common.pb.h"
#include "assistd/v1/threads.pb.h"
#include "common/clock.h"
#include "common/pagination.h"
#include "common/sqlite/connection.h"
#include "common/sqlite/database.h"

namespace assistd::orchestrator {

// Threads and their messages in orchestrator.db, scoped by project.
// A thread with an active run (queued, in_progress, requires_action or
// cancelling) is locked: adding a message is FailedPrecondition in
// OpenAI's wording. Thread-safe.
class ThreadStore {
 public:
  ThreadStore(sqlite::Database* db, Clock* clock) : db_(db), clock_(clock) {}

  // The `vector_stores` helper must have been resolved by the caller.
  absl::StatusOr<v1::Thread> Create(const std::string& project,
                                    const v1::CreateThreadRequest& request);
  absl::StatusOr<v1::Thread> Get(const std::string& project, const std::string& id);
  // `clear_fields`: metadata, tool_resources.
  absl::StatusOr<v1::Thread> Update(const std::string& project,
                                    const v1::UpdateThreadRequest& request);
  // Deletes the thread with its messages, runs and steps. FailedPrecondition
  // while a run is active (cancel it first).
  absl::StatusOr<v1::DeleteResponse> Delete(const std::string& project, const std::string& id);

  // FailedPrecondition in OpenAI's wording ("Can't add messages to ...")
  // while a run is active on the thread.
  absl::Status CheckUnlocked(const std::string& project, const std::string& thread_id);
  // Records `store_id` as the thread's file_search vector store unless it
  // already has one; returns the store the thread uses.
  absl::StatusOr<std::string> SetVectorStoreIfNone(const std::string& project,
                                                   const std::string& thread_id,
                                                   const std::string& store_id);
  absl::StatusOr<v1::Message> CreateMessage(const std::string& project,
                                            const v1::CreateMessageRequest& request);
  absl::StatusOr<v1::Message> GetMessage(const std::string& project,
                                         const std::string& thread_id,
                                         const std::string& message_id);
  // `run_id` non-empty: only the messages that run created.
  absl::StatusOr<Page<v1::Message>> ListMessages(const std::string& project,
                                                 const std::string& thread_id,
                                                 const std::string& run_id,
                                                 const PageParams& page);
  absl::StatusOr<v1::Message> UpdateMessage(const std::string& project,
                                            const v1::UpdateMessageRequest& request);
  absl::StatusOr<v1::DeleteResponse> DeleteMessage(const std::string& project,
                                                   const std::string& thread_id,
                                                   const std::string& message_id);

 private:
  sqlite::Database* const db_;
  Clock* const clock_;
};

// Building blocks shared with the run engine; they run inside the caller's
// transaction.

// A new thread (not yet stored) from a validated request.
v1::Thread NewThread(const v1::CreateThreadRequest& request, int64_t now);
// Inserts `thread` and its initial `messages`.
absl::Status InsertThread(sqlite::Connection& c, const std::string& project,
                          const v1::Thread& thread, const v1::CreateThreadRequest& request,
                          int64_t now);
// A completed message (not yet stored) from a validated MessageCreate.
v1::Message NewMessage(const v1::MessageCreate& create, const std::string& thread_id,
                       int64_t now);
// Inserts `message`, and adds its code_interpreter attachments to `thread`'s
// tool_resources (stored).
absl::Status InsertMessage(sqlite::Connection& c, const std::string& project,
                           v1::Thread* thread, const v1::Message& message);
// The id of the thread's active run, if any.
absl::StatusOr<std::optional<std::string>> ActiveRun(sqlite::Connection& c,
                                                     const std::string& thread_id);

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_THREAD_STORE_H_
