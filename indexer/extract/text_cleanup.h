#ifndef ASSISTD_INDEXER_EXTRACT_TEXT_CLEANUP_H_
#define ASSISTD_INDEXER_EXTRACT_TEXT_CLEANUP_H_

// Text normalisation shared by every extractor.

#include <string>

#include "absl/strings/string_view.h"

namespace assistd::extract {

// Decodes raw bytes to UTF-8: a UTF-8 BOM is dropped; a UTF-16 LE/BE BOM
// selects UTF-16 (surrogate pairs joined, lone surrogates replaced); anything
// else is taken as UTF-8. Every invalid or overlong sequence becomes U+FFFD;
// invalid bytes are never passed through.
std::string DecodeToUtf8(absl::string_view bytes);

// Replaces invalid UTF-8 in `s` with U+FFFD (for text that should already
// be UTF-8, e.g. from a parser).
std::string SanitizeUtf8(absl::string_view s);

// How CleanExtractedText treats line ends.
struct CleanupOptions {
  // Join words hyphenated across a line break (see below). Right for prose
  // (PDF, Office, HTML, plain text, Markdown); wrong for source code, JSON
  // and CSV, where "foo-\nbar" is meant as written.
  bool join_hyphenated_words = true;
};

// Cleans extracted text (valid UTF-8 in, valid UTF-8 out):
// - "\r\n" and "\r" become "\n"; form feed becomes "\n";
// - C0 and C1 control characters other than \n and \t are removed (DEL
//   too), as are U+FFFE/U+FFFF and zero-width no-break spaces (U+FEFF)
//   inside the text;
// - with options.join_hyphenated_words, a word broken by a hyphen at a line
//   end is joined ("exam-\nple" -> "example") when a letter precedes the
//   hyphen and the next line starts with a lowercase letter (Latin, Greek or
//   Cyrillic); soft hyphens (U+00AD) and U+2010 at line ends are joined the
//   same way. Without it, every line break stays where it is;
// - soft hyphens are removed (at line ends too);
// - trailing spaces and tabs on each line are dropped and runs of more than
//   two blank lines collapse to two.
// Invalid UTF-8 in `text` becomes U+FFFD rather than passing through.
std::string CleanExtractedText(absl::string_view text,
                               const CleanupOptions& options = {});

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_TEXT_CLEANUP_H_
