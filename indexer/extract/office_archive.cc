#include "indexer/extract/office_archive.h"

#include <zip.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "indexer/extract/document.h"
#include "indexer/extract/file_prefix.h"

namespace assistd::extract {
namespace {

struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

}  // namespace

void OfficeArchive::ZipDiscarder::operator()(zip_t* archive) const {
  zip_discard(archive);
}

OfficeArchive::~OfficeArchive() = default;

absl::StatusOr<std::unique_ptr<OfficeArchive>> OfficeArchive::Open(
    const std::string& path, absl::string_view kind,
    const OfficeLimits& limits) {
  ASSIGN_OR_RETURN(const std::string magic,
                   ReadFilePrefix(path, kOleMagic.size()));
  if (magic == kOleMagic) {
    // Office wraps a password-protected package in an OLE compound file.
    return UnsupportedFile(absl::StrCat(
        kind, " is encrypted (or is a legacy binary Office file)"));
  }
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) {
    zip_error_t zip_error;
    zip_error_init_with_code(&zip_error, error);
    absl::Status status = InvalidFile(absl::StrCat(
        kind, " is not a valid ZIP archive: ", zip_error_strerror(&zip_error)));
    zip_error_fini(&zip_error);
    return status;
  }
  return std::unique_ptr<OfficeArchive>(
      new OfficeArchive(archive, kind, limits));
}

bool OfficeArchive::Contains(const std::string& name) const {
  return zip_name_locate(archive_.get(), name.c_str(), ZIP_FL_NOCASE) >= 0;
}

int64_t OfficeArchive::Locate(const std::string& name) const {
  const zip_int64_t index = zip_name_locate(archive_.get(), name.c_str(), 0);
  if (index >= 0) return index;
  return zip_name_locate(archive_.get(), name.c_str(), ZIP_FL_NOCASE);
}

absl::StatusOr<std::optional<std::string>> OfficeArchive::Read(
    const std::string& name) {
  const zip_int64_t index = Locate(name);
  if (index < 0) return std::nullopt;
  const std::string bomb = absl::StrCat(
      kind_, " entry ", name, " inflates past the size limit (zip bomb?)");
  zip_stat_t stat;
  zip_stat_init(&stat);
  const bool sized = zip_stat_index(archive_.get(), index, 0, &stat) == 0 &&
                     (stat.valid & ZIP_STAT_SIZE) != 0;
  if (sized && stat.size > static_cast<zip_uint64_t>(limits_.max_entry_bytes)) {
    return InvalidFile(bomb);
  }
  std::unique_ptr<zip_file_t, ZipFileCloser> file(
      zip_fopen_index(archive_.get(), index, 0));
  if (file == nullptr) {
    const int code = zip_error_code_zip(zip_get_error(archive_.get()));
    if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_ENCRNOTSUPP) {
      return UnsupportedFile(absl::StrCat(kind_, " is encrypted"));
    }
    return InvalidFile(absl::StrCat(kind_, " entry ", name, " cannot be read: ",
                                    zip_strerror(archive_.get())));
  }
  // The declared size may lie: count what actually inflates.
  std::string data;
  if (sized) data.reserve(stat.size);
  char buffer[64 * 1024];
  int64_t entry_bytes = 0;
  for (;;) {
    const zip_int64_t n = zip_fread(file.get(), buffer, sizeof(buffer));
    if (n < 0) {
      return InvalidFile(absl::StrCat(kind_, " entry ", name, " is corrupt: ",
                                      zip_file_strerror(file.get())));
    }
    if (n == 0) break;
    entry_bytes += n;
    total_read_ += n;
    if (entry_bytes > limits_.max_entry_bytes ||
        total_read_ > limits_.max_total_bytes) {
      return InvalidFile(bomb);
    }
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

absl::StatusOr<std::string> OfficeArchive::ReadRequired(
    const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<std::string> data, Read(name));
  if (!data.has_value()) {
    return InvalidFile(absl::StrCat(kind_, " has no ", name));
  }
  return *std::move(data);
}

}  // namespace assistd::extract
