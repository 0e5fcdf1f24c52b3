#include "services/orchestrator/run_engine.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/metrics/metrics.h"
#include "common/status_macros.h"
#include "services/orchestrator/object_table.h"
#include "services/orchestrator/run_store.h"
#include "services/orchestrator/thread_store.h"
#include "services/orchestrator/validation.h"

namespace assistd::orchestrator {

using sqlite::Connection;

namespace {

constexpr int64_t kMaxToolOutputBytes = 512 << 10;

// The run fields shared by CreateRun and CreateThreadAndRun requests.
template <typename Request>
void ApplyOverrides(const Request& r, v1::Run* run) {
  if (r.has_model()) run->set_model(r.model());
  if (r.has_instructions()) run->set_instructions(r.instructions());
  if (r.has_tools()) *run->mutable_tools() = r.tools().tools();
  if (r.has_metadata()) *run->mutable_metadata() = r.metadata();
  if (r.has_temperature()) run->set_temperature(r.temperature());
  if (r.has_top_p()) run->set_top_p(r.top_p());
  if (r.has_max_prompt_tokens()) run->set_max_prompt_tokens(r.max_prompt_tokens());
  if (r.has_max_completion_tokens()) run->set_max_completion_tokens(r.max_completion_tokens());
  if (r.has_truncation_strategy()) *run->mutable_truncation_strategy() = r.truncation_strategy();
  if (r.has_tool_choice()) *run->mutable_tool_choice() = r.tool_choice();
  if (r.has_parallel_tool_calls()) run->set_parallel_tool_calls(r.parallel_tool_calls());
  if (r.has_response_format()) *run->mutable_response_format() = r.response_format();
}

// A queued run built from the assistant's settings.
v1::Run RunFromAssistant(const v1::Assistant& a, const std::string& thread_id, int64_t now,
                         absl::Duration expiry) {
  v1::Run run;
  run.set_id(NewId(IdKind::kRun));
  run.set_object("thread.run");
  run.set_created_at(now);
  run.set_thread_id(thread_id);
  run.set_assistant_id(a.id());
  run.set_status(v1::RUN_STATUS_QUEUED);
  run.set_expires_at(now + absl::ToInt64Seconds(expiry));
  run.set_model(a.model());
  run.set_instructions(a.instructions());
  *run.mutable_tools() = a.tools();
  if (a.has_temperature()) run.set_temperature(a.temperature());
  if (a.has_top_p()) run.set_top_p(a.top_p());
  if (a.has_response_format()) *run.mutable_response_format() = a.response_format();
  run.mutable_truncation_strategy()->set_type(v1::TRUNCATION_TYPE_AUTO);
  run.mutable_tool_choice()->set_mode(v1::TOOL_CHOICE_MODE_AUTO);
  run.set_parallel_tool_calls(true);
  return run;
}

const char* StepEventName(v1::RunStepStatus s) {
  switch (s) {
    case v1::RUN_STEP_STATUS_CANCELLED: return "thread.run.step.cancelled";
    case v1::RUN_STEP_STATUS_FAILED: return "thread.run.step.failed";
    case v1::RUN_STEP_STATUS_EXPIRED: return "thread.run.step.expired";
    default: return "thread.run.step.completed";
  }
}

// Closes an open step as the run ends with `target`.
void CloseStep(v1::RunStatus target, const v1::LastError* error, int64_t now, v1::RunStep* step) {
  switch (target) {
    case v1::RUN_STATUS_CANCELLED:
      step->set_status(v1::RUN_STEP_STATUS_CANCELLED);
      step->set_cancelled_at(now);
      break;
    case v1::RUN_STATUS_FAILED:
      step->set_status(v1::RUN_STEP_STATUS_FAILED);
      step->set_failed_at(now);
      if (error != nullptr) *step->mutable_last_error() = *error;
      break;
    case v1::RUN_STATUS_EXPIRED:
      step->set_status(v1::RUN_STEP_STATUS_EXPIRED);
      step->set_expired_at(now);
      break;
    default:
      step->set_status(v1::RUN_STEP_STATUS_COMPLETED);
      step->set_completed_at(now);
      break;
  }
  step->clear_expires_at();
}

v1::IncompleteReason MessageReason(v1::RunStatus target, v1::IncompleteReason run_reason) {
  switch (target) {
    case v1::RUN_STATUS_CANCELLED: return v1::INCOMPLETE_REASON_RUN_CANCELLED;
    case v1::RUN_STATUS_FAILED: return v1::INCOMPLETE_REASON_RUN_FAILED;
    case v1::RUN_STATUS_EXPIRED: return v1::INCOMPLETE_REASON_RUN_EXPIRED;
    default:
      return run_reason == v1::INCOMPLETE_REASON_MAX_COMPLETION_TOKENS
                 ? v1::INCOMPLETE_REASON_MAX_TOKENS
                 : run_reason;
  }
}

void SetRunEnd(v1::RunStatus target, const v1::LastError* error, v1::IncompleteReason reason,
               int64_t now, v1::Run* run) {
  run->set_status(target);
  run->clear_required_action();
  run->clear_expires_at();
  if (target == v1::RUN_STATUS_CANCELLED) run->set_cancelled_at(now);
  if (target == v1::RUN_STATUS_FAILED) {
    run->set_failed_at(now);
    if (error != nullptr) *run->mutable_last_error() = *error;
  }
  if (target == v1::RUN_STATUS_COMPLETED) run->set_completed_at(now);
  if (target == v1::RUN_STATUS_INCOMPLETE) {
    run->set_completed_at(now);
    run->mutable_incomplete_details()->set_reason(reason);
  }
}

// Strips file_search result content unless include[] asked for it, and
// usage while the step is in progress (it is null until then).
void StripContent(v1::RunStep* step, bool include_content) {
  if (step->status() == v1::RUN_STEP_STATUS_IN_PROGRESS) step->clear_usage();
  if (!include_content) StripFileSearchContent(step);
}

}  // namespace

RunEngine::RunEngine(sqlite::Database* db, RunEngineOptions options)
    : db_(db), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<RunEngine>> RunEngine::Create(sqlite::Database* db,
                                                             RunEngineOptions options) {
  if (!options.models) return absl::InvalidArgumentError("RunEngineOptions.models is required");
  std::unique_ptr<RunEngine> engine(new RunEngine(db, std::move(options)));
  RETURN_IF_ERROR(engine->Recover());
  engine->expiry_thread_ = std::thread([e = engine.get()] { e->ExpiryLoop(); });
  return engine;
}

RunEngine::~RunEngine() { Stop(); }

void RunEngine::Stop() {
  std::vector<std::thread> workers;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    shutting_down_ = true;
    for (auto& [id, flag] : active_) flag->store(true);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
  if (expiry_thread_.joinable()) expiry_thread_.join();
}

absl::Status RunEngine::Recover() {
  std::vector<std::string> queued, running, cancelling;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(queued, RunsWithStatus(c, v1::RUN_STATUS_QUEUED));
    ASSIGN_OR_RETURN(running, RunsWithStatus(c, v1::RUN_STATUS_IN_PROGRESS));
    ASSIGN_OR_RETURN(cancelling, RunsWithStatus(c, v1::RUN_STATUS_CANCELLING));
    return absl::OkStatus();
  }));
  v1::LastError error;
  error.set_code(v1::LAST_ERROR_CODE_SERVER_ERROR);
  error.set_message("assistd restarted while the run was in progress; create a new run");
  for (const std::string& id : running) {
    RETURN_IF_ERROR(Finish(id, v1::RUN_STATUS_FAILED, &error, {}).status());
  }
  for (const std::string& id : cancelling) {
    RETURN_IF_ERROR(Finish(id, v1::RUN_STATUS_CANCELLED, nullptr, {}).status());
  }
  if (!running.empty() || !cancelling.empty() || !queued.empty()) {
    LogInfo("orchestrator: recovered runs: ", queued.size(), " queued resumed, ", running.size(),
            " in_progress failed, ", cancelling.size(), " cancelling cancelled");
  }
  for (const std::string& id : queued) Enqueue(id);
  return absl::OkStatus();
}

