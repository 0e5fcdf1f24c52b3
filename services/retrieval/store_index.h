#ifndef ASSISTD_SERVICES_RETRIEVAL_STORE_INDEX_H_
#define ASSISTD_SERVICES_RETRIEVAL_STORE_INDEX_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/sqlite/database.h"
#include "indexer/index/keyword_index.h"
#include "indexer/index/memory_keyword_index.h"
#include "indexer/index/vector_index.h"

namespace assistd::retrieval {

// The in-memory side of one vector store: its keyword table handle, its
// in-memory keyword index, its vector index and the chunk-id range of each
// file (a file's chunks are inserted in one transaction, so their ids are
// contiguous). Thread-safe.
class StoreIndex {
 public:
  // Loads the vector snapshot at `snapshot_path` and reconciles it with
  // the chunks in `db`: chunks missing from the snapshot are added from
  // their stored embeddings (without re-embedding), ids no longer in the
  // database are removed; a missing or corrupt snapshot means a full
  // rebuild. DataLoss if a stored embedding has the wrong size. With
  // `memory_keywords`, starts building the in-memory keyword index from
  // the stored chunks on a thread of its own. `db` must outlive the index.
  static absl::StatusOr<std::unique_ptr<StoreIndex>> Load(
      sqlite::Database* db, const std::string& store_id, const std::string& snapshot_path,
      const index::VectorIndexOptions& options, bool memory_keywords);
  ~StoreIndex();  // stops a build still running

  const index::KeywordIndex& keyword() const { return keyword_; }
  // Null without `memory_keywords`.
  const index::MemoryKeywordIndex* memory_keywords() const { return memory_.get(); }
  index::VectorIndex* vectors() const { return vectors_.get(); }

  // Writers hold this from their SQLite transaction on the store's chunks
  // until the keyword changes are passed on (AddKeywords/RemoveKeywords),
  // so that those arrive in commit order.
  absl::Mutex& commit_mu() ABSL_LOCK_RETURNED(commit_mu_) { return commit_mu_; }
  void AddKeywords(std::vector<index::Bm25Document> chunks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  void RemoveKeywords(std::vector<index::Bm25Document> chunks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  // When a change cannot be passed on (its text could not be tokenized):
  // logs `why`; FTS5 serves the store's keyword searches from then on.
  void DisableMemoryKeywords(const absl::Status& why);

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
  // The build thread: reads the store's chunks in batches and tokenizes
  // them into a fresh Bm25Index.
  void BuildKeywords(sqlite::Database* db, const std::string& store_id);
  absl::Status ReadKeywords(sqlite::Database* db, const std::string& store_id,
                            index::Bm25Index& built);
  bool Stopping() const;  // the destructor has begun

  const index::KeywordIndex keyword_;
  const std::string snapshot_path_;
  const std::unique_ptr<index::VectorIndex> vectors_;
  std::unique_ptr<index::MemoryKeywordIndex> memory_;
  absl::Mutex commit_mu_;
  mutable absl::Mutex stop_mu_;
  bool stop_build_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread build_;
  mutable absl::Mutex mu_;
  // first chunk id -> (last chunk id, file id)
  std::map<int64_t, std::pair<int64_t, std::string>> ranges_ ABSL_GUARDED_BY(mu_);
  bool changed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace assistd::retrieval

#endif  // ASSISTD_SERVICES_RETRIEVAL_STORE_INDEX_H_
