// assistd-extract-worker: extracts one file's text in a process of its own,
// so that a parser crash, hang or memory blow-up on hostile input costs this
// process and nothing else. Started by ExtractionRunner:
//
//   assistd-extract-worker CPU_SECONDS MEMORY_BYTES PATH FILENAME
//
// Limits are applied before the input is opened. The result (document or
// error, see document_codec.h) goes to stdout; exit status 0 means a result
// was written.

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "absl/strings/numbers.h"
#include "indexer/extract/document_codec.h"
#include "indexer/extract/extract.h"

namespace {

bool Limit(int resource, unsigned long long value) {
  rlimit r{value, value};
  return setrlimit(resource, &r) == 0;
}

bool WriteAll(const std::string& data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = write(STDOUT_FILENO, p, left);
    if (n <= 0) return false;
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Die with the server rather than outlive it.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  unsigned long long cpu = 0, memory = 0;
  if (argc != 5 || !absl::SimpleAtoi(argv[1], &cpu) || !absl::SimpleAtoi(argv[2], &memory)) {
    std::fprintf(stderr, "usage: %s CPU_SECONDS MEMORY_BYTES PATH FILENAME\n", argv[0]);
    return 2;
  }
  // SIGXCPU at the soft limit; the hard limit one second later kills.
  rlimit cpu_limit{cpu, cpu + 1};
  if (setrlimit(RLIMIT_CPU, &cpu_limit) != 0 || !Limit(RLIMIT_AS, memory) ||
      !Limit(RLIMIT_CORE, 0) || !Limit(RLIMIT_NOFILE, 64)) {
    std::perror("setrlimit");
    return 3;
  }
  absl::StatusOr<assistd::extract::Document> result;
  try {
    result = assistd::extract::ExtractDocument(argv[3], argv[4]);
  } catch (const std::bad_alloc&) {
    result = assistd::extract::InvalidFile(
        "extracting this file needs more memory than the extraction limit");
  } catch (...) {
    result = assistd::extract::InvalidFile("the parser failed on this file");
  }
  return WriteAll(assistd::extract::EncodeResult(result)) ? 0 : 4;
}
