#ifndef ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_CORE_IMPL_H_
#define ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_CORE_IMPL_H_

// Internal to services/retrieval: the state behind VectorStoreCore, with
// its methods spread over vector_store_core.cc (objects), ingestion.cc
// (workers) and store_search.cc (search).

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics/metrics.h"
#include "common/sqlite/database.h"
#include "services/retrieval/store_index.h"
#include "services/retrieval/vector_store_core.h"

namespace assistd::retrieval {

// A file waiting for or in ingestion.
struct IngestJob {
  std::string project, store_id, file_id, filename;
  ChunkingStrategy chunking;
  int attempts = 0;  // earlier tries that hit a passing error
};

// One chunk ready to commit.
struct ChunkRow {
  int chunk_index = 0;
  int page_start = 1, page_end = 1;
  std::string text;
  std::string page_breaks;  // "offset:page,..." (EncodePageBreaks)
};

// The chunks.page_breaks column: "offset:page" pairs joined by ",".
std::string EncodePageBreaks(const std::vector<std::pair<int, int>>& breaks);
std::vector<std::pair<int, int>> DecodePageBreaks(absl::string_view column);

class VectorStoreCoreImpl {
 public:
  VectorStoreCoreImpl(VectorStoreCoreOptions options, std::unique_ptr<sqlite::Database> db);
  ~VectorStoreCoreImpl();

  const VectorStoreCoreOptions options;
  const std::unique_ptr<sqlite::Database> db;

  // --- vector_store_core.cc
  // The store, or NotFound. Without `with_counts` (internal checks: does
  // it exist, has it expired) file_counts stay zero and status is only
  // "expired" or empty, which saves a scan of the store's files.
  absl::StatusOr<VectorStoreRecord> LoadStore(const std::string& project, absl::string_view id,
                                              bool with_counts = false);
  absl::StatusOr<StoreFileRecord> LoadFile(const std::string& project, absl::string_view store_id,
                                           absl::string_view file_id);
  // Inserts in_progress rows for `files` (skipping ones already in the
  // store) in one transaction and wakes the workers. NotFound if a file
  // does not exist; then nothing is queued.
  absl::Status Enqueue(const std::string& project, const std::string& store_id,
                       const std::vector<AddFileParams>& files, const std::string& batch_id);
  absl::Status DeleteFileRows(const std::string& store_id, const std::string& file_id);
  // The store's in-memory indexes, loaded on first use.
  absl::StatusOr<std::shared_ptr<StoreIndex>> Index(const std::string& store_id);
  void ForgetIndex(const std::string& store_id);
  std::string SnapshotPath(const std::string& store_id) const;

  // --- ingestion.cc
  void StartWorkers(int n);
  void StopWorkers();
  void Wake();
  void WaitUntilIdle();
  // Files of every store by status name ("in_progress", ...), for metrics.
  absl::StatusOr<std::map<std::string, int64_t>> FilesByStatus();

  // --- store_search.cc
  absl::StatusOr<std::vector<SearchHit>> Search(const VectorStoreRecord& store,
                                                const SearchParams& params);

 private:
  void WorkerLoop();
  std::optional<IngestJob> ClaimJob() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_);
  void Ingest(const IngestJob& job);
  absl::Status CommitChunks(const IngestJob& job, const std::vector<std::string>& titles,
                            const std::vector<ChunkRow>& chunks,
                            const std::vector<float>& vectors);
  // Records a failure: permanent ones set `failed`; passing ones (a peer
  // down, a timeout) schedule a retry with backoff, up to a limit.
  void MarkFailed(const IngestJob& job, const absl::Status& error);
  void RetryLater(const IngestJob& job, const absl::Status& error);
  void SnapshotLoop();

  absl::Mutex index_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<StoreIndex>> indexes_ ABSL_GUARDED_BY(index_mu_);

  absl::Mutex queue_mu_;
  std::set<std::pair<std::string, std::string>> claimed_ ABSL_GUARDED_BY(queue_mu_);
  uint64_t enqueued_ ABSL_GUARDED_BY(queue_mu_) = 0;     // bumped by Wake
  uint64_t drained_at_ ABSL_GUARDED_BY(queue_mu_) = ~uint64_t{0};  // enqueued_ when last seen empty
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::vector<std::thread> workers_;
  std::thread snapshotter_;
  // assistd_vector_store_files and assistd_ingestion_queue_depth while the
  // workers run.
  std::unique_ptr<metrics::Registration> files_metric_;
};

}  // namespace assistd::retrieval

#endif  // ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_CORE_IMPL_H_
