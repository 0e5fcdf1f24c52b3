#ifndef ASSISTD_INDEXER_EXTRACT_HTML_TEXT_EXTRACTOR_H_
#define ASSISTD_INDEXER_EXTRACT_HTML_TEXT_EXTRACTOR_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "indexer/extract/document.h"

namespace assistd::extract {

// HTML: parsed with libxml2's HTML parser (recovering from broken markup);
// script, style, noscript, template and head content dropped; entities
// decoded; block elements (p, div, br, li, tr, h1-h6, ...) end lines, table
// cells are separated by tabs, whitespace collapses except inside <pre>.
// Sections split before each h1/h2. A UTF-16 BOM or valid UTF-8 is decoded
// as such; other bytes follow <meta charset> (libxml2's fallback is
// Latin-1). Empty input yields one empty section; InvalidFile if nothing
// parses at all. Markup nested deeper than libxml2's limit (256) is cut off.
absl::StatusOr<Document> ExtractHtml(absl::string_view bytes);

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_HTML_TEXT_EXTRACTOR_H_
