#ifndef ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_CORE_H_
#define ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_CORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/metadata.h"
#include "common/pagination.h"
#include "indexer/attribute_filter.h"
#include "indexer/embed/embedder.h"
#include "indexer/extract/document.h"
#include "indexer/hybrid_retriever.h"
#include "indexer/index/vector_index.h"

namespace assistd::retrieval {

using Attributes = index::Attributes;
using Metadata = std::map<std::string, std::string>;

// OpenAI's chunking strategy (spec 2.7). `other` only ever comes back for
// files indexed before strategies existed.
struct ChunkingStrategy {
  enum class Type { kAuto, kStatic, kOther };
  Type type = Type::kAuto;
  int max_tokens = 800;
  int overlap_tokens = 400;
};

enum class FileStatus { kInProgress, kCompleted, kCancelled, kFailed };

struct FileCounts {
  int64_t in_progress = 0, completed = 0, failed = 0, cancelled = 0, total = 0;
};

struct LastError {
  std::string code;  // "server_error" | "unsupported_file" | "invalid_file"
  std::string message;
};

struct VectorStoreRecord {
  std::string id;  // "vs_..."
  std::string name;
  std::string description;
  int64_t created_at = 0;
  std::optional<int64_t> last_active_at;
  std::optional<int> expires_after_days;  // anchor: last_active_at
  std::optional<int64_t> expires_at;
  std::optional<Metadata> metadata;
  int64_t usage_bytes = 0;
  FileCounts file_counts;
  std::string status;  // "in_progress" | "completed" | "expired"
};

struct StoreFileRecord {
  std::string file_id;
  std::string store_id;
  std::string filename;
  int64_t created_at = 0;
  FileStatus status = FileStatus::kInProgress;
  std::optional<LastError> last_error;
  int64_t usage_bytes = 0;
  ChunkingStrategy chunking;
  std::optional<Attributes> attributes;
  std::string batch_id;  // empty when not added by a batch
};

struct BatchRecord {
  std::string id;  // "vsfb_..."
  std::string store_id;
  int64_t created_at = 0;
  std::string status;  // "in_progress" | "completed" | "cancelled" | "failed"
  FileCounts file_counts;
};

struct CreateStoreParams {
  std::string name;
  std::string description;
  std::vector<std::string> file_ids;
  std::optional<ChunkingStrategy> chunking;  // only with file_ids
  std::optional<int> expires_after_days;     // 1..365
  std::optional<Metadata> metadata;
};

struct UpdateStoreParams {
  std::optional<std::string> name;
  bool clear_expires_after = false;
  std::optional<int> expires_after_days;
  std::optional<Metadata> metadata;
  bool clear_metadata = false;
};

struct AddFileParams {
  std::string file_id;
  std::optional<ChunkingStrategy> chunking;
  std::optional<Attributes> attributes;
};

struct SearchParams {
  std::vector<std::string> queries;  // one or more; each non-empty
  std::optional<index::AttributeFilter> filter;
  int max_results = 10;             // 1..50
  std::string ranker = "auto";      // "auto" | "default-2024-11-15" | "none"
  double score_threshold = 0;       // 0..1
};

struct SearchHit {
  std::string file_id;
  std::string filename;
  double score = 0;  // 0..1
  std::optional<Attributes> attributes;
  std::string text;  // the chunk
  int page_number = 0;  // first page/section of the chunk
  // Later pages the chunk runs into: (byte offset in text, page number).
  std::vector<std::pair<int, int>> page_breaks;
};

// Where the files live. In production a FileService stub; tests use a
// fake. Thread-safe.
class FileSource {
 public:
  virtual ~FileSource() = default;
  // NotFound if the project has no such file.
  virtual absl::StatusOr<std::string> Filename(const std::string& project,
                                               const std::string& file_id) = 0;
  // The file's extracted text; InvalidArgument "unsupported_file: ..." /
  // "invalid_file: ..." for files that cannot be indexed.
  virtual absl::StatusOr<extract::Document> Text(const std::string& project,
                                                 const std::string& file_id) = 0;
};

struct VectorStoreCoreOptions {
  std::string data_dir;               // retrieval.db and vectors/ go here
  Clock* clock = RealClock();         // not owned
  FileSource* files = nullptr;        // not owned, required
  embed::Embedder* embedder = nullptr;  // not owned, required
  int ingest_workers = 0;             // 0 = number of cores
  index::VectorIndexOptions vectors;  // dimension is taken from the embedder
  index::RetrievalOptions retrieval;
  // How often changed vector indexes are written to disk in the
  // background (they are also written at shutdown); zero disables the
  // background writer.
  absl::Duration snapshot_interval = absl::Seconds(60);
  // Keyword search from an in-memory BM25 index per store (built in the
  // background when a store is first used; FTS5 answers until then), or
  // from FTS5 alone. Same ranking; the memory index is ~100x faster on
  // large stores and costs memory (docs/retrieval.md).
  bool memory_keyword_index = true;
};

class VectorStoreCoreImpl;

// Vector stores, their files, batches and hybrid search, for every project.
// No gRPC here. Adding a file queues it for ingestion (extract -> chunk ->
// embed -> one SQLite transaction -> vector index); progress shows in file
// counts. Files still in progress at a restart are ingested again (nothing
// of them was committed). Every method is scoped to `project`: other
// projects' objects are NotFound. Thread-safe.
//
// Errors: InvalidArgument naming the field for bad input; NotFound with
// OpenAI's wording ("No vector store found with id 'vs_x'."); the
// FileSource's NotFound when attaching an unknown file; FailedPrecondition
// for searching an expired store or one built with another embedder.
class VectorStoreCore {
 public:
  static absl::StatusOr<std::unique_ptr<VectorStoreCore>> Create(VectorStoreCoreOptions options);
  ~VectorStoreCore();  // stops the workers, writes the vector indexes

