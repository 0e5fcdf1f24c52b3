#include "tests/util/assistd_process.h"

#include <csignal>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace assistd::testing {

absl::StatusOr<std::unique_ptr<AssistdProcess>> AssistdProcess::Start(
    const std::vector<std::string>& argv, const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Subprocess> proc, Subprocess::Start(argv));
  const int grpc_port = ListeningPort(*proc, options.timeout);
  const int metrics_port = options.metrics ? MetricsPort(*proc, options.timeout) : 0;
  const int http_port = options.http ? HttpPort(*proc, options.timeout) : 0;
  if (grpc_port == 0 || (options.metrics && metrics_port == 0) ||
      (options.http && http_port == 0)) {
    return absl::UnavailableError(absl::StrCat("assistd did not start: ", proc->output()));
  }
  while (options.await_sandbox) {
    absl::StatusOr<std::string> line = proc->WaitForLine("sandbox: ", options.timeout);
    if (!line.ok() || absl::StrContains(*line, "ready") || absl::StrContains(*line, "disabled")) {
      break;
    }
  }
  auto process = std::unique_ptr<AssistdProcess>(
      new AssistdProcess(std::move(proc), grpc_port, metrics_port));
  process->http_port_ = http_port;
  return process;
}

AssistdProcess::AssistdProcess(std::unique_ptr<Subprocess> proc, int grpc_port,
                               int metrics_port)
    : proc_(std::move(proc)), grpc_port_(grpc_port), metrics_port_(metrics_port) {
  drain_ = std::thread([this] { (void)proc_->Wait(absl::Hours(24)); });
}

AssistdProcess::~AssistdProcess() {
  proc_->Signal(SIGKILL);
  drain_.join();
}

std::string AssistdProcess::address() const { return absl::StrCat("127.0.0.1:", grpc_port_); }

}  // namespace assistd::testing
