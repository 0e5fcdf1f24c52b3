#ifndef ASSISTD_INDEXER_INDEX_MEMORY_KEYWORD_INDEX_H_
#define ASSISTD_INDEXER_INDEX_MEMORY_KEYWORD_INDEX_H_

// A store's keyword index in memory (Bm25Index) beside its FTS5 table,
// which stays the store of record: it ranks exactly as KeywordIndex::Search
// (the same tokens, scores and term pruning) but prunes with MaxScore, so a
// search no longer scores every chunk that shares a word with the query.
//
// Its life: made empty and unready; built from the stored chunks in the
// background (BeginBuild ... FinishBuild) while changes committed meanwhile
// queue up and are replayed onto the built index; then kept up to date
// with each commit. Until it is ready, and for the rare query it cannot
// answer alike (a term FTS5 reads as a phrase of several tokens), Search
// returns nullopt and the caller asks FTS5.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "indexer/index/bm25_index.h"
#include "indexer/index/keyword_index.h"

namespace assistd::index {

// A chunk's tokens as FTS5 indexes them, counted, from the calling
// thread's Fts5TextTokenizer.
absl::StatusOr<Bm25Document> TokenizeChunk(int64_t id, absl::string_view title,
                                           absl::string_view text);

// Thread-safe.
class MemoryKeywordIndex {
 public:
  explicit MemoryKeywordIndex(const KeywordIndexOptions& options = {});

  // Changes already committed to the FTS5 table, in commit order. Dropped
  // while no build has begun (the build will read them), queued while one
  // runs.
  void Add(std::vector<Bm25Document> chunks);
  void Remove(std::vector<Bm25Document> chunks);

  // Called before the build reads the first stored chunk.
  void BeginBuild();
  // `built` holds every chunk the build read; the changes queued since
  // BeginBuild are replayed onto it (an add it already has, or a remove of
  // a chunk it lacks, is skipped) and it becomes the index. Ignored if the
  // build was abandoned meanwhile.
  void FinishBuild(Bm25Index built);
  // A failed or cancelled build, or a change that could not be passed on:
  // the index is unready (FTS5 answers) until a new build finishes.
  void AbandonBuild();
  // A fresh Bm25Index with this index's column weights, for a build.
  Bm25Index NewBuildTarget() const { return Bm25Index(bm25_options_); }

  bool ready() const;
  // Waits up to `timeout` for ready(); false on timeout or abandonment.
  bool WaitUntilReady(absl::Duration timeout) const;
  int64_t size() const;
  int64_t MemoryBytes() const;  // Bm25Index::MemoryBytes

  // As KeywordIndex::Search(c, user_text, limit, total_chunks), with
  // `accept` applied before the top-k cut; nullopt when not ready or when
  // a query term tokenizes to several tokens.
  std::optional<std::vector<ScoredId>> Search(
      absl::string_view user_text, int limit, int64_t total_chunks,
      const std::function<bool(int64_t)>& accept = nullptr) const;

 private:
  enum class State { kUnbuilt, kBuilding, kReady, kAbandoned };
  struct Change {
    bool add = true;
    Bm25Document chunk;
  };
  static void Apply(Bm25Index& index, const Change& change);
  // Applies the changes if ready, queues them while building, else drops
  // them.
  void Pass(bool add, std::vector<Bm25Document> chunks);

  const Bm25Options bm25_options_;
  mutable absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kUnbuilt;
  Bm25Index index_ ABSL_GUARDED_BY(mu_);
  std::vector<Change> queued_ ABSL_GUARDED_BY(mu_);
};

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_INDEX_MEMORY_KEYWORD_INDEX_H_
