#ifndef ASSISTD_SERVICES_ORCHESTRATOR_RUN_EVENTS_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_RUN_EVENTS_H_

// The in-memory event stream of each run. The engine appends every
// transition and delta in order; a streaming RPC reads from a position
// (the start for a new run, the current end when tool outputs are
// submitted) until the segment ends: a terminal run event or
// thread.run.requires_action. Readers never block the engine.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "assistd/v1/runs.pb.h"

namespace assistd::orchestrator {

// True for the events after which a stream ends with `done`.
bool EndsStreamSegment(const v1::RunEvent& event);

// One run's events. Thread-safe.
class RunEventLog {
 public:
  void Append(v1::RunEvent event);
  // Copies the events from `index` on into `out` (appending); waits up to
  // `timeout` for at least one when there are none yet. Returns how many.
  size_t Read(size_t index, absl::Duration timeout, std::vector<v1::RunEvent>* out);
  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<v1::RunEvent> events_ ABSL_GUARDED_BY(mu_);
};

// The logs of runs that are not terminal. Thread-safe.
class RunEventHub {
 public:
  // The run's log, created when absent.
  std::shared_ptr<RunEventLog> Open(const std::string& run_id);
  // Appends to the run's log (created when absent); a terminal run event
  // also drops the log from the hub (readers holding it finish reading).
  void Publish(const std::string& run_id, v1::RunEvent event);
  // Number of logs held (for tests and metrics).
  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<RunEventLog>> logs_ ABSL_GUARDED_BY(mu_);
};

// Event constructors.
v1::RunEvent RunEventOf(const char* name, const v1::Run& run);
v1::RunEvent StepEventOf(const char* name, const v1::RunStep& step);
v1::RunEvent MessageEventOf(const char* name, const v1::Message& message);
v1::RunEvent ThreadEventOf(const v1::Thread& thread);
// "thread.run.<status>" for a run's current status.
const char* RunEventName(v1::RunStatus status);

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_RUN_EVENTS_H_
