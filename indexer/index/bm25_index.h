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
// Postings are compressed: per term, blocks of 128 (chunk delta, title and
// text frequency) varints, with each block's last chunk and offset kept
// aside so that a probe skips whole blocks. About 2-3 bytes a posting.
// Removed chunks are tombstones until they outnumber the live ones; then
// the postings are rewritten without them.
//
// Tokens come from Fts5TextTokenizer (memory_keyword_index.h), so they are
// FTS5's own. MemoryKeywordIndex wraps this with locking and its life cycle.

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

// A chunk as the index takes it: each distinct token with its count per
// column, and the chunk's length in tokens over all columns.
struct Bm25Document {
  struct Term {
    std::string token;
    uint32_t title_tf = 0, text_tf = 0;
  };
  int64_t id = 0;
  uint32_t length = 0;
  std::vector<Term> terms;
};

// From a chunk's tokens per column (Fts5TextTokenizer, document mode).
Bm25Document MakeBm25Document(int64_t id, const std::vector<std::string>& title,
                              const std::vector<std::string>& text);

// Not thread-safe; callers lock.
class Bm25Index {
 public:
  explicit Bm25Index(Bm25Options options) : options_(options) {}

  // InvalidArgument if the chunk is present.
  absl::Status Add(const Bm25Document& doc);
  // Removes a chunk; `doc` must be what it was added with (as FTS5's
  // external-content 'delete'). NotFound if absent.
  absl::Status Remove(const Bm25Document& doc);

  // The `limit` best chunks for `terms` (query tokens, each one phrase; a
  // repeated term counts again, as in FTS5), best first, equal scores in
  // the order the chunks were added (chunk id order, as stores add them);
  // scores are -bm25(), so higher is better. Chunks matching no
  // term are not returned, nor ones `accept` (when given) refuses, before
  // the top-k cut.
  std::vector<ScoredId> Search(const std::vector<std::string>& terms, int limit,
                               const std::function<bool(int64_t)>& accept = nullptr) const;

  int64_t size() const { return live_docs_; }
  // Live chunks containing `term`.
  int64_t DocumentFrequency(const std::string& term) const;
  // Heap bytes held, approximately (postings, terms, per-chunk arrays).
  int64_t MemoryBytes() const;
  // Gives back the spare capacity of growing arrays (after a build).
  void ShrinkToFit();

 private:
  static constexpr uint32_t kBlock = 128;
  struct Postings {
    std::vector<uint8_t> bytes;        // the encoded blocks, back to back
    std::vector<uint32_t> block_last;  // last doc of each block
    std::vector<uint32_t> block_at;    // where each block starts in `bytes`
    uint32_t count = 0;                // postings, tombstones included
    int64_t live = 0;
    void Append(uint32_t doc, uint32_t title_tf, uint32_t text_tf);
  };
  struct Cursor;
  // Rewrites every posting list without the removed chunks.
  void Compact();

  Bm25Options options_;
  absl::flat_hash_map<std::string, Postings> postings_;
  absl::flat_hash_map<int64_t, uint32_t> doc_of_;
  std::vector<int64_t> ids_;      // doc -> chunk id
  std::vector<uint32_t> length_;  // doc -> tokens, all columns
  std::vector<bool> live_;
  int64_t live_docs_ = 0;
  int64_t dead_docs_ = 0;  // tombstones still in the postings
  int64_t live_tokens_ = 0;
};

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_INDEX_BM25_INDEX_H_
