#ifndef ASSISTD_SANDBOX_KERNEL_ZYGOTE_CLIENT_H_
#define ASSISTD_SANDBOX_KERNEL_ZYGOTE_CLIENT_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sandbox/kernel/zygote_protocol.h"

namespace assistd::sandbox {

struct ZygoteClientOptions {
  // The assistd-sandbox-zygote binary.
  std::string zygote_path;
  // Host directory for matplotlib's prebuilt font cache (created if
  // missing).
  std::string mplconfig_dir;
  // How long importing numpy, pandas and matplotlib may take.
  absl::Duration start_timeout = absl::Seconds(120);
};

// Owns one Python zygote process and asks it for session processes.
// Thread-safe: a dispatcher thread routes the zygote's replies.
class ZygoteClient {
 public:
  // Starts the zygote from a clean exec (empty environment but the sandbox
  // allowlist, new session id, only its socket inherited) and waits until
  // its libraries are loaded. FailedPrecondition if the binary is missing;
  // Unavailable if it dies or reports an error while starting;
  // DeadlineExceeded after start_timeout.
  static absl::StatusOr<std::unique_ptr<ZygoteClient>> Start(const ZygoteClientOptions& options);
  // Closes the socket: the zygote kills every session it started and exits.
  ~ZygoteClient();
  ZygoteClient(const ZygoteClient&) = delete;
  ZygoteClient& operator=(const ZygoteClient&) = delete;

  // Forks a jailed session process; `fds` follow kSpawn*Fd (the caller
  // keeps its copies). Returns its pid (host PID namespace). Unavailable if
  // the zygote is dead; Internal with the zygote's message if the spawn
  // failed.
  absl::StatusOr<pid_t> Spawn(const SpawnRequest& request, const std::array<int, kSpawnFdCount>& fds);
  // Sends `signo` to a session process, only while the zygote has not
  // reaped it (so never to a reused pid).
  void Signal(pid_t pid, int signo);
  // Exit status of a session process, once the zygote has reaped it.
  std::optional<int> ExitStatus(pid_t pid) const;
  bool dead() const;
  pid_t pid() const { return zygote_pid_; }

 private:
  ZygoteClient(pid_t pid, int sock) : zygote_pid_(pid), sock_(sock) {}
  void DispatchLoop();

  const pid_t zygote_pid_;
  const int sock_;
  std::thread dispatcher_;
  mutable absl::Mutex mu_;
  absl::Mutex send_mu_;  // one packet at a time on the socket
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  bool dead_ ABSL_GUARDED_BY(mu_) = false;
  std::string failure_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  // id -> pid (> 0) or the zygote's error message.
  std::map<uint64_t, absl::StatusOr<pid_t>> started_ ABSL_GUARDED_BY(mu_);
  std::map<pid_t, int> exited_ ABSL_GUARDED_BY(mu_);
};

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_KERNEL_ZYGOTE_CLIENT_H_