void RunEngine::Publish(const std::string& run_id, std::vector<v1::RunEvent> events) {
  for (v1::RunEvent& e : events) hub_.Publish(run_id, std::move(e));
}

absl::StatusOr<v1::Run> RunEngine::CreateRun(const std::string& project,
                                             const v1::CreateRunRequest& r,
                                             std::shared_ptr<RunEventLog>* log) {
  RETURN_IF_ERROR(ValidateCreateRun(r));
  return InsertNewRun(project, v1::Run(), &r, nullptr, log);
}

absl::StatusOr<v1::Run> RunEngine::CreateThreadAndRun(const std::string& project,
                                                      const v1::CreateThreadAndRunRequest& r,
                                                      std::shared_ptr<RunEventLog>* log) {
  RETURN_IF_ERROR(ValidateCreateThreadAndRun(r));
  if (r.thread().tool_resources().file_search().vector_stores_size() > 0 ||
      r.tool_resources().file_search().vector_stores_size() > 0) {
    return absl::InternalError("tool_resources.file_search.vector_stores was not resolved");
  }
  return InsertNewRun(project, v1::Run(), nullptr, &r, log);
}

absl::StatusOr<v1::Run> RunEngine::InsertNewRun(const std::string& project, v1::Run run,
                                                const v1::CreateRunRequest* create,
                                                const v1::CreateThreadAndRunRequest* create_thread,
                                                std::shared_ptr<RunEventLog>* log) {
  const int64_t now = options_.clock->NowUnixSeconds();
  const std::string& assistant_id =
      create != nullptr ? create->assistant_id() : create_thread->assistant_id();
  std::optional<v1::Thread> new_thread;
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(v1::Assistant a,
                     LoadObject<v1::Assistant>(c, kAssistants, project, nullptr, assistant_id));
    if (create != nullptr) {
      ASSIGN_OR_RETURN(v1::Thread t, LoadObject<v1::Thread>(c, kThreads, project, nullptr,
                                                            create->thread_id()));
      ASSIGN_OR_RETURN(std::optional<std::string> active, ActiveRun(c, t.id()));
      if (active) {
        return absl::FailedPreconditionError(
            absl::StrCat("Thread ", t.id(), " already has an active run ", *active, "."));
      }
      for (const v1::MessageCreate& m : create->additional_messages()) {
        RETURN_IF_ERROR(InsertMessage(c, project, &t, NewMessage(m, t.id(), now)));
      }
      run = RunFromAssistant(a, t.id(), now, options_.requires_action_timeout);
      ApplyOverrides(*create, &run);
      if (create->has_additional_instructions()) {
        run.set_instructions(run.instructions().empty()
                                 ? create->additional_instructions()
                                 : absl::StrCat(run.instructions(), "\n\n",
                                                create->additional_instructions()));
      }
    } else {
      v1::CreateThreadRequest thread_request = create_thread->thread();
      if (create_thread->has_tool_resources()) {
        *thread_request.mutable_tool_resources() = create_thread->tool_resources();
      }
      new_thread = NewThread(thread_request, now);
      RETURN_IF_ERROR(InsertThread(c, project, *new_thread, thread_request, now));
      ASSIGN_OR_RETURN(*new_thread, LoadObject<v1::Thread>(c, kThreads, project, nullptr,
                                                           new_thread->id()));
      run = RunFromAssistant(a, new_thread->id(), now, options_.requires_action_timeout);
      ApplyOverrides(*create_thread, &run);
    }
    RETURN_IF_ERROR(ValidateToolChoice(run.tool_choice(), run.tools()));
    return InsertRun(c, project, run);
  }));
  std::shared_ptr<RunEventLog> opened = hub_.Open(run.id());
  if (log != nullptr) *log = opened;
  std::vector<v1::RunEvent> events;
  if (new_thread) events.push_back(ThreadEventOf(*new_thread));
  events.push_back(RunEventOf("thread.run.created", run));
  events.push_back(RunEventOf("thread.run.queued", run));
  Publish(run.id(), std::move(events));
  Enqueue(run.id());
  return run;
}

