#include "services/orchestrator/run_events.h"

namespace assistd::orchestrator {


bool EndsStreamSegment(const v1::RunEvent& event) {
  if (!event.has_run()) return false;
  switch (event.run().status()) {
    case v1::RUN_STATUS_REQUIRES_ACTION:
    case v1::RUN_STATUS_CANCELLED:
    case v1::RUN_STATUS_FAILED:
    case v1::RUN_STATUS_COMPLETED:
    case v1::RUN_STATUS_INCOMPLETE:
    case v1::RUN_STATUS_EXPIRED:
      return true;
    default:
      return false;
  }
}

void RunEventLog::Append(v1::RunEvent event) {
  absl::MutexLock lock(&mu_);
  events_.push_back(std::move(event));
}

size_t RunEventLog::Read(size_t index, absl::Duration timeout, std::vector<v1::RunEvent>* out) {
  absl::MutexLock lock(&mu_);
  auto available = [this, index]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return events_.size() > index;
  };
  mu_.AwaitWithTimeout(absl::Condition(&available), timeout);
  size_t n = 0;
  for (size_t i = index; i < events_.size(); ++i, ++n) out->push_back(events_[i]);
  return n;
}

size_t RunEventLog::size() const {
  absl::MutexLock lock(&mu_);
  return events_.size();
}

std::shared_ptr<RunEventLog> RunEventHub::Open(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<RunEventLog>& log = logs_[run_id];
  if (log == nullptr) log = std::make_shared<RunEventLog>();
  return log;
}

void RunEventHub::Publish(const std::string& run_id, v1::RunEvent event) {
  const bool terminal = event.has_run() && EndsStreamSegment(event) &&
                        event.run().status() != v1::RUN_STATUS_REQUIRES_ACTION;
  std::shared_ptr<RunEventLog> log = Open(run_id);
  log->Append(std::move(event));
  if (terminal) {
    absl::MutexLock lock(&mu_);
    logs_.erase(run_id);
  }
}

size_t RunEventHub::size() const {
  absl::MutexLock lock(&mu_);
  return logs_.size();
}

v1::RunEvent RunEventOf(const char* name, const v1::Run& run) {
  v1::RunEvent e;
  e.set_event(name);
  *e.mutable_run() = run;
  return e;
}

v1::RunEvent StepEventOf(const char* name, const v1::RunStep& step) {
  v1::RunEvent e;
  e.set_event(name);
  *e.mutable_run_step() = step;
  return e;
}

v1::RunEvent MessageEventOf(const char* name, const v1::Message& message) {
  v1::RunEvent e;
  e.set_event(name);
  *e.mutable_message() = message;
  return e;
}

v1::RunEvent ThreadEventOf(const v1::Thread& thread) {
  v1::RunEvent e;
  e.set_event("thread.created");
  *e.mutable_thread() = thread;
  return e;
}

const char* RunEventName(v1::RunStatus status) {
  switch (status) {
    case v1::RUN_STATUS_QUEUED: return "thread.run.queued";
    case v1::RUN_STATUS_IN_PROGRESS: return "thread.run.in_progress";
    case v1::RUN_STATUS_REQUIRES_ACTION: return "thread.run.requires_action";
    case v1::RUN_STATUS_CANCELLING: return "thread.run.cancelling";
    case v1::RUN_STATUS_CANCELLED: return "thread.run.cancelled";
    case v1::RUN_STATUS_FAILED: return "thread.run.failed";
    case v1::RUN_STATUS_COMPLETED: return "thread.run.completed";
    case v1::RUN_STATUS_INCOMPLETE: return "thread.run.incomplete";
    case v1::RUN_STATUS_EXPIRED: return "thread.run.expired";
    default: return "thread.run.created";
  }
}

}  // namespace assistd::orchestrator
