#ifndef ASSISTD_SERVICES_RETRIEVAL_STORE_INDEX_H_
#define ASSISTD_SERVICES_RETRIEVAL_STORE_INDEX_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/sqlite/database.h"
#include "indexer/index/keyword_index.h"
#include "indexer/index/vector_index.h"

namespace assistd::retrieval {

// The in-memory side of one vector store: its keyword table handle, its
// vector index and the chunk-id range of each file (a file's chunks are
// inserted in one transaction, so their ids are contiguous). Thread-safe.
class StoreIndex {
 public:
  // Loads the vector snapshot at `snapshot_path` and reconciles it with
  // the chunks in `db`: chunks missing from the snapshot are added from
  // their stored embeddings (without re-embedding), ids no longer in the
  // database are removed; a missing or corrupt snapshot means a full
  // rebuild. DataLoss if a stored embedding has the wrong size.
  static absl::StatusOr<std::unique_ptr<StoreIndex>> Load(
      sqlite::Database* db, const std::string& store_id, const std::string& snapshot_path,
      const index::VectorIndexOptions& options);

  const index::KeywordIndex& keyword() const { return keyword_; }
  index::VectorIndex* vectors() const { return vectors_.get(); }

  // After a file's chunks [first, last] were committed (and their vectors
  // added).
  void AddFile(const std::string& file_id, int64_t first, int64_t last);
  void RemoveFile(const std::string& file_id);
  // The file a chunk belongs to, if any.
  std::optional<std::string> FileOf(int64_t chunk_id) const;

  // Writes the vector snapshot if anything changed since the last write.
  absl::Status SaveIfChanged();
  void MarkChanged();

 private:
  StoreIndex(std::string store_id, std::string snapshot_path,
             std::unique_ptr<index::VectorIndex> vectors)
      : keyword_(store_id), snapshot_path_(std::move(snapshot_path)),
        vectors_(std::move(vectors)) {}
  absl::Status Reconcile(sqlite::Database* db, const std::string& store_id);

  const index::KeywordIndex keyword_;
  const std::string snapshot_path_;
  const std::unique_ptr<index::VectorIndex> vectors_;
  mutable absl::Mutex mu_;
  // first chunk id -> (last chunk id, file id)
  std::map<int64_t, std::pair<int64_t, std::string>> ranges_ ABSL_GUARDED_BY(mu_);
  bool changed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace assistd::retrieval

#endif  // ASSISTD_SERVICES_RETRIEVAL_STORE_INDEX_H_
