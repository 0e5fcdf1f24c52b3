#ifndef ASSISTD_TESTS_UTIL_PDF_FIXTURES_H_
#define ASSISTD_TESTS_UTIL_PDF_FIXTURES_H_

// PDFs made at test time: text drawn with cairo's PDF surface, so poppler
// reads a real text layer; hostile ones written byte by byte.

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace assistd::testing {

// One page per element; each "\n" in a page starts a new line. A page given
// as the string kImageOnlyPage gets a filled rectangle and no text (like a
// scan without OCR).
inline constexpr char kImageOnlyPage[] = "<image-only>";
absl::Status WriteTextPdf(const std::string& path,
                          const std::vector<std::string>& pages);

// Copies `in` to `out` encrypted with AES-256 and a user password (qpdf).
absl::Status WriteEncryptedPdf(const std::string& in, const std::string& out);

// A small, valid PDF whose one page's content stream inflates to about
// `inflated_mb` MiB of text-drawing operators: cheap to upload, very
// expensive to extract. The extraction limits must stop it.
absl::Status WriteDecompressionBombPdf(const std::string& path, int inflated_mb);

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_UTIL_PDF_FIXTURES_H_
