#ifndef ASSISTD_SERVICES_ORCHESTRATOR_ORCHESTRATOR_SCHEMA_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_ORCHESTRATOR_SCHEMA_H_

#include <vector>

#include "common/sqlite/migrations.h"

namespace assistd::orchestrator {

// The schema of orchestrator.db. Every object table has the same shape:
// `seq` (insertion order, the keyset for lists), `id`, `project_id`,
// `parent_id` (the thread of a message or run, the run of a step; '' for
// assistants and threads) and `body`, the object as a serialized proto
// message (assistd.v1.Assistant, Thread, Message, Run, RunStep), which is
// the single source of truth for its fields. A few fields are copied into
// columns for queries: messages.run_id, runs.status and runs.expires_at.
std::vector<sqlite::Migration> OrchestratorMigrations();

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_ORCHESTRATOR_SCHEMA_H_
