#ifndef ASSISTD_INDEXER_EXTRACT_EXTRACT_H_
#define ASSISTD_INDEXER_EXTRACT_EXTRACT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "indexer/extract/document.h"

namespace assistd::extract {

// Detects the format of the file at `path` (named `filename` by the user)
// and extracts its text. UnsupportedFile for unknown or binary data; other
// errors as the format's extractor. Runs parsers in this process: the
// server calls it only inside an extraction worker.
absl::StatusOr<Document> ExtractDocument(const std::string& path,
                                         absl::string_view filename);

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_EXTRACT_H_
