#include "indexer/extract/document.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace assistd::extract {
namespace {

constexpr absl::string_view kUnsupportedPrefix = "unsupported_file: ";
constexpr absl::string_view kInvalidPrefix = "invalid_file: ";

}  // namespace

absl::string_view FormatName(Format format) {
  switch (format) {
    case Format::kUnknown: return "unknown";
    case Format::kPdf: return "pdf";
    case Format::kText: return "text";
    case Format::kMarkdown: return "markdown";
    case Format::kHtml: return "html";
    case Format::kJson: return "json";
    case Format::kCsv: return "csv";
    case Format::kCode: return "code";
    case Format::kDocx: return "docx";
    case Format::kPptx: return "pptx";
  }
  return "unknown";
}

absl::Status UnsupportedFile(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(kUnsupportedPrefix, why));
}

absl::Status InvalidFile(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(kInvalidPrefix, why));
}

FileErrorKind ClassifyFileError(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    return FileErrorKind::kNotAFileError;
  }
  if (absl::StartsWith(status.message(), kUnsupportedPrefix)) {
    return FileErrorKind::kUnsupported;
  }
  if (absl::StartsWith(status.message(), kInvalidPrefix)) {
    return FileErrorKind::kInvalid;
  }
  return FileErrorKind::kNotAFileError;
}

}  // namespace assistd::extract
