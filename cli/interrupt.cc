#include "cli/interrupt.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

namespace assistd::cli {
namespace {

sigset_t InterruptSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

std::unique_ptr<InterruptWatcher> InterruptWatcher::Start() {
  const sigset_t set = InterruptSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::unique_ptr<InterruptWatcher> watcher(new InterruptWatcher());
  watcher->thread_ = std::thread([w = watcher.get()] { w->Watch(); });
  return watcher;
}

InterruptWatcher::~InterruptWatcher() {
  stop_ = true;
  thread_.join();
}

void InterruptWatcher::Watch() {
  const sigset_t set = InterruptSignals();
  // Polls so that the destructor can stop it without a signal of its own.
  const timespec tick = {0, 100 * 1000 * 1000};
  while (!stop_.load()) {
    if (sigtimedwait(&set, nullptr, &tick) < 0) continue;
    if (interrupted_.exchange(true)) _exit(130);  // a second Ctrl-C: give up now
    absl::MutexLock lock(&mu_);
    if (call_ != nullptr) call_->TryCancel();
  }
}

void InterruptWatcher::SetCall(grpc::ClientContext* ctx) {
  absl::MutexLock lock(&mu_);
  call_ = ctx;
  if (call_ != nullptr && interrupted_.load()) call_->TryCancel();
}

CancelOnInterrupt::CancelOnInterrupt(InterruptWatcher* watcher, grpc::ClientContext* ctx)
    : watcher_(watcher) {
  if (watcher_ != nullptr) watcher_->SetCall(ctx);
}

CancelOnInterrupt::~CancelOnInterrupt() {
  if (watcher_ != nullptr) watcher_->SetCall(nullptr);
}

}  // namespace assistd::cli
