#ifndef ASSISTD_INDEXER_EXTRACT_DOCUMENT_H_
#define ASSISTD_INDEXER_EXTRACT_DOCUMENT_H_

// The result of text extraction, and the errors every extractor returns.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace assistd::extract {

enum class Format {
  kUnknown,
  kPdf,
  kText,      // plain text (.txt, .log, unknown text)
  kMarkdown,  // .md, .markdown
  kHtml,
  kJson,
  kCsv,
  kCode,  // source files: .c .cc .cpp .h .cs .java .js .ts .py .rb .php .sh .go .rs .tex .css ...
  kDocx,
  kPptx,
};

// "pdf", "text", "markdown", "html", "json", "csv", "code", "docx", "pptx",
// "unknown": the `format` strings of GetFileTextResponse.
absl::string_view FormatName(Format format);

// One page (PDF, PPTX slide) or section (other formats).
struct TextPage {
  int number = 0;  // 1-based
  std::string text;  // UTF-8, cleaned (no control characters but \n and \t)
  // False for a PDF page with no text layer (scanned image, no OCR).
  bool has_text_layer = true;
};

struct Document {
  Format format = Format::kUnknown;
  std::vector<TextPage> pages;
};

// Errors. Every problem with the file itself is InvalidArgument with a
// message that starts with the OpenAI `last_error.code` it maps to:
//   "unsupported_file: <why>"  unknown type, encrypted PDF, binary data
//   "invalid_file: <why>"      corrupt, truncated, or a parser crash/limit
// Anything else (I/O errors on our own disk...) keeps its own code.
absl::Status UnsupportedFile(absl::string_view why);
absl::Status InvalidFile(absl::string_view why);

enum class FileErrorKind { kNotAFileError, kUnsupported, kInvalid };
// Which of the above `status` is.
FileErrorKind ClassifyFileError(const absl::Status& status);

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_DOCUMENT_H_
