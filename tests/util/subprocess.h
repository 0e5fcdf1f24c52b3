#ifndef ASSISTD_TESTS_UTIL_SUBPROCESS_H_
#define ASSISTD_TESTS_UTIL_SUBPROCESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace assistd::testing {

// A child process whose stdout and stderr are merged into one pipe that the
// test reads line by line. The child is killed (SIGKILL) if still running
// when this object is destroyed. Not thread-safe.
class Subprocess {
 public:
  // Starts `argv[0]` with `argv`, in the current environment plus `env`.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(
      const std::vector<std::string>& argv,
      const std::map<std::string, std::string>& env = {});
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // Reads output until a line containing `needle` arrives and returns that
  // line. DeadlineExceeded after `timeout`, NotFound at end of output.
  absl::StatusOr<std::string> WaitForLine(const std::string& needle,
                                          absl::Duration timeout);
  // Everything read so far.
  const std::string& output() const { return output_; }
  pid_t pid() const { return pid_; }

  void Signal(int sig);
  // Reads the rest of the output and reaps the child. Returns the exit code,
  // or 128 + signal number if a signal ended it. DeadlineExceeded (after
  // killing the child) if it does not exit within `timeout`.
  absl::StatusOr<int> Wait(absl::Duration timeout);

 private:
  Subprocess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  // Reads what is available, waiting up to `timeout`. False at EOF.
  bool ReadSome(absl::Duration timeout);

  pid_t pid_;
  int fd_;
  bool eof_ = false;
  std::string output_;
  size_t scanned_ = 0;  // output_ up to here has been split into lines
};

// Reads assistd's startup line "gRPC listening on 127.0.0.1:PORT (...)"
// from `proc` and returns PORT; 0 if it does not come within `timeout`.
int ListeningPort(Subprocess& proc, absl::Duration timeout);

// Reads assistd's line "metrics listening on 127.0.0.1:PORT (/metrics)"
// (started with --metrics_addr=127.0.0.1:0; the line comes after the gRPC
// one, so call ListeningPort first) and returns PORT; 0 if it does not come
// within `timeout`.
int MetricsPort(Subprocess& proc, absl::Duration timeout);

// Reads assistd's line "HTTP listening on 127.0.0.1:PORT (REST API ...)"
// (started with --http_addr=127.0.0.1:0; the line comes after the gRPC
// one) and returns PORT; 0 if it does not come within `timeout`.
int HttpPort(Subprocess& proc, absl::Duration timeout);

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_UTIL_SUBPROCESS_H_
