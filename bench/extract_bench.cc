// Extraction throughput: pages per second on a folder of PDFs (default
// ../shared/data/pdfs), assistd's ExtractionRunner (worker processes under
// limits) against poppler's own `pdftotext` on the same files in the same
// run. Each round extracts every file once; the figure is the median round.
//
//   build/bench/extract_bench [--dir=DIR] [--rounds=5]
//
// Configurations: pdftotext one file at a time (one core); assistd one
// worker at a time (per-core comparison); assistd with one worker per core
// (the batch figure). Only files both tools read are counted, and files are
// handed out largest first in every configuration.

#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "indexer/extract/extraction_runner.h"

ABSL_FLAG(std::string, dir, ASSISTD_SOURCE_DIR "/../shared/data/pdfs", "Folder of PDFs.");
ABSL_FLAG(int, rounds, 5, "Rounds per configuration; the median is reported.");
ABSL_FLAG(std::string, worker, "", "assistd-extract-worker (default: build/bin).");

extern char** environ;

namespace {

using assistd::extract::ExtractionRunner;

bool RunPdftotext(const std::string& path) {
  const char* argv[] = {"pdftotext", "-q", path.c_str(), "/dev/null", nullptr};
  pid_t pid;
  if (posix_spawnp(&pid, "pdftotext", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
    return false;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Runs `work(i)` for every file on `threads` threads; returns seconds.
template <typename Work>
double Round(size_t files, int threads, Work work) {
  std::atomic<size_t> next{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < files; i = next++) work(i);
    });
  }
  for (auto& th : pool) th.join();
  return absl::ToDoubleSeconds(absl::Now() - start);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::vector<std::string> all;
  for (const auto& e : std::filesystem::directory_iterator(absl::GetFlag(FLAGS_dir))) {
    if (absl::EndsWith(e.path().string(), ".pdf")) all.push_back(e.path().string());
  }
  // Largest first (LPT scheduling): a big file started last would leave a
  // core idle at the end of the batch. The same order suits any batch.
  std::sort(all.begin(), all.end(), [](const std::string& a, const std::string& b) {
    return std::filesystem::file_size(a) > std::filesystem::file_size(b);
  });
  assistd::extract::ExtractionRunnerOptions o;
  o.worker_path = absl::GetFlag(FLAGS_worker).empty() ? ASSISTD_WORKER
                                                      : absl::GetFlag(FLAGS_worker);
  o.max_concurrent = 1;
  auto one = *ExtractionRunner::Create(o);
  o.max_concurrent = static_cast<int>(std::thread::hardware_concurrency());
  auto many = *ExtractionRunner::Create(o);

  // The comparable set: files both extract; pages as assistd counts them.
  std::vector<std::string> files;
  long pages = 0;
  for (const std::string& f : all) {
    auto doc = one->Extract(f, f);
    if (doc.ok() && RunPdftotext(f)) {
      files.push_back(f);
      pages += static_cast<long>(doc->pages.size());
    }
  }
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const int cores = o.max_concurrent;
  std::vector<double> t_pdftotext, t_one, t_many;
  for (int r = 0; r < rounds; ++r) {
    t_pdftotext.push_back(Round(files.size(), 1, [&](size_t i) { RunPdftotext(files[i]); }));
    t_one.push_back(Round(files.size(), 1, [&](size_t i) { (void)one->Extract(files[i], files[i]); }));
    t_many.push_back(Round(files.size(), cores, [&](size_t i) { (void)many->Extract(files[i], files[i]); }));
  }
  const double p = Median(t_pdftotext), a1 = Median(t_one), an = Median(t_many);
  std::printf("files %zu (of %zu), pages %ld, rounds %d, cores %d\n", files.size(), all.size(),
              pages, rounds, cores);
  std::printf("%-34s %8s %10s %8s\n", "configuration", "seconds", "pages/s", "ratio");
  std::printf("%-34s %8.2f %10.0f %8.2f\n", "pdftotext, 1 file at a time", p, pages / p, 1.0);
  std::printf("%-34s %8.2f %10.0f %8.2f\n", "assistd, 1 worker", a1, pages / a1, p / a1);
  std::printf("%-34s %8.2f %10.0f %8.2f\n", "assistd, 1 worker per core", an, pages / an, p / an);
  return 0;
}
