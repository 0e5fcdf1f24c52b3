#include "indexer/extract/extraction_runner.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "indexer/extract/document_codec.h"

namespace assistd::extract {
namespace {

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
  std::unique_ptr<ExtractionRunner> runner(new ExtractionRunner(std::move(options)));
  RETURN_IF_ERROR(runner->Zygote().status());  // fail at startup, not on first use
  return runner;
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

absl::StatusOr<std::shared_ptr<ZygoteClient>> ExtractionRunner::Zygote() {
  absl::MutexLock lock(&mu_);
  if (zygote_ == nullptr || zygote_->dead()) {
    ASSIGN_OR_RETURN(std::unique_ptr<ZygoteClient> fresh,
                     ZygoteClient::Start(options_.worker_path));
    zygote_ = std::move(fresh);
  }
  return zygote_;
}

absl::StatusOr<Document> ExtractionRunner::RunWorker(const std::string& path,
                                                     absl::string_view filename) {
  ZygoteJob job;
  job.path = path;
  job.filename = std::string(filename);
  job.cpu_seconds = static_cast<uint32_t>(std::max<int64_t>(1, absl::ToInt64Seconds(options_.cpu_limit)));
  job.memory_bytes = static_cast<uint64_t>(options_.memory_limit_bytes);
  job.deadline = absl::Now() + options_.wall_limit;
  job.max_output_bytes = options_.max_result_bytes;
  absl::StatusOr<ZygoteOutcome> outcome = absl::UnavailableError("not run");
  // A zygote that died (rare: nothing hostile runs in it) is replaced once.
  for (int attempt = 0; attempt < 2 && absl::IsUnavailable(outcome.status()); ++attempt) {
    ASSIGN_OR_RETURN(std::shared_ptr<ZygoteClient> zygote, Zygote());
    outcome = zygote->Run(job);
  }
  if (!outcome.ok()) return outcome.status();
  if (outcome->timed_out) {
    return InvalidFile(absl::StrCat("extraction did not finish within ",
                                    absl::FormatDuration(options_.wall_limit)));
  }
  if (outcome->too_large) {
    return InvalidFile(absl::StrCat("the extracted text is larger than ",
                                    options_.max_result_bytes, " bytes"));
  }
  const int status = outcome->wait_status;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return DescribeDeath(status, options_);
  absl::StatusOr<Document> result = DecodeResult(outcome->output);
  if (absl::IsDataLoss(result.status())) {
    return InvalidFile("the extraction worker returned a malformed result");
  }
  return result;
}

}  // namespace assistd::extract
