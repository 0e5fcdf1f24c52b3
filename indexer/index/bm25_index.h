#ifndef ASSISTD_INDEXER_INDEX_BM25_INDEX_H_
#define ASSISTD_INDEXER_INDEX_BM25_INDEX_H_

// An in-memory BM25 index of one store's chunks, scored exactly as SQLite
// FTS5's bm25() scores the store's FTS5 table (keyword_index.cc: columns
// title and text, query terms OR-ed), but searched with MaxScore pruning:
// a query term whose best possible contribution cannot lift a chunk into
// the top k is only probed for the chunks the other terms found, never
// iterated. FTS5 scores every chunk matching any term, which is what makes
// keyword search slow on large stores (issue 4).
//
// Tokens come from Fts5TextTokenizer, so they are FTS5's own. First step
// of issue 4's keyword speed-up: the index and its exactness against FTS5
// are tested; the store does not use it yet (see the issue notes).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "indexer/index/keyword_index.h"

namespace assistd::index {

struct Bm25Options {
  // bm25()'s column weights, as keyword_index.cc passes them.
  double title_weight = 1.0;
  double text_weight = 1.0;
};

// Not thread-safe; callers lock.
class Bm25Index {
 public:
  explicit Bm25Index(Bm25Options options) : options_(options) {}

  // Adds a chunk with its tokens per column (Fts5TextTokenizer, document
  // mode). InvalidArgument if `id` is present.
  absl::Status Add(int64_t id, const std::vector<std::string>& title,
                   const std::vector<std::string>& text);
  // Removes a chunk; the tokens must be the ones it was added with (as
  // FTS5's external-content 'delete'). NotFound if absent.
  absl::Status Remove(int64_t id, const std::vector<std::string>& title,
                      const std::vector<std::string>& text);

  // The `limit` best chunks for `terms` (query tokens, each one phrase; a
  // repeated term counts again, as in FTS5), best first; scores are
  // -bm25(), so higher is better. Chunks matching no term are not returned,
  // nor ones `accept` (when given) refuses, before the top-k cut.
  std::vector<ScoredId> Search(const std::vector<std::string>& terms, int limit,
                               const std::function<bool(int64_t)>& accept = nullptr) const;

  int64_t size() const { return live_docs_; }
  // Heap bytes held, approximately (postings, terms, per-chunk arrays).
  int64_t MemoryBytes() const;
  // Live chunks containing `term`.
  int64_t DocumentFrequency(const std::string& term) const;

 private:
  struct Postings {
    std::vector<uint32_t> docs;  // ascending
    std::vector<float> freq;     // weighted term frequency in each
    int64_t live = 0;
  };
  struct Cursor;

  Bm25Options options_;
  absl::flat_hash_map<std::string, Postings> postings_;
  absl::flat_hash_map<int64_t, uint32_t> doc_of_;
  std::vector<int64_t> ids_;          // doc -> chunk id
  std::vector<uint32_t> length_;      // doc -> tokens, all columns
  std::vector<bool> live_;
  int64_t live_docs_ = 0;
  int64_t live_tokens_ = 0;
};

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_INDEX_BM25_INDEX_H_
