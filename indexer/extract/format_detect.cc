#include "indexer/extract/format_detect.h"

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "indexer/extract/file_prefix.h"
#include "indexer/extract/office_archive.h"
#include "indexer/extract/text_cleanup.h"

namespace assistd::extract {
namespace {

// How much of the file is read for magic bytes and the text/binary check.
constexpr size_t kSniffBytes = 64 * 1024;
constexpr size_t kPdfMagicWindow = 1024;

struct ExtensionList {
  Format format;
  const char* extensions;  // lowercase, space-separated
};

constexpr ExtensionList kExtensions[] = {
    {Format::kText, "txt log text"},
    {Format::kMarkdown, "md markdown"},
    {Format::kJson, "json jsonl"},
    {Format::kCsv, "csv tsv"},
    {Format::kHtml, "html htm"},
    {Format::kPdf, "pdf"},
    {Format::kDocx, "docx"},
    {Format::kPptx, "pptx"},
    {Format::kCode,
     "c cc cpp cxx h hpp cs java js mjs ts tsx jsx py rb php sh bash go rs "
     "tex css scss sql yaml yml toml xml kt swift scala pl r lua"},
};

// The format named by the extension of `filename`, kUnknown if none.
Format FormatFromExtension(absl::string_view filename) {
  const size_t slash = filename.find_last_of("/\\");
  if (slash != absl::string_view::npos) filename.remove_prefix(slash + 1);
  const size_t dot = filename.rfind('.');
  if (dot == absl::string_view::npos) return Format::kUnknown;
  const std::string extension = absl::AsciiStrToLower(filename.substr(dot + 1));
  for (const ExtensionList& entry : kExtensions) {
    for (absl::string_view known : absl::StrSplit(entry.extensions, ' ')) {
      if (extension == known) return entry.format;
    }
  }
  return Format::kUnknown;
}

bool IsOffice(Format format) {
  return format == Format::kDocx || format == Format::kPptx;
}

// kDocx or kPptx if the ZIP at `path` holds a Word or PowerPoint main part.
// Otherwise (no such part, or libzip cannot open the archive) the office
// format named by the extension, so that its extractor reports the file as
// invalid, or kUnknown.
Format ClassifyZip(const std::string& path, Format by_extension) {
  const Format fallback =
      IsOffice(by_extension) ? by_extension : Format::kUnknown;
  absl::StatusOr<std::unique_ptr<OfficeArchive>> archive =
      OfficeArchive::Open(path, "ZIP");
  if (!archive.ok()) return fallback;
  if ((*archive)->Contains("word/document.xml")) return Format::kDocx;
  if ((*archive)->Contains("ppt/presentation.xml")) return Format::kPptx;
  return fallback;
}

bool IsText(Format format) {
  return format == Format::kText || format == Format::kMarkdown ||
         format == Format::kJson || format == Format::kCsv ||
         format == Format::kCode || format == Format::kHtml;
}

bool HasUtf16Bom(absl::string_view sample) {
  return absl::StartsWith(sample, "\xFF\xFE") ||
         absl::StartsWith(sample, "\xFE\xFF");
}

// A UTF-16 BOM, or no NUL byte and valid UTF-8 (a character cut off by the
// end of the sample does not count).
bool LooksLikeText(absl::string_view sample, bool truncated) {
  if (HasUtf16Bom(sample)) return true;
  if (sample.find('\0') != absl::string_view::npos) return false;
  if (truncated) {
    // Drop a possibly incomplete final character (at most 3 bytes).
    size_t keep = sample.size();
    for (int i = 0; i < 3 && keep > 0; ++i) {
      const auto c = static_cast<unsigned char>(sample[keep - 1]);
      if (c < 0x80) break;
      --keep;
      if (c >= 0xC0) break;
    }
    sample = sample.substr(0, keep);
  }
  return SanitizeUtf8(sample) == sample;
}

bool StartsLikeHtml(absl::string_view sample) {
  std::string head = DecodeToUtf8(sample.substr(0, 1024));
  absl::string_view text = absl::StripLeadingAsciiWhitespace(head);
  return absl::StartsWithIgnoreCase(text, "<!doctype html") ||
         absl::StartsWithIgnoreCase(text, "<html");
}

}  // namespace

absl::StatusOr<Format> DetectFormat(const std::string& path,
                                    absl::string_view filename) {
  absl::StatusOr<std::string> read = ReadFilePrefix(path, kSniffBytes);
  if (!read.ok()) return read.status();
  const absl::string_view sample = *read;
  const Format by_extension = FormatFromExtension(filename);

  // Readers accept junk before the PDF header, but a text file that merely
  // mentions "%PDF-" keeps its text extension.
  const size_t pdf_magic = sample.substr(0, kPdfMagicWindow).find("%PDF-");
  if (pdf_magic == 0 ||
      (pdf_magic != absl::string_view::npos && !IsText(by_extension))) {
    return Format::kPdf;
  }
  if (absl::StartsWith(sample, "PK\x03\x04")) {
    return ClassifyZip(path, by_extension);
  }
  if (absl::StartsWith(sample, kOleMagic)) {
    // Word and PowerPoint store a password-protected .docx/.pptx in an OLE
    // container; their extractor reports it as encrypted. Legacy .doc/.ppt
    // files are OLE too and stay unsupported.
    return IsOffice(by_extension) ? by_extension : Format::kUnknown;
  }
  if (by_extension != Format::kUnknown) {
    // A .pdf/.docx/.pptx without its magic goes to its extractor, which
    // reports it invalid. A text extension is trusted, even over invalid
    // UTF-8 (likely a legacy 8-bit encoding), unless NUL bytes without a
    // UTF-16 BOM show the data is binary.
    const bool binary =
        !HasUtf16Bom(sample) && sample.find('\0') != absl::string_view::npos;
    if (binary && !IsOffice(by_extension) && by_extension != Format::kPdf) {
      return Format::kUnknown;
    }
    return by_extension;
  }
  if (!LooksLikeText(sample, sample.size() == kSniffBytes)) {
    return Format::kUnknown;
  }
  return StartsLikeHtml(sample) ? Format::kHtml : Format::kText;
}

}  // namespace assistd::extract
