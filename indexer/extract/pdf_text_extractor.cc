#include "indexer/extract/pdf_text_extractor.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "indexer/extract/text_cleanup.h"

namespace assistd::extract {
namespace {

// poppler reports every oddity of a damaged file on stderr; the caller sees
// the outcome as a Status instead.
void IgnorePopplerMessage(const std::string&, void*) {}

std::string PageText(const poppler::page& page) {
  // Reading order, as `pdftotext` (without -layout) produces it.
  poppler::byte_array utf8 =
      page.text(poppler::rectf(), poppler::page::non_raw_non_physical_layout)
          .to_utf8();
  return std::string(utf8.data(), utf8.size());
}

bool IsBlank(absl::string_view text) {
  return absl::StripAsciiWhitespace(text).empty();
}

}  // namespace

absl::StatusOr<Document> ExtractPdf(const std::string& path) {
  poppler::set_debug_error_function(IgnorePopplerMessage, nullptr);
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_file(path));
  if (doc == nullptr) {
    return InvalidFile("the PDF could not be opened (corrupt or truncated)");
  }
  if (doc->is_locked()) {
    return UnsupportedFile(
        "the PDF is encrypted and needs a password to open; upload an "
        "unencrypted copy");
  }
  Document out;
  out.format = Format::kPdf;
  const int pages = doc->pages();
  out.pages.reserve(pages > 0 ? pages : 0);
  for (int i = 0; i < pages; ++i) {
    TextPage page;
    page.number = i + 1;
    std::unique_ptr<poppler::page> p(doc->create_page(i));
    if (p != nullptr) page.text = CleanExtractedText(SanitizeUtf8(PageText(*p)));
    page.has_text_layer = !IsBlank(page.text);
    if (!page.has_text_layer) page.text.clear();
    out.pages.push_back(std::move(page));
  }
  if (pages <= 0) return InvalidFile("the PDF has no pages");
  return out;
}

void WarmUpPdfEngine() {
  // No xref table: poppler reconstructs it, which also warms that path.
  static constexpr char kPdf[] =
      "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
      "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
      "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]"
      "/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>endobj\n"
      "4 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
      "5 0 obj<</Length 37>>stream\nBT /F1 12 Tf 10 100 Td (warm) Tj ET\nendstream endobj\n"
      "trailer<</Root 1 0 R>>\n%%EOF\n";
  poppler::set_debug_error_function(IgnorePopplerMessage, nullptr);
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(kPdf, sizeof(kPdf) - 1));
  if (doc == nullptr || doc->pages() < 1) return;
  std::unique_ptr<poppler::page> page(doc->create_page(0));
  if (page != nullptr) (void)PageText(*page);
}

}  // namespace assistd::extract
