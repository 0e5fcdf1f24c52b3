// A stand-in for assistd-extract-worker (same zygote protocol) whose
// children misbehave on request, to test ExtractionRunner's supervision.
// The FILENAME of a job chooses the behaviour:
//   ok       a one-page document      crash     SIGSEGV
//   hang     blocks forever           garbage   bytes that decode to nothing
//   flood    writes without end       exit7     exits 7 without output
//   kill-zygote  kills the zygote itself (the runner must start a new one)

#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "indexer/extract/document_codec.h"
#include "indexer/extract/extraction_zygote.h"

namespace {

using assistd::extract::Document;

absl::StatusOr<Document> Misbehave(const std::string& path, const std::string& mode) {
  if (mode == "crash") raise(SIGSEGV);
  if (mode == "kill-zygote") {
    kill(getppid(), SIGKILL);
    while (true) pause();  // PDEATHSIG ends this child too
  }
  if (mode == "hang") {
    while (true) pause();
  }
  if (mode == "exit7") _exit(7);
  if (mode == "garbage") {
    (void)!write(STDOUT_FILENO, "not a result", 12);
    _exit(0);
  }
  if (mode == "flood") {
    std::string block(1 << 16, 'x');
    while (write(STDOUT_FILENO, block.data(), block.size()) > 0) {
    }
    _exit(0);
  }
  Document doc;
  doc.format = assistd::extract::Format::kText;
  doc.pages = {{1, "fake text of " + path, true}};
  return doc;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::strcmp(argv[1], "--zygote") != 0) return 2;
  return assistd::extract::RunExtractionZygote(3, Misbehave);
}
