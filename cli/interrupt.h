#ifndef ASSISTD_CLI_INTERRUPT_H_
#define ASSISTD_CLI_INTERRUPT_H_

// Ctrl-C for commands that must clean up (cancel a run) before exiting.
// SIGINT and SIGTERM are blocked in every thread and taken by a watcher
// thread with sigtimedwait, so gRPC's threads never see them; the watcher
// sets a flag and cancels whatever call is registered. A second signal
// exits at once (status 130).

#include <grpcpp/client_context.h>

#include <atomic>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace assistd::cli {

// Thread-safe.
class InterruptWatcher {
 public:
  // Must run before any other thread exists (signal masks are inherited).
  static std::unique_ptr<InterruptWatcher> Start();
  // Stops and joins the watcher; the signals stay blocked.
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  bool interrupted() const { return interrupted_.load(); }

 private:
  friend class CancelOnInterrupt;
  InterruptWatcher() = default;
  void Watch();
  // `ctx` (may be null) is cancelled on interrupt, at once if one came
  // already; it must stay alive until replaced by another Set.
  void SetCall(grpc::ClientContext* ctx);

  std::atomic<bool> interrupted_{false};
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  grpc::ClientContext* call_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

// While alive, an interrupt cancels `ctx`. `watcher` may be null (then it
// does nothing); both must outlive this object.
class CancelOnInterrupt {
 public:
  CancelOnInterrupt(InterruptWatcher* watcher, grpc::ClientContext* ctx);
  ~CancelOnInterrupt();
  CancelOnInterrupt(const CancelOnInterrupt&) = delete;
  CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

 private:
  InterruptWatcher* const watcher_;
};

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_INTERRUPT_H_
