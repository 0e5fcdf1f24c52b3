#ifndef ASSISTD_INDEXER_EXTRACT_OFFICE_TEXT_EXTRACTOR_H_
#define ASSISTD_INDEXER_EXTRACT_OFFICE_TEXT_EXTRACTOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "indexer/extract/document.h"
#include "indexer/extract/office_archive.h"

namespace assistd::extract {

// DOCX (word/document.xml; paragraphs -> lines, tables -> one line per
// row with cells separated by tabs, explicit page breaks start a new
// section, headings of style Heading1/Heading2/Title start a new section).
// InvalidFile for a corrupt archive or XML; UnsupportedFile for an
// encrypted (OLE-wrapped) document. Any archive entry that would inflate past
// 256 MiB, or all entries read together past 1 GiB, is InvalidFile (zip
// bomb); the bytes are counted as they inflate, not taken from the archive's
// declared sizes. XML entities are never expanded and a part with a DTD is
// InvalidFile. NotFound (or the errno's code) if `path` can't be opened,
// DataLoss if it can't be read.
absl::StatusOr<Document> ExtractDocx(const std::string& path);

// PPTX: one section per slide in presentation order (ppt/presentation.xml
// relationships), text of every a:t run, paragraphs -> lines, then the
// slide's notes if any. Every listed slide yields a section, empty or not,
// so section numbers are slide numbers. Errors as ExtractDocx.
absl::StatusOr<Document> ExtractPptx(const std::string& path);

// As above, with `limits` (office_archive.h) instead of the defaults.
absl::StatusOr<Document> ExtractDocx(const std::string& path,
                                     const OfficeLimits& limits);
absl::StatusOr<Document> ExtractPptx(const std::string& path,
                                     const OfficeLimits& limits);

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_OFFICE_TEXT_EXTRACTOR_H_
