// A stand-in for assistd-extract-worker that misbehaves on request, to test
// ExtractionRunner's supervision. Same command line as the real worker; the
// FILENAME argument chooses the behaviour:
//   ok       a one-page document      crash   SIGSEGV
//   hang     blocks forever           garbage writes bytes that decode to nothing
//   flood    writes without end       exit7   exits 7 without output

#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "indexer/extract/document_codec.h"

int main(int argc, char** argv) {
  if (argc != 5) return 2;
  const std::string mode = argv[4];
  if (mode == "crash") raise(SIGSEGV);
  if (mode == "hang") {
    while (true) pause();
  }
  if (mode == "exit7") return 7;
  std::string out;
  if (mode == "garbage") {
    out = "this is not a result";
  } else if (mode == "flood") {
    std::string block(1 << 16, 'x');
    while (write(STDOUT_FILENO, block.data(), block.size()) > 0) {
    }
    return 0;
  } else {
    assistd::extract::Document doc;
    doc.format = assistd::extract::Format::kText;
    doc.pages = {{1, std::string("fake text of ") + argv[3], true}};
    out = assistd::extract::EncodeResult(doc);
  }
  return write(STDOUT_FILENO, out.data(), out.size()) == static_cast<ssize_t>(out.size()) ? 0 : 1;
}
