#ifndef ASSISTD_SERVICES_ORCHESTRATOR_ASSISTANT_STORE_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_ASSISTANT_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "assistd/v1/assistants.pb.h"
#include "assistd/v1/common.pb.h"
#include "common/clock.h"
#include "common/pagination.h"
#include "common/sqlite/database.h"

namespace assistd::orchestrator {

// Assistants in orchestrator.db, scoped by project. Requests are validated
// here (validation.h). The `vector_stores` helper of tool_resources must
// have been resolved to vector_store_ids by the caller. Thread-safe.
class AssistantStore {
 public:
  AssistantStore(sqlite::Database* db, Clock* clock) : db_(db), clock_(clock) {}

  absl::StatusOr<v1::Assistant> Create(const std::string& project,
                                       const v1::CreateAssistantRequest& request);
  absl::StatusOr<v1::Assistant> Get(const std::string& project, const std::string& id);
  absl::StatusOr<Page<v1::Assistant>> List(const std::string& project, const PageParams& page);
  // Applies the fields that are set; `clear_fields` names fields to null
  // (name, description, instructions, tool_resources, metadata, temperature,
  // top_p, response_format).
  absl::StatusOr<v1::Assistant> Update(const std::string& project,
                                       const v1::UpdateAssistantRequest& request);
  absl::StatusOr<v1::DeleteResponse> Delete(const std::string& project, const std::string& id);

 private:
  sqlite::Database* const db_;
  Clock* const clock_;
};

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_ASSISTANT_STORE_H_
