#ifndef ASSISTD_INDEXER_EXTRACT_TEXT_EXTRACTOR_H_
#define ASSISTD_INDEXER_EXTRACT_TEXT_EXTRACTOR_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "indexer/extract/document.h"

namespace assistd::extract {

// Plain text, Markdown, JSON, CSV and source code. `bytes` are decoded with
// DecodeToUtf8 and cleaned with CleanExtractedText; words hyphenated across a
// line break are joined in text and Markdown only (code, JSON and CSV keep
// "foo-\nbar" as written). Sections: Markdown is split before each ATX heading
// of level 1 or 2 (outside ``` / ~~~ fenced code); other formats split on form
// feeds. Then any section (Markdown too) longer than 64 KiB is split at the
// last line break before that size (the break itself is dropped), or, in a
// single longer line, at the last UTF-8 character boundary. Sections lose
// trailing newlines and empty ones are dropped; an empty file yields one empty
// section. `format` must be one of the formats above (Internal otherwise).
// Never fails on content.
absl::StatusOr<Document> ExtractPlainText(absl::string_view bytes,
                                          Format format);

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_TEXT_EXTRACTOR_H_
