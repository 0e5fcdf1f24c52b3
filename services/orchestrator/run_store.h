#ifndef ASSISTD_SERVICES_ORCHESTRATOR_RUN_STORE_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_RUN_STORE_H_

// Rows of runs and run steps; every function runs inside the caller's
// transaction.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "assistd/v1/runs.pb.h"
#include "common/sqlite/connection.h"

namespace assistd::orchestrator {

// cancelled, failed, completed, incomplete, expired.
bool IsTerminal(v1::RunStatus status);
// The wire name: "requires_action".
std::string RunStatusName(v1::RunStatus status);

absl::Status InsertRun(sqlite::Connection& c, const std::string& project, const v1::Run& run);
// Stores `run` (body, status and expires_at columns).
absl::Status SaveRun(sqlite::Connection& c, const v1::Run& run);
// NotFound in OpenAI's wording unless the run exists in `project` under
// `thread_id`.
absl::StatusOr<v1::Run> LoadRun(sqlite::Connection& c, const std::string& project,
                                const std::string& thread_id, const std::string& run_id);
// By id alone (the engine's own lookups); nullopt when deleted.
absl::StatusOr<std::optional<std::pair<std::string, v1::Run>>> LoadRunAnyProject(
    sqlite::Connection& c, const std::string& run_id);

absl::Status InsertStep(sqlite::Connection& c, const std::string& project,
                        const v1::RunStep& step);
absl::Status SaveStep(sqlite::Connection& c, const v1::RunStep& step);
// Every step of the run in creation order.
absl::StatusOr<std::vector<v1::RunStep>> LoadSteps(sqlite::Connection& c,
                                                   const std::string& run_id);
// Ids of runs with `status`, oldest first.
absl::StatusOr<std::vector<std::string>> RunsWithStatus(sqlite::Connection& c,
                                                        v1::RunStatus status);
// Drops file_search results' chunk text (sent only when include[] asks).
void StripFileSearchContent(v1::RunStep* step);

// Ids of runs in requires_action whose expires_at <= now.
absl::StatusOr<std::vector<std::string>> DueRuns(sqlite::Connection& c, int64_t now);

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_RUN_STORE_H_
