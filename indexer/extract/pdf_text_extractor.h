#ifndef ASSISTD_INDEXER_EXTRACT_PDF_TEXT_EXTRACTOR_H_
#define ASSISTD_INDEXER_EXTRACT_PDF_TEXT_EXTRACTOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "indexer/extract/document.h"

namespace assistd::extract {

// Extracts a PDF's text page by page with poppler-cpp, in reading order,
// cleaned with CleanExtractedText. Pages without text have
// has_text_layer = false. UnsupportedFile if the PDF needs a password;
// InvalidFile if poppler cannot open it (corrupt, truncated). Not safe on
// hostile input in-process: run it in an extraction worker (see
// extraction_worker.h), which bounds CPU, memory and time.
absl::StatusOr<Document> ExtractPdf(const std::string& path);

// Loads and extracts a tiny built-in PDF, so poppler's global state (font
// configuration, character maps) is initialised once in the extraction
// zygote and inherited by every forked child instead of rebuilt per file.
void WarmUpPdfEngine();

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_PDF_TEXT_EXTRACTOR_H_