absl::StatusOr<v1::Run> RunEngine::GetRun(const std::string& project, const std::string& thread_id,
                                          const std::string& run_id) {
  RETURN_IF_ERROR(ValidateId(thread_id, IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateId(run_id, IdKind::kRun, "run_id"));
  v1::Run run;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(run, LoadRun(c, project, thread_id, run_id));
    return absl::OkStatus();
  }));
  return run;
}

absl::StatusOr<Page<v1::Run>> RunEngine::ListRuns(const std::string& project,
                                                  const std::string& thread_id,
                                                  const PageParams& page) {
  RETURN_IF_ERROR(ValidateId(thread_id, IdKind::kThread, "thread_id"));
  Page<v1::Run> result;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<std::string> t,
                     LoadBody(c, kThreads, project, nullptr, thread_id));
    if (!t) return NotFound(kThreads, thread_id);
    ASSIGN_OR_RETURN(result, ListObjects<v1::Run>(c, kRuns, project, thread_id, page));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Run> RunEngine::UpdateRun(const std::string& project,
                                             const v1::UpdateRunRequest& r) {
  RETURN_IF_ERROR(ValidateId(r.thread_id(), IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateId(r.run_id(), IdKind::kRun, "run_id"));
  RETURN_IF_ERROR(ValidateMetadataProto(r.metadata()));
  v1::Run run;
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(run, LoadRun(c, project, r.thread_id(), r.run_id()));
    for (const std::string& f : r.clear_fields()) {
      if (f != "metadata") {
        return absl::InvalidArgumentError(absl::StrCat("clear_fields: '", f, "' can't be cleared"));
      }
      run.clear_metadata();
    }
    if (r.has_metadata()) *run.mutable_metadata() = r.metadata();
    return SaveRun(c, run);
  }));
  return run;
}

