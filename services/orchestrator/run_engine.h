#ifndef ASSISTD_SERVICES_ORCHESTRATOR_RUN_ENGINE_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_RUN_ENGINE_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "assistd/v1/runs.pb.h"
#include "common/clock.h"
#include "common/pagination.h"
#include "common/sqlite/database.h"
#include "services/orchestrator/builtin_tools.h"
#include "services/orchestrator/model/chat_model.h"
#include "services/orchestrator/run_events.h"

namespace assistd::orchestrator {

// Finds the model for a run's `model` name; NotFound when none serves it.
using ModelResolver =
    std::function<absl::StatusOr<std::shared_ptr<model::ChatModel>>(const std::string& model)>;

struct RunEngineOptions {
  ModelResolver models;                 // required
  BuiltinTools* builtins = nullptr;     // none: built-in tools are not offered
  Clock* clock = RealClock();
  // Runs driven at once; each in-flight model call holds one thread.
  int max_workers = 1024;
  // Model calls per run before it fails ("runaway loop").
  int max_model_calls = 16;
  // A run in requires_action expires this long after it got there.
  absl::Duration requires_action_timeout = absl::Minutes(10);
  // How often expired runs are looked for.
  absl::Duration expiry_scan_interval = absl::Seconds(1);
  // One model call, including retries.
  absl::Duration model_timeout = absl::Minutes(5);
};

// Runs and run steps: the state machine, the worker pool that drives runs
// through the model, and the event streams. At Create, runs left
// in_progress or cancelling by a previous process are failed (server_error)
// or cancelled, and queued runs are resumed. Thread-safe.
class RunEngine {
 public:
  static absl::StatusOr<std::unique_ptr<RunEngine>> Create(sqlite::Database* db,
                                                           RunEngineOptions options);
  ~RunEngine();
  RunEngine(const RunEngine&) = delete;
  RunEngine& operator=(const RunEngine&) = delete;

  // Stops taking work; runs being driven are failed with server_error
  // ("assistd shut down ..."). Idempotent.
  void Stop();

  // `log` (optional) receives the run's event log from its first event.
  // FailedPrecondition in OpenAI's wording while the thread has an active
  // run. The `vector_stores` helper must have been resolved by the caller.
  absl::StatusOr<v1::Run> CreateRun(const std::string& project, const v1::CreateRunRequest& request,
                                    std::shared_ptr<RunEventLog>* log = nullptr);
  absl::StatusOr<v1::Run> CreateThreadAndRun(const std::string& project,
                                             const v1::CreateThreadAndRunRequest& request,
                                             std::shared_ptr<RunEventLog>* log = nullptr);
  absl::StatusOr<v1::Run> GetRun(const std::string& project, const std::string& thread_id,
                                 const std::string& run_id);
  absl::StatusOr<Page<v1::Run>> ListRuns(const std::string& project, const std::string& thread_id,
                                         const PageParams& page);
  absl::StatusOr<v1::Run> UpdateRun(const std::string& project, const v1::UpdateRunRequest& request);
  // queued and requires_action runs are cancelled at once; in_progress ones
  // become cancelling until their worker stops. FailedPrecondition for a
  // terminal run.
  absl::StatusOr<v1::Run> CancelRun(const std::string& project, const std::string& thread_id,
                                    const std::string& run_id);
  // `log` and `from` (optional) receive the event log and the position of
  // the first event this submission causes.
  absl::StatusOr<v1::Run> SubmitToolOutputs(const std::string& project,
                                            const v1::SubmitToolOutputsRequest& request,
                                            std::shared_ptr<RunEventLog>* log = nullptr,
                                            size_t* from = nullptr);
  // `include_content`: keep file_search result content (include[]).
  absl::StatusOr<v1::RunStep> GetStep(const std::string& project, const std::string& thread_id,
                                      const std::string& run_id, const std::string& step_id,
                                      bool include_content);
  absl::StatusOr<Page<v1::RunStep>> ListSteps(const std::string& project,
                                              const std::string& thread_id,
                                              const std::string& run_id, const PageParams& page,
                                              bool include_content);

  // Expires the requires_action runs that are due; returns how many. The
  // engine calls it every expiry_scan_interval; tests call it directly.
  int ExpireDueRuns();
  RunEventHub* events() { return &hub_; }
  // Runs waiting for or being driven by a worker.
  int InFlight() const;

 private:
  class Driver;
  friend class Driver;
  RunEngine(sqlite::Database* db, RunEngineOptions options);
  absl::Status Recover();
  absl::StatusOr<v1::Run> InsertNewRun(const std::string& project, v1::Run run,
                                       const v1::CreateRunRequest* create,
                                       const v1::CreateThreadAndRunRequest* create_thread,
                                       std::shared_ptr<RunEventLog>* log);
  // Moves a non-terminal run to `status` (terminal, or cancelling), closing
  // its open steps and message; publishes the events. Returns the run.
  absl::StatusOr<v1::Run> Finish(const std::string& run_id, v1::RunStatus status,
                                 const v1::LastError* error,
                                 v1::IncompleteReason incomplete_reason);
  void Publish(const std::string& run_id, std::vector<v1::RunEvent> events);
  void Enqueue(const std::string& run_id);
  void WorkerLoop();
  void ExpiryLoop();

  sqlite::Database* const db_;
  const RunEngineOptions options_;
  RunEventHub hub_;

  mutable absl::Mutex mu_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  int idle_workers_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Cancel flags of the runs being driven.
  absl::flat_hash_map<std::string, std::shared_ptr<std::atomic<bool>>> active_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
  std::thread expiry_thread_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_RUN_ENGINE_H_
