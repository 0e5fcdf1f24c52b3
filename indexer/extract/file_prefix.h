#ifndef ASSISTD_INDEXER_EXTRACT_FILE_PREFIX_H_
#define ASSISTD_INDEXER_EXTRACT_FILE_PREFIX_H_

// Reading the first bytes of a file, for magic-number checks.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace assistd::extract {

// The first bytes of an OLE compound file: legacy .doc/.ppt/.xls files, and
// the container Office wraps a password-protected .docx/.pptx in.
inline constexpr absl::string_view kOleMagic =
    "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

// The first `max_bytes` bytes of the file at `path` (all of it if shorter).
// NotFound (or the code of the errno) if it can't be opened, DataLoss if
// reading fails (e.g. `path` is a directory).
absl::StatusOr<std::string> ReadFilePrefix(const std::string& path,
                                           size_t max_bytes);

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_FILE_PREFIX_H_