absl::StatusOr<v1::Run> RunEngine::CancelRun(const std::string& project,
                                             const std::string& thread_id,
                                             const std::string& run_id) {
  ASSIGN_OR_RETURN(v1::Run run, GetRun(project, thread_id, run_id));
  if (IsTerminal(run.status()) || run.status() == v1::RUN_STATUS_CANCELLING) {
    if (run.status() == v1::RUN_STATUS_CANCELLING) return run;
    return absl::FailedPreconditionError(absl::StrCat(
        "Cannot cancel run with status '", RunStatusName(run.status()), "'."));
  }
  std::shared_ptr<std::atomic<bool>> flag;
  {
    absl::MutexLock lock(&mu_);
    auto it = active_.find(run_id);
    if (it != active_.end()) flag = it->second;
  }
  if (run.status() == v1::RUN_STATUS_IN_PROGRESS && flag != nullptr) {
    ASSIGN_OR_RETURN(run, Finish(run_id, v1::RUN_STATUS_CANCELLING, nullptr, {}));
    flag->store(true);
    return run;
  }
  // Queued (its worker will skip it) or waiting for tool outputs.
  return Finish(run_id, v1::RUN_STATUS_CANCELLED, nullptr, {});
}

absl::StatusOr<v1::Run> RunEngine::SubmitToolOutputs(const std::string& project,
                                                     const v1::SubmitToolOutputsRequest& r,
                                                     std::shared_ptr<RunEventLog>* log,
                                                     size_t* from) {
  RETURN_IF_ERROR(ValidateId(r.thread_id(), IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateId(r.run_id(), IdKind::kRun, "run_id"));
  std::shared_ptr<RunEventLog> opened = hub_.Open(r.run_id());
  const size_t start = opened->size();
  v1::Run run;
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(run, LoadRun(c, project, r.thread_id(), r.run_id()));
    if (run.status() != v1::RUN_STATUS_REQUIRES_ACTION) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Runs in status \"", RunStatusName(run.status()), "\" do not accept tool outputs."));
    }
    std::set<std::string> pending;
    for (const auto& call : run.required_action().submit_tool_outputs().tool_calls()) {
      pending.insert(call.id());
    }
    absl::flat_hash_map<std::string, std::string> outputs;
    for (int i = 0; i < r.tool_outputs_size(); ++i) {
      const v1::ToolOutput& out = r.tool_outputs(i);
      const std::string field = absl::StrCat("tool_outputs[", i, "]");
      if (!pending.count(out.tool_call_id())) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ".tool_call_id: '", out.tool_call_id(), "' is not a pending tool call of ",
            run.id(), " (expected one of: ", absl::StrJoin(pending, ", "), ")"));
      }
      if (out.output().size() > kMaxToolOutputBytes) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".output: longer than ", kMaxToolOutputBytes, " bytes"));
      }
      if (!outputs.emplace(out.tool_call_id(), out.output()).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ".tool_call_id: '", out.tool_call_id(), "' was given twice"));
      }
    }
    std::vector<std::string> missing;
    for (const std::string& id : pending) {
      if (!outputs.count(id)) missing.push_back(id);
    }
    if (!missing.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tool_outputs: expected outputs for every pending tool call; missing ",
          absl::StrJoin(missing, ", ")));
    }
    ASSIGN_OR_RETURN(std::vector<v1::RunStep> steps, LoadSteps(c, run.id()));
    for (v1::RunStep& step : steps) {
      if (step.status() != v1::RUN_STEP_STATUS_IN_PROGRESS || !step.step_details().has_tool_calls()) {
        continue;
      }
      for (auto& call : *step.mutable_step_details()->mutable_tool_calls()->mutable_tool_calls()) {
        auto it = outputs.find(call.id());
        if (call.has_function() && it != outputs.end()) call.mutable_function()->set_output(it->second);
      }
      RETURN_IF_ERROR(SaveStep(c, step));
    }
    run.set_status(v1::RUN_STATUS_QUEUED);
    run.clear_required_action();
    return SaveRun(c, run);
  }));
  if (log != nullptr) *log = opened;
  if (from != nullptr) *from = start;
  Publish(run.id(), {RunEventOf("thread.run.queued", run)});
  Enqueue(run.id());
  return run;
}

