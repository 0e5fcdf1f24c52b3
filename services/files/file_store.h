#ifndef ASSISTD_SERVICES_FILES_FILE_STORE_H_
#define ASSISTD_SERVICES_FILES_FILE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/pagination.h"
#include "common/sqlite/database.h"
#include "indexer/extract/document.h"
#include "services/files/blob_store.h"

namespace assistd::files {

// A stored file's metadata (OpenAI's File object, spec 2.1).
struct FileRecord {
  std::string id;          // "file-..."
  std::string project_id;
  std::string filename;    // metadata only; never used as a path
  int64_t bytes = 0;
  std::string purpose;
  int64_t created_at = 0;  // Unix seconds
  std::optional<int64_t> expires_at;
  std::string sha256;      // the blob holding the bytes
};

struct UploadHeader {
  std::string filename;
  std::string purpose;
  // expires_after.seconds (anchor created_at), when given.
  std::optional<int64_t> expires_after_seconds;
  // Size the client announces, when known: lets oversize uploads fail
  // before any byte is read, and is checked against what arrives.
  std::optional<int64_t> declared_bytes;
};

// Extracts text from a stored blob; an ExtractionRunner in production.
using TextExtractor = std::function<absl::StatusOr<extract::Document>(
    const std::string& path, absl::string_view filename)>;

// Called after a file is deleted, to detach it from vector stores.
using DeleteHook = std::function<void(const std::string& project,
                                      const std::string& file_id)>;

struct FileStoreOptions {
  std::string data_dir;                       // files.db and blobs/ go here
  int64_t max_upload_bytes = int64_t{512} << 20;  // OpenAI's 512 MB
  Clock* clock = RealClock();                 // not owned
  TextExtractor extractor;                    // required for GetText
  DeleteHook on_delete;                       // optional
  // How often expired files are deleted in the background; zero disables
  // the background reaper (tests call ReapExpired themselves).
  absl::Duration reap_interval = absl::Minutes(1);
};

// The file store core: uploads, metadata, content, cached text extraction
// and expiry, for every project. No gRPC here. Thread-safe.
class FileStore {
 public:
  // Opens <data_dir>/files.db and <data_dir>/blobs, removes blobs no file
  // refers to (left by a crash), and starts the reaper.
  static absl::StatusOr<std::unique_ptr<FileStore>> Create(FileStoreOptions options);
  ~FileStore();  // stops the reaper
  // Stops the background reaper (it calls the delete hook, which may call
  // other services). Idempotent.
  void StopReaper();
  FileStore(const FileStore&) = delete;
  FileStore& operator=(const FileStore&) = delete;

  // An upload in progress. Commit makes the file visible; destroying it
  // uncommitted leaves nothing behind. Not thread-safe.
  class Upload {
   public:
    // ResourceExhausted once the bytes pass the upload limit (the caller
    // should stop reading); errors of BlobStore::Writer::Append.
    absl::Status Append(absl::string_view chunk);
    // InvalidArgument naming "bytes" if a declared size disagrees.
    absl::StatusOr<FileRecord> Commit();

   private:
    friend class FileStore;
    Upload(FileStore* store, std::string project, UploadHeader header,
           std::unique_ptr<BlobStore::Writer> writer)
        : store_(store), project_(std::move(project)),
          header_(std::move(header)), writer_(std::move(writer)) {}
    FileStore* const store_;
    const std::string project_;
    const UploadHeader header_;
    std::unique_ptr<BlobStore::Writer> writer_;
  };

  // Validates the header. InvalidArgument naming "filename", "purpose" or
  // "expires_after"; ResourceExhausted if declared_bytes is over the limit.
  absl::StatusOr<std::unique_ptr<Upload>> BeginUpload(const std::string& project,
                                                      UploadHeader header);

  // NotFound ("No such File object: <id>") for unknown ids and other
  // projects' files.
  absl::StatusOr<FileRecord> Get(const std::string& project, absl::string_view id);

  // Files of `project` (only `purpose` ones when it is non-empty), newest
  // first by default. InvalidArgument naming "after" for an unknown cursor.
  absl::StatusOr<Page<FileRecord>> List(const std::string& project,
                                        absl::string_view purpose,
                                        const PageParams& page);

  // Deletes the file, its blob when no other file shares it, and runs the
  // delete hook. NotFound as Get.
  absl::Status Delete(const std::string& project, absl::string_view id);

  // Opens the file's bytes. NotFound as Get; DataLoss if the blob is gone.
  absl::StatusOr<std::unique_ptr<BlobStore::Reader>> OpenContent(
      const std::string& project, absl::string_view id);

  // The file's text per page/section, extracted once per content and cached
  // beside the blob. NotFound as Get; the extractor's errors (InvalidArgument
  // "unsupported_file: ..." / "invalid_file: ...").
  absl::StatusOr<extract::Document> GetText(const std::string& project,
                                            absl::string_view id);

  // Deletes every file whose expires_at has passed. Returns how many.
  absl::StatusOr<int> ReapExpired();

  int64_t max_upload_bytes() const { return options_.max_upload_bytes; }

 private:
  FileStore(FileStoreOptions options, std::unique_ptr<sqlite::Database> db,
            std::unique_ptr<BlobStore> blobs);
  absl::StatusOr<FileRecord> CommitUpload(const std::string& project,
                                          const UploadHeader& header,
                                          BlobStore::Writer* writer);
  absl::Status DeleteRecord(const FileRecord& record);
  absl::Status CollectOrphanBlobs();
  void ReaperLoop();

  const FileStoreOptions options_;
  const std::unique_ptr<sqlite::Database> db_;
  const std::unique_ptr<BlobStore> blobs_;
  // Serialises "blob enters or leaves the store" (commit vs. delete of the
  // same content), so a refcount never disagrees with the disk.
  absl::Mutex blob_mu_;
  absl::Mutex reaper_mu_;
  bool stopping_ ABSL_GUARDED_BY(reaper_mu_) = false;
  std::thread reaper_;
};

}  // namespace assistd::files

#endif  // ASSISTD_SERVICES_FILES_FILE_STORE_H_
