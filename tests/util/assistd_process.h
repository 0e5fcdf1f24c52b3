#ifndef ASSISTD_TESTS_UTIL_ASSISTD_PROCESS_H_
#define ASSISTD_TESTS_UTIL_ASSISTD_PROCESS_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/util/subprocess.h"

namespace assistd::testing {

// The real assistd binary as a child process: started with `argv` (argv[0]
// the binary, "--grpc_addr=127.0.0.1:0" among the flags), its ports read
// from its startup log, the rest of its log drained by a thread so it never
// blocks on a full pipe. Killed (SIGKILL) when destroyed.
class AssistdProcess {
 public:
  struct Options {
    absl::Duration timeout = absl::Seconds(60);
    // Also read "metrics listening on" (needs --metrics_addr=127.0.0.1:0).
    bool metrics = false;
    // Also read "HTTP listening on" (needs --http_addr=127.0.0.1:0).
    bool http = false;
    // Also wait for "sandbox: " ready/disabled, so the zygote's start-up
    // does not compete with what comes next (benchmarks).
    bool await_sandbox = false;
  };

  // Unavailable with the log so far when a port line does not come.
  static absl::StatusOr<std::unique_ptr<AssistdProcess>> Start(
      const std::vector<std::string>& argv, const Options& options);
  static absl::StatusOr<std::unique_ptr<AssistdProcess>> Start(
      const std::vector<std::string>& argv) {
    return Start(argv, Options());
  }
  ~AssistdProcess();
  AssistdProcess(const AssistdProcess&) = delete;
  AssistdProcess& operator=(const AssistdProcess&) = delete;

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  // The REST gateway's port; 0 unless Options::http.
  int http_port() const { return http_port_; }
  // "127.0.0.1:<grpc port>".
  std::string address() const;
  pid_t pid() const { return proc_->pid(); }

 private:
  AssistdProcess(std::unique_ptr<Subprocess> proc, int grpc_port, int metrics_port);

  std::unique_ptr<Subprocess> proc_;
  const int grpc_port_;
  const int metrics_port_;
  int http_port_ = 0;
  std::thread drain_;
};

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_UTIL_ASSISTD_PROCESS_H_
