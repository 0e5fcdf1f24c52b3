#ifndef ASSISTD_INDEXER_EXTRACT_EXTRACTION_RUNNER_H_
#define ASSISTD_INDEXER_EXTRACT_EXTRACTION_RUNNER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "indexer/extract/document.h"
#include "indexer/extract/zygote_client.h"

namespace assistd::extract {

struct ExtractionRunnerOptions {
  // The assistd-extract-worker binary.
  std::string worker_path;
  // Per-file limits. CPU and memory are rlimits inside the worker; the wall
  // time is enforced here (a parser blocked on nothing still gets killed).
  absl::Duration cpu_limit = absl::Seconds(60);
  int64_t memory_limit_bytes = int64_t{2} << 30;
  absl::Duration wall_limit = absl::Seconds(120);
  // Largest encoded result accepted from a worker.
  int64_t max_result_bytes = int64_t{512} << 20;
  // Workers running at once; 0 = the number of cores.
  int max_concurrent = 0;
};

// Extracts files in worker processes: one short-lived process per file,
// forked from a pre-initialised zygote (`worker --zygote`), at most
// max_concurrent at a time (callers beyond that wait their turn). A worker
// that crashes, exceeds a limit or prints garbage fails that file with
// InvalidFile and affects nothing else; a zygote that dies is replaced.
// Thread-safe.
class ExtractionRunner {
 public:
  // Starts the zygote. FailedPrecondition if the worker binary is missing or
  // not executable; Internal if it cannot be started.
  static absl::StatusOr<std::unique_ptr<ExtractionRunner>> Create(
      ExtractionRunnerOptions options);
  ExtractionRunner(const ExtractionRunner&) = delete;
  ExtractionRunner& operator=(const ExtractionRunner&) = delete;

  // Extracts the file at `path`, which the user named `filename`. Returns
  // the document, or the worker's error (UnsupportedFile / InvalidFile), or
  // InvalidFile naming the limit that killed the worker, or Internal if the
  // worker could not be started.
  absl::StatusOr<Document> Extract(const std::string& path,
                                   absl::string_view filename);

  const ExtractionRunnerOptions& options() const { return options_; }

 private:
  explicit ExtractionRunner(ExtractionRunnerOptions options)
      : options_(std::move(options)) {}
  absl::StatusOr<Document> RunWorker(const std::string& path,
                                     absl::string_view filename);
  // The live zygote, started anew if the last one died.
  absl::StatusOr<std::shared_ptr<ZygoteClient>> Zygote();

  const ExtractionRunnerOptions options_;
  absl::Mutex mu_;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  // Shared: jobs in flight keep using the zygote they started on while a
  // replacement is made for new ones.
  std::shared_ptr<ZygoteClient> zygote_ ABSL_GUARDED_BY(mu_);
};

// The worker binary installed next to the running executable
// (<dir of /proc/self/exe>/assistd-extract-worker).
std::string DefaultWorkerPath();

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_EXTRACTION_RUNNER_H_
