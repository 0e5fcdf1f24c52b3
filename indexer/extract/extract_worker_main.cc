// assistd-extract-worker: the extraction zygote. Started by ExtractionRunner
// as `assistd-extract-worker --zygote` with its control socket on fd 3; it
// initialises the parsers once, then forks one child per file, so a parser
// crash, hang or memory blow-up on hostile input costs that child and
// nothing else (see extraction_zygote.h).

#include <cstdio>
#include <cstring>

#include "indexer/extract/extract.h"
#include "indexer/extract/extraction_zygote.h"
#include "indexer/extract/pdf_text_extractor.h"

int main(int argc, char** argv) {
  if (argc != 2 || std::strcmp(argv[1], "--zygote") != 0) {
    std::fprintf(stderr,
                 "usage: %s --zygote   (started by assistd with its control socket on fd 3)\n",
                 argv[0]);
    return 2;
  }
  assistd::extract::WarmUpPdfEngine();
  return assistd::extract::RunExtractionZygote(
      3, [](const std::string& path, const std::string& filename) {
        return assistd::extract::ExtractDocument(path, filename);
      });
}
