#ifndef ASSISTD_INDEXER_EXTRACT_ZYGOTE_CLIENT_H_
#define ASSISTD_INDEXER_EXTRACT_ZYGOTE_CLIENT_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace assistd::extract {

struct ZygoteJob {
  std::string path;
  std::string filename;
  uint32_t cpu_seconds = 60;
  uint64_t memory_bytes = uint64_t{2} << 30;
  absl::Time deadline = absl::InfiniteFuture();  // wall clock
  int64_t max_output_bytes = int64_t{512} << 20;
};

struct ZygoteOutcome {
  bool timed_out = false;   // killed at the deadline
  bool too_large = false;   // killed for exceeding max_output_bytes
  int wait_status = 0;      // of the child, as from waitpid()
  std::string output;       // what the child wrote
};

// Owns one extraction zygote process (`worker --zygote`) and runs jobs in
// its forked children. Thread-safe: jobs run concurrently; a dispatcher
// thread routes the zygote's replies to them.
class ZygoteClient {
 public:
  // Starts the zygote. Internal if it cannot be spawned.
  static absl::StatusOr<std::unique_ptr<ZygoteClient>> Start(const std::string& worker_path);
  // Closes the socket (the zygote kills its children and exits) and reaps.
  ~ZygoteClient();
  ZygoteClient(const ZygoteClient&) = delete;
  ZygoteClient& operator=(const ZygoteClient&) = delete;

  // Runs `job` in a fresh child. Unavailable if the zygote has died (make a
  // new client); Internal if fork failed.
  absl::StatusOr<ZygoteOutcome> Run(const ZygoteJob& job);

  bool dead() const;

 private:
  ZygoteClient(pid_t pid, int sock) : zygote_pid_(pid), sock_(sock) {}
  void DispatchLoop();
  // Waits until the dispatcher has put `key` in `replies` and takes its
  // value. Unavailable if the zygote dies first.
  template <typename K, typename V>
  absl::StatusOr<V> AwaitReply(std::map<K, V>* replies, K key);

  const pid_t zygote_pid_;
  const int sock_;
  std::thread dispatcher_;
  mutable absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool dead_ ABSL_GUARDED_BY(mu_) = false;
  // Started: id -> pid (> 0) or -errno (fork failed).
  std::map<uint64_t, int64_t> started_ ABSL_GUARDED_BY(mu_);
  std::map<pid_t, int> exited_ ABSL_GUARDED_BY(mu_);  // pid -> wait status
};

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_ZYGOTE_CLIENT_H_
