#include "indexer/extract/extraction_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "indexer/extract/document_codec.h"

extern char** environ;

namespace assistd::extract {
namespace {

// A spawned worker with its stdout pipe; killed and reaped on destruction
// unless reaped already.
struct Worker {
  pid_t pid = -1;
  int out_fd = -1;
  ~Worker() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    if (out_fd >= 0) close(out_fd);
  }
};

absl::Status Spawn(const std::vector<std::string>& argv, Worker* w) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  // Nothing of the server's (sockets, databases) reaches the parser.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  char* empty_env[] = {nullptr};
  int rc = posix_spawn(&w->pid, cargv[0], &actions, nullptr, cargv.data(), empty_env);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    w->pid = -1;
    return absl::InternalError(
        absl::StrCat("cannot start ", argv[0], ": ", std::strerror(rc)));
  }
  w->out_fd = fds[0];
  return absl::OkStatus();
}

// Reads the worker's stdout until EOF. False on timeout or oversize output.
absl::Status ReadOutput(Worker* w, absl::Time deadline, int64_t max_bytes,
                        std::string* out) {
  char buf[65536];
  while (true) {
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return absl::DeadlineExceededError("");
    pollfd p{w->out_fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(std::min<int64_t>(ms, 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // re-check the deadline
    ssize_t n = read(w->out_fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::OkStatus();
    out->append(buf, static_cast<size_t>(n));
    if (static_cast<int64_t>(out->size()) > max_bytes) {
      return absl::ResourceExhaustedError("");
    }
  }
}

absl::Status DescribeDeath(int status, const ExtractionRunnerOptions& o) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGKILL) {
      return InvalidFile(absl::StrCat("extraction exceeded the CPU-time limit of ",
                                      absl::FormatDuration(o.cpu_limit)));
    }
    return InvalidFile(absl::StrCat("the parser crashed on this file (signal ", sig,
                                    ", ", strsignal(sig), ")"));
  }
  return absl::InternalError(absl::StrCat(
      "extraction worker exited with status ", WEXITSTATUS(status)));
}

}  // namespace

std::string DefaultWorkerPath() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "assistd-extract-worker";
  std::string exe(buf, static_cast<size_t>(n));
  return exe.substr(0, exe.rfind('/') + 1) + "assistd-extract-worker";
}

absl::StatusOr<std::unique_ptr<ExtractionRunner>> ExtractionRunner::Create(
    ExtractionRunnerOptions options) {
  if (access(options.worker_path.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "extraction worker ", options.worker_path, " is missing or not executable"));
  }
  if (options.max_concurrent <= 0) {
    options.max_concurrent =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }
  return std::unique_ptr<ExtractionRunner>(new ExtractionRunner(std::move(options)));
}

absl::StatusOr<Document> ExtractionRunner::Extract(const std::string& path,
                                                   absl::string_view filename) {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](ExtractionRunner* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
          return r->running_ < r->options_.max_concurrent;
        },
        this));
    ++running_;
  }
  absl::StatusOr<Document> result = RunWorker(path, filename);
  absl::MutexLock lock(&mu_);
  --running_;
  return result;
}

absl::StatusOr<Document> ExtractionRunner::RunWorker(const std::string& path,
                                                     absl::string_view filename) {
  const absl::Time deadline = absl::Now() + options_.wall_limit;
  Worker w;
  absl::Status spawned = Spawn(
      {options_.worker_path,
       absl::StrCat(absl::ToInt64Seconds(options_.cpu_limit)),
       absl::StrCat(options_.memory_limit_bytes), path, std::string(filename)},
      &w);
  if (!spawned.ok()) return spawned;
  std::string output;
  absl::Status read = ReadOutput(&w, deadline, options_.max_result_bytes, &output);
  if (absl::IsDeadlineExceeded(read)) {
    return InvalidFile(absl::StrCat("extraction did not finish within ",
                                    absl::FormatDuration(options_.wall_limit)));
  }
  if (absl::IsResourceExhausted(read)) {
    return InvalidFile(absl::StrCat("the extracted text is larger than ",
                                    options_.max_result_bytes, " bytes"));
  }
  int status = 0;
  waitpid(w.pid, &status, 0);
  w.pid = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return DescribeDeath(status, options_);
  }
  absl::StatusOr<Document> result = DecodeResult(output);
  if (absl::IsDataLoss(result.status())) {
    return InvalidFile("the extraction worker returned a malformed result");
  }
  return result;
}

}  // namespace assistd::extract
