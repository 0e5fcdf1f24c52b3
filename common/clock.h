#ifndef ASSISTD_COMMON_CLOCK_H_
#define ASSISTD_COMMON_CLOCK_H_

#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace assistd {

// Source of the current time. Cores take a Clock* so tests can control time.
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // Unix seconds, the unit of every timestamp on the wire.
  int64_t NowUnixSeconds() const { return absl::ToUnixSeconds(Now()); }
};

// The process-wide wall clock. Never deleted.
Clock* RealClock();

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1700000000))
      : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace assistd

#endif  // ASSISTD_COMMON_CLOCK_H_
