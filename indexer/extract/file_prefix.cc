#include "indexer/extract/file_prefix.h"

#include <cerrno>
#include <cstdio>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace assistd::extract {

absl::StatusOr<std::string> ReadFilePrefix(const std::string& path,
                                           size_t max_bytes) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"),
                                             &std::fclose);
  if (file == nullptr) {
    const int error = errno;
    return absl::Status(absl::ErrnoToStatusCode(error),
                        absl::StrCat("cannot open ", path));
  }
  std::string prefix(max_bytes, '\0');
  const size_t n = std::fread(prefix.data(), 1, prefix.size(), file.get());
  if (std::ferror(file.get())) {
    return absl::DataLossError(absl::StrCat("cannot read ", path));
  }
  prefix.resize(n);
  return prefix;
}

}  // namespace assistd::extract
