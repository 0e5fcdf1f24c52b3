#ifndef ASSISTD_SERVICES_FILES_BLOB_STORE_H_
#define ASSISTD_SERVICES_FILES_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sha256.h"

namespace assistd::files {

// Content-addressed storage on the local disk:
//   <root>/sha256/ab/abcdef...        the bytes
//   <root>/sha256/ab/abcdef....<ext>  derived data (e.g. extracted text)
//   <root>/tmp/                       uploads in progress
// Writes go to a temp file that is fsynced and renamed into place, so a blob
// is either absent or complete. Reference counting lives with the caller
// (FileStore), which serialises Commit and Remove of the same content.
// Thread-safe.
class BlobStore {
 public:
  // Creates the folders and deletes temp files left by a crash.
  // FailedPrecondition if `root` can't be created or written.
  static absl::StatusOr<std::unique_ptr<BlobStore>> Open(std::string root);

  // An upload being written. Destroying it without Commit deletes the temp
  // file. Not thread-safe.
  class Writer {
   public:
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    // ResourceExhausted when the disk is full; Internal on other I/O errors.
    absl::Status Append(absl::string_view data);
    int64_t bytes() const { return bytes_; }
    // fsyncs, names the blob by its SHA-256 and moves it into place (if the
    // content exists already, the temp file is dropped). Returns the hash.
    absl::StatusOr<std::string> Commit();

   private:
    friend class BlobStore;
    Writer(const BlobStore* store, std::string temp_path, int fd)
        : store_(store), temp_path_(std::move(temp_path)), fd_(fd) {}
    const BlobStore* const store_;
    const std::string temp_path_;
    int fd_;
    int64_t bytes_ = 0;
    Sha256 hash_;
  };

  absl::StatusOr<std::unique_ptr<Writer>> NewWriter() const;

  // Reads a blob sequentially from an open descriptor, so a concurrent
  // Remove does not cut a stream short. Not thread-safe.
  class Reader {
   public:
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    // Appends up to `max` bytes to `out`; false at the end.
    absl::StatusOr<bool> Read(size_t max, std::string* out);
    int64_t size() const { return size_; }

   private:
    friend class BlobStore;
    Reader(int fd, int64_t size) : fd_(fd), size_(size) {}
    int fd_;
    int64_t size_;
  };

  // DataLoss if the blob is missing (the metadata says it exists).
  absl::StatusOr<std::unique_ptr<Reader>> OpenReader(absl::string_view sha256) const;

  std::string PathOf(absl::string_view sha256) const;
  bool Exists(absl::string_view sha256) const;
  // Deletes the blob and its derived files. Missing files are fine.
  absl::Status Remove(absl::string_view sha256) const;

  // Derived data stored beside a blob under an extension such as "text.v1".
  absl::Status PutDerived(absl::string_view sha256, absl::string_view ext,
                          absl::string_view data) const;
  // NotFound if absent.
  absl::StatusOr<std::string> GetDerived(absl::string_view sha256,
                                         absl::string_view ext) const;

  // The hashes of every stored blob (for garbage collection at startup).
  absl::StatusOr<std::vector<std::string>> ListBlobs() const;

  const std::string& root() const { return root_; }

 private:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}
  // Writes `data` to `final_path` atomically (temp, fsync, rename, fsync dir).
  absl::Status WriteAtomically(const std::string& final_path,
                               absl::string_view data) const;

  const std::string root_;
};

}  // namespace assistd::files

#endif  // ASSISTD_SERVICES_FILES_BLOB_STORE_H_