absl::StatusOr<v1::RunStep> RunEngine::GetStep(const std::string& project,
                                               const std::string& thread_id,
                                               const std::string& run_id,
                                               const std::string& step_id, bool include_content) {
  RETURN_IF_ERROR(ValidateId(thread_id, IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateId(run_id, IdKind::kRun, "run_id"));
  RETURN_IF_ERROR(ValidateId(step_id, IdKind::kStep, "step_id"));
  v1::RunStep step;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    RETURN_IF_ERROR(LoadRun(c, project, thread_id, run_id).status());
    ASSIGN_OR_RETURN(step, LoadObject<v1::RunStep>(c, kSteps, project, &run_id, step_id));
    return absl::OkStatus();
  }));
  StripContent(&step, include_content);
  return step;
}

absl::StatusOr<Page<v1::RunStep>> RunEngine::ListSteps(const std::string& project,
                                                       const std::string& thread_id,
                                                       const std::string& run_id,
                                                       const PageParams& page,
                                                       bool include_content) {
  RETURN_IF_ERROR(ValidateId(thread_id, IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateId(run_id, IdKind::kRun, "run_id"));
  Page<v1::RunStep> result;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    RETURN_IF_ERROR(LoadRun(c, project, thread_id, run_id).status());
    ASSIGN_OR_RETURN(result, ListObjects<v1::RunStep>(c, kSteps, project, run_id, page));
    return absl::OkStatus();
  }));
  for (v1::RunStep& s : result.data) StripContent(&s, include_content);
  return result;
}