  absl::StatusOr<VectorStoreRecord> CreateStore(const std::string& project,
                                                const CreateStoreParams& params);
  absl::StatusOr<VectorStoreRecord> GetStore(const std::string& project, absl::string_view id);
  absl::StatusOr<Page<VectorStoreRecord>> ListStores(const std::string& project,
                                                     const PageParams& page);
  absl::StatusOr<VectorStoreRecord> UpdateStore(const std::string& project, absl::string_view id,
                                                const UpdateStoreParams& params);
  absl::Status DeleteStore(const std::string& project, absl::string_view id);

  // Attaching a file already in the store returns its current record.
  absl::StatusOr<StoreFileRecord> AddFile(const std::string& project, absl::string_view store_id,
                                          const AddFileParams& params);
  absl::StatusOr<StoreFileRecord> GetFile(const std::string& project, absl::string_view store_id,
                                          absl::string_view file_id);
  // Files of a store (of one batch when batch_id is non-empty), optionally
  // only those with `status`.
  absl::StatusOr<Page<StoreFileRecord>> ListFiles(const std::string& project,
                                                  absl::string_view store_id,
                                                  absl::string_view batch_id,
                                                  std::optional<FileStatus> status,
                                                  const PageParams& page);
  absl::StatusOr<StoreFileRecord> UpdateFileAttributes(const std::string& project,
                                                       absl::string_view store_id,
                                                       absl::string_view file_id,
                                                       std::optional<Attributes> attributes);
  // Detaches (does not delete) the file: its chunks leave the indexes.
  absl::Status RemoveFile(const std::string& project, absl::string_view store_id,
                          absl::string_view file_id);
  // The parsed text of an attached file, page by page. FailedPrecondition
  // unless the file is completed.
  absl::StatusOr<extract::Document> FileContent(const std::string& project,
                                                absl::string_view store_id,
                                                absl::string_view file_id);
  // Removes the file from every store of the project; returns how many.
  absl::StatusOr<int> DetachFileEverywhere(const std::string& project, absl::string_view file_id);

  absl::StatusOr<BatchRecord> CreateBatch(const std::string& project, absl::string_view store_id,
                                          const std::vector<AddFileParams>& files);
  absl::StatusOr<BatchRecord> GetBatch(const std::string& project, absl::string_view store_id,
                                       absl::string_view batch_id);
  // Cancels the batch's files that have not finished; returns the batch.
  // FailedPrecondition if the batch has already finished.
  absl::StatusOr<BatchRecord> CancelBatch(const std::string& project, absl::string_view store_id,
                                          absl::string_view batch_id);

  absl::StatusOr<std::vector<SearchHit>> Search(const std::string& project,
                                                absl::string_view store_id,
                                                const SearchParams& params);

  // Stops the ingestion workers (files in progress stay queued and resume
  // at the next start) and writes the vector indexes. Idempotent; the
  // destructor calls it. Call before the services this core calls stop.
  void StopBackgroundWork();

  // Blocks until no file is waiting for or in ingestion and the in-memory
  // keyword indexes of the loaded stores are built (for tests and
  // benchmarks; production code polls file status).
  void WaitUntilIdle();

 private:
  explicit VectorStoreCore(std::unique_ptr<VectorStoreCoreImpl> impl);
  std::unique_ptr<VectorStoreCoreImpl> impl_;
};

}  // namespace assistd::retrieval

#endif  // ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_CORE_H_
