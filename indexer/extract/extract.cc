#include "indexer/extract/extract.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "indexer/extract/format_detect.h"
#include "indexer/extract/html_text_extractor.h"
#include "indexer/extract/office_text_extractor.h"
#include "indexer/extract/pdf_text_extractor.h"
#include "indexer/extract/text_extractor.h"

namespace assistd::extract {
namespace {

absl::StatusOr<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return std::move(buf).str();
}

}  // namespace

absl::StatusOr<Document> ExtractDocument(const std::string& path,
                                         absl::string_view filename) {
  ASSIGN_OR_RETURN(Format format, DetectFormat(path, filename));
  switch (format) {
    case Format::kPdf:
      return ExtractPdf(path);
    case Format::kDocx:
      return ExtractDocx(path);
    case Format::kPptx:
      return ExtractPptx(path);
    case Format::kHtml: {
      ASSIGN_OR_RETURN(std::string bytes, ReadAll(path));
      return ExtractHtml(bytes);
    }
    case Format::kText:
    case Format::kMarkdown:
    case Format::kJson:
    case Format::kCsv:
    case Format::kCode: {
      ASSIGN_OR_RETURN(std::string bytes, ReadAll(path));
      return ExtractPlainText(bytes, format);
    }
    case Format::kUnknown:
      break;
  }
  return UnsupportedFile(
      "the file type is not supported for text extraction (binary or "
      "unrecognised data)");
}

}  // namespace assistd::extract