absl::StatusOr<v1::Run> RunEngine::Finish(const std::string& run_id, v1::RunStatus target,
                                          const v1::LastError* error,
                                          v1::IncompleteReason reason) {
  std::vector<v1::RunEvent> events;
  v1::Run run;
  bool ended = false;  // this call made the run terminal
  const int64_t now = options_.clock->NowUnixSeconds();
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    events.clear();
    ended = false;
    ASSIGN_OR_RETURN(auto loaded, LoadRunAnyProject(c, run_id));
    if (!loaded) return NotFound(kRuns, run_id);
    run = std::move(loaded->second);
    if (IsTerminal(run.status())) return absl::OkStatus();
    // A cancel request wins over whatever the worker was finishing with.
    v1::RunStatus status = target;
    if (run.status() == v1::RUN_STATUS_CANCELLING && status != v1::RUN_STATUS_CANCELLING) {
      status = v1::RUN_STATUS_CANCELLED;
    }
    if (status == v1::RUN_STATUS_CANCELLING) {
      run.set_status(status);
      events.push_back(RunEventOf("thread.run.cancelling", run));
      return SaveRun(c, run);
    }
    ASSIGN_OR_RETURN(std::vector<v1::RunStep> steps, LoadSteps(c, run_id));
    v1::Usage total;
    for (v1::RunStep& step : steps) {
      if (step.status() == v1::RUN_STEP_STATUS_IN_PROGRESS) {
        if (step.step_details().has_message_creation()) {
          const std::string& thread_id = run.thread_id();
          ASSIGN_OR_RETURN(v1::Message m, LoadObject<v1::Message>(
                                              c, kMessages, loaded->first, &thread_id,
                                              step.step_details().message_creation().message_id()));
          if (m.status() == v1::MESSAGE_STATUS_IN_PROGRESS) {
            m.set_status(v1::MESSAGE_STATUS_INCOMPLETE);
            m.set_incomplete_at(now);
            m.mutable_incomplete_details()->set_reason(MessageReason(status, reason));
            RETURN_IF_ERROR(UpdateBody(c, kMessages, m.id(), m));
            events.push_back(MessageEventOf("thread.message.incomplete", m));
          }
        }
        CloseStep(status, error, now, &step);
        RETURN_IF_ERROR(SaveStep(c, step));
        events.push_back(StepEventOf(StepEventName(step.status()), step));
      }
      total.set_prompt_tokens(total.prompt_tokens() + step.usage().prompt_tokens());
      total.set_completion_tokens(total.completion_tokens() + step.usage().completion_tokens());
    }
    total.set_total_tokens(total.prompt_tokens() + total.completion_tokens());
    SetRunEnd(status, error, reason, now, &run);
    *run.mutable_usage() = total;
    events.push_back(RunEventOf(RunEventName(status), run));
    ended = true;
    return SaveRun(c, run);
  }));
  Publish(run_id, std::move(events));
  if (ended) metrics::RunFinished(RunStatusName(run.status()));
  return run;
}

int RunEngine::ExpireDueRuns() {
  std::vector<std::string> due;
  absl::Status status = db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(due, DueRuns(c, options_.clock->NowUnixSeconds()));
    return absl::OkStatus();
  });
  if (!status.ok()) {
    LogWarning("orchestrator: looking for expired runs failed: ", status.ToString());
    return 0;
  }
  int expired = 0;
  for (const std::string& id : due) {
    absl::StatusOr<v1::Run> run = Finish(id, v1::RUN_STATUS_EXPIRED, nullptr, {});
    if (run.ok() && run->status() == v1::RUN_STATUS_EXPIRED) ++expired;
  }
  return expired;
}

void RunEngine::ExpiryLoop() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.expiry_scan_interval)) break;
    mu_.Unlock();
    ExpireDueRuns();
    mu_.Lock();
  }
}

void RunEngine::Enqueue(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  queue_.push_back(run_id);
  // Idle workers take queued runs; start another when there are more runs
  // than idle workers.
  if (static_cast<int>(queue_.size()) > idle_workers_ &&
      static_cast<int>(workers_.size()) < options_.max_workers) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

int RunEngine::InFlight() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(queue_.size() + active_.size());
}

}  // namespace assistd::orchestrator
