#include "services/orchestrator/run_store.h"

#include "absl/strings/ascii.h"
#include "common/status_macros.h"
#include "services/orchestrator/object_table.h"

namespace assistd::orchestrator {

using sqlite::Blob;
using sqlite::Connection;
using sqlite::Statement;

namespace {

std::optional<int64_t> ExpiresAt(const v1::Run& run) {
  if (!run.has_expires_at()) return std::nullopt;
  return run.expires_at();
}

absl::StatusOr<std::vector<std::string>> Ids(Statement* st) {
  std::vector<std::string> ids;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ids.push_back(st->ColumnText(0));
  }
  return ids;
}

}  // namespace

bool IsTerminal(v1::RunStatus s) {
  return s == v1::RUN_STATUS_CANCELLED || s == v1::RUN_STATUS_FAILED ||
         s == v1::RUN_STATUS_COMPLETED || s == v1::RUN_STATUS_INCOMPLETE ||
         s == v1::RUN_STATUS_EXPIRED;
}

std::string RunStatusName(v1::RunStatus status) {
  std::string name = v1::RunStatus_Name(status);
  return absl::AsciiStrToLower(name.substr(sizeof("RUN_STATUS_") - 1));
}

absl::Status InsertRun(Connection& c, const std::string& project, const v1::Run& run) {
  ASSIGN_OR_RETURN(Statement * st,
                   c.Prepare("INSERT INTO runs (id, project_id, parent_id, status, expires_at, body)"
                             " VALUES (?, ?, ?, ?, ?, ?)"));
  const std::string body = run.SerializeAsString();
  RETURN_IF_ERROR(st->BindAll(run.id(), project, run.thread_id(), static_cast<int>(run.status()),
                              ExpiresAt(run), Blob{body}));
  return st->Run();
}

absl::Status SaveRun(Connection& c, const v1::Run& run) {
  ASSIGN_OR_RETURN(Statement * st,
                   c.Prepare("UPDATE runs SET status = ?, expires_at = ?, body = ? WHERE id = ?"));
  const std::string body = run.SerializeAsString();
  RETURN_IF_ERROR(
      st->BindAll(static_cast<int>(run.status()), ExpiresAt(run), Blob{body}, run.id()));
  RETURN_IF_ERROR(st->Run());
  if (c.Changes() == 0) return NotFound(kRuns, run.id());
  return absl::OkStatus();
}

absl::StatusOr<v1::Run> LoadRun(Connection& c, const std::string& project,
                                const std::string& thread_id, const std::string& run_id) {
  return LoadObject<v1::Run>(c, kRuns, project, &thread_id, run_id);
}

absl::StatusOr<std::optional<std::pair<std::string, v1::Run>>> LoadRunAnyProject(
    Connection& c, const std::string& run_id) {
  ASSIGN_OR_RETURN(Statement * st, c.Prepare("SELECT project_id, body FROM runs WHERE id = ?"));
  RETURN_IF_ERROR(st->BindAll(run_id));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::nullopt;
  std::pair<std::string, v1::Run> out;
  out.first = st->ColumnText(0);
  RETURN_IF_ERROR(ParseBody(st->ColumnBlob(1), &out.second));
  RETURN_IF_ERROR(st->Reset());
  return out;
}

absl::Status InsertStep(Connection& c, const std::string& project, const v1::RunStep& step) {
  return InsertObject(c, kSteps, project, step.run_id(), step.id(), step);
}

absl::Status SaveStep(Connection& c, const v1::RunStep& step) {
  return UpdateBody(c, kSteps, step.id(), step);
}

absl::StatusOr<std::vector<v1::RunStep>> LoadSteps(Connection& c, const std::string& run_id) {
  ASSIGN_OR_RETURN(Statement * st,
                   c.Prepare("SELECT body FROM run_steps WHERE parent_id = ? ORDER BY seq"));
  RETURN_IF_ERROR(st->BindAll(run_id));
  std::vector<v1::RunStep> steps;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    RETURN_IF_ERROR(ParseBody(st->ColumnBlob(0), &steps.emplace_back()));
  }
  return steps;
}

absl::StatusOr<std::vector<std::string>> RunsWithStatus(Connection& c, v1::RunStatus status) {
  ASSIGN_OR_RETURN(Statement * st, c.Prepare("SELECT id FROM runs WHERE status = ? ORDER BY seq"));
  RETURN_IF_ERROR(st->BindAll(static_cast<int>(status)));
  return Ids(st);
}

absl::StatusOr<std::vector<std::string>> DueRuns(Connection& c, int64_t now) {
  ASSIGN_OR_RETURN(Statement * st,
                   c.Prepare("SELECT id FROM runs WHERE status = ? AND expires_at <= ? ORDER BY seq"));
  RETURN_IF_ERROR(st->BindAll(static_cast<int>(v1::RUN_STATUS_REQUIRES_ACTION), now));
  return Ids(st);
}

void StripFileSearchContent(v1::RunStep* step) {
  if (!step->step_details().has_tool_calls()) return;
  for (auto& call : *step->mutable_step_details()->mutable_tool_calls()->mutable_tool_calls()) {
    if (!call.has_file_search()) continue;
    for (auto& r : *call.mutable_file_search()->mutable_results()) r.clear_content();
  }
}

}  // namespace assistd::orchestrator
