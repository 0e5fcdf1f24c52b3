#ifndef ASSISTD_INDEXER_EXTRACT_OFFICE_ARCHIVE_H_
#define ASSISTD_INDEXER_EXTRACT_OFFICE_ARCHIVE_H_

// Reading the ZIP package of an Office document (DOCX, PPTX) with caps on
// what it may inflate to. The only user of libzip.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct zip;  // libzip's zip_t

namespace assistd::extract {

// Caps on what one archive may inflate to. The defaults are the limits the
// Office extractors promise; tests (or a caller with a tighter memory
// budget) lower them.
struct OfficeLimits {
  // An entry inflating past this many bytes is InvalidFile.
  int64_t max_entry_bytes = int64_t{256} << 20;
  // All entries read from one archive together; past this is InvalidFile.
  int64_t max_total_bytes = int64_t{1} << 30;
};

// A ZIP package opened for reading. Not thread-safe.
class OfficeArchive final {
 public:
  // Opens the ZIP archive at `path`; `kind` ("DOCX", "PPTX") names the
  // document in error messages. UnsupportedFile for an OLE compound file (an
  // encrypted document, or a legacy binary Office file); InvalidFile if
  // libzip cannot open it as a ZIP archive; NotFound (or the errno's code)
  // if `path` can't be opened, DataLoss if it can't be read.
  static absl::StatusOr<std::unique_ptr<OfficeArchive>> Open(
      const std::string& path, absl::string_view kind,
      const OfficeLimits& limits = OfficeLimits());

  ~OfficeArchive();
  OfficeArchive(const OfficeArchive&) = delete;
  OfficeArchive& operator=(const OfficeArchive&) = delete;

  // True if there is an entry named `name`, compared case-insensitively
  // (package part names are case-insensitive).
  bool Contains(const std::string& name) const;

  // The inflated bytes of entry `name` (an exact match first, else a
  // case-insensitive one), std::nullopt if there is none. InvalidFile if the
  // entry is corrupt, or if it inflates past limits.max_entry_bytes or
  // everything read from this archive so far past limits.max_total_bytes
  // (zip bomb): bytes are counted as they inflate, not taken from the
  // declared sizes. UnsupportedFile if the entry is encrypted.
  absl::StatusOr<std::optional<std::string>> Read(const std::string& name);

  // As Read, but a missing entry is InvalidFile.
  absl::StatusOr<std::string> ReadRequired(const std::string& name);

 private:
  struct ZipDiscarder {
    void operator()(::zip* archive) const;
  };

  OfficeArchive(::zip* archive, absl::string_view kind,
                const OfficeLimits& limits)
      : archive_(archive), kind_(kind), limits_(limits) {}

  // Index of entry `name` as Read looks it up, negative if there is none.
  int64_t Locate(const std::string& name) const;

  std::unique_ptr<::zip, ZipDiscarder> archive_;
  const std::string kind_;
  const OfficeLimits limits_;
  int64_t total_read_ = 0;  // inflated bytes read so far, all entries
};

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_OFFICE_ARCHIVE_H_
