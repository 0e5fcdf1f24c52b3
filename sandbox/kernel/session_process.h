#ifndef ASSISTD_SANDBOX_KERNEL_SESSION_PROCESS_H_
#define ASSISTD_SANDBOX_KERNEL_SESSION_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace assistd::sandbox {

// Limits of one execution, enforced on the host side.
struct ExecuteLimits {
  // Wall clock before the code is interrupted (SIGINT, KeyboardInterrupt).
  absl::Duration timeout = absl::Seconds(30);
  // After the interrupt, how long the code has to stop before the session
  // is killed.
  absl::Duration interrupt_grace = absl::Seconds(2);
  // stdout + stderr bytes passed on; the rest is dropped after a marker.
  int64_t max_output_bytes = 64 << 10;
  // Images (PNG figures) passed on, and the size of each.
  int max_images = 16;
  int64_t max_image_bytes = 8 << 20;
  // Changed files reported.
  int max_files = 100;
};

// What the code produced, as it arrives. Return false to stop listening
// (the caller went away): the code is then interrupted like at a timeout.
class ExecuteSink {
 public:
  virtual ~ExecuteSink() = default;
  // Called first, with this execution's number in the session (1, 2, ...).
  virtual void OnStart(int execution_count) {}
  virtual bool OnStdout(absl::string_view text) = 0;
  virtual bool OnStderr(absl::string_view text) = 0;
  virtual bool OnResult(absl::string_view text_repr) = 0;
  virtual bool OnError(absl::string_view ename, absl::string_view evalue,
                       const std::vector<std::string>& traceback) = 0;
  virtual bool OnImage(absl::string_view name, absl::string_view mime,
                       absl::string_view data) = 0;
  // A file the code created or changed under /mnt/data, checked and hashed
  // by the host (the session layer calls it after the kernel is done).
  virtual bool OnFile(absl::string_view path, int64_t bytes, absl::string_view sha256,
                      int64_t modified_at) = 0;
};

struct ExecuteOutcome {
  bool completed = false;    // the kernel said done
  bool interrupted = false;  // SIGINT was sent (timeout or cancel)
  bool timed_out = false;    // ... because of the wall clock
  bool cancelled = false;    // ... because the sink stopped listening
  bool truncated = false;    // output over the cap
  bool died = false;         // the process ended or broke the protocol
  std::string failure;       // why, when died
  // Paths (relative to /mnt/data) the kernel says it created or changed;
  // unverified.
  std::vector<std::string> changed_files;
};

// The host's end of one session process: its control socket and its
// stdout/stderr pipes. Not thread-safe; one Execute at a time.
class SessionProcess {
 public:
  // Takes ownership of the descriptors.
  SessionProcess(pid_t pid, int control_fd, int stdout_fd, int stderr_fd);
  ~SessionProcess();
  SessionProcess(const SessionProcess&) = delete;
  SessionProcess& operator=(const SessionProcess&) = delete;

  // Waits for the kernel's ready frame. Unavailable, with what the process
  // wrote to stderr (the jail's error), if it exits first;
  // DeadlineExceeded after `timeout`.
  absl::Status WaitReady(absl::Duration timeout);

  // Runs `code` and streams what it produces into `sink` until the kernel
  // is done, the process dies, or the interrupt grace runs out (then
  // completed and died are both false and the caller must kill the
  // session). `interrupt` is called once to deliver SIGINT.
  ExecuteOutcome Execute(absl::string_view code, const ExecuteLimits& limits,
                         ExecuteSink* sink, const std::function<void()>& interrupt);

  pid_t pid() const { return pid_; }
  // True if the process's end of the control socket is closed (it exited).
  bool Dead() const;

 private:
  struct Run;
  bool ReadControl(Run* run);
  bool HandleFrame(Run* run, const struct Frame& frame);
  void ReadStream(Run* run, int fd, bool final);

  const pid_t pid_;
  const int control_fd_;
  const int stdout_fd_;
  const int stderr_fd_;
  std::unique_ptr<class FrameReader> reader_;
};

// Replaces ill-formed UTF-8 in `*carry` + `bytes` with U+FFFD and returns
// the text; an incomplete character at the end stays in `*carry` for the
// next call unless `final`.
std::string SanitizeUtf8(absl::string_view bytes, std::string* carry, bool final);

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_KERNEL_SESSION_PROCESS_H_
