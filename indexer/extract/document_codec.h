#ifndef ASSISTD_INDEXER_EXTRACT_DOCUMENT_CODEC_H_
#define ASSISTD_INDEXER_EXTRACT_DOCUMENT_CODEC_H_

// A compact binary form of an extraction result (a Document or an error),
// used on the pipe from an extraction worker and for the per-blob text cache.
// Little-endian: "AXT1", kind u8 (0 document, 1 error), then
//   document: format u8, page count u32, per page: number u32,
//             has_text_layer u8, length u32, UTF-8 bytes;
//   error:    status code u32, length u32, message bytes.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "indexer/extract/document.h"

namespace assistd::extract {

std::string EncodeResult(const absl::StatusOr<Document>& result);

// Returns the encoded document, or the encoded error as a Status. DataLoss if
// `bytes` is not a complete, well-formed encoding (truncated, bad magic,
// lengths past the end, trailing bytes, an unknown format, an OK error code).
absl::StatusOr<Document> DecodeResult(absl::string_view bytes);

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_DOCUMENT_CODEC_H_
