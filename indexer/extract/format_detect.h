#ifndef ASSISTD_INDEXER_EXTRACT_FORMAT_DETECT_H_
#define ASSISTD_INDEXER_EXTRACT_FORMAT_DETECT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "indexer/extract/document.h"

namespace assistd::extract {

// Detects the format of the file at `path`: magic bytes first ("%PDF-" at
// the start, or anywhere in the first 1 KiB unless `filename` has a text
// extension; a ZIP whose entries are a Word or PowerPoint document),
// the extension of `filename` second (it is metadata only and never used as
// a path), then content sniffing of the first 64 KiB (text vs binary: NUL
// bytes or invalid UTF-8 without a UTF-16 BOM mean binary; text starting
// with <!DOCTYPE html or <html is kHtml, other text kText).
// Decisions at the edges:
// - Magic beats the extension: a PDF named x.txt is kPdf, a PPTX named
//   x.docx is kPptx, any other ZIP or OLE file named x.txt is kUnknown.
// - A .docx/.pptx/.pdf name on data without the matching magic (a corrupt
//   ZIP, a ZIP without the Word/PowerPoint part, no %PDF-) returns that
//   format, so its extractor reports the file as invalid_file.
// - An OLE compound file named .docx/.pptx is how Office stores an
//   encrypted document: kDocx/kPptx, and the extractor reports it as
//   encrypted. Other OLE files (.doc, .ppt, .xls) are kUnknown.
// - A text extension wins over HTML sniffing (HTML in x.txt or x.php stays
//   kText / kCode) and over invalid UTF-8 (a legacy 8-bit encoding is still
//   text), but not over NUL bytes without a UTF-16 BOM: that is kUnknown.
// Returns kUnknown for binary or unrecognised data (callers turn it into
// UnsupportedFile). NotFound / an I/O error if `path` can't be read.
absl::StatusOr<Format> DetectFormat(const std::string& path,
                                    absl::string_view filename);

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_FORMAT_DETECT_H_
