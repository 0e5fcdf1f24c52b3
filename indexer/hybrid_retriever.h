#ifndef ASSISTD_INDEXER_HYBRID_RETRIEVER_H_
#define ASSISTD_INDEXER_HYBRID_RETRIEVER_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sqlite/connection.h"
#include "indexer/embed/embedder.h"
#include "indexer/index/fusion.h"
#include "indexer/index/keyword_index.h"
#include "indexer/index/memory_keyword_index.h"
#include "indexer/index/vector_index.h"

namespace assistd::index {

struct RetrievalOptions {
  // RRF weights: keyword_weight 0 searches by vectors only, vector_weight 0
  // by keywords only.
  FusionOptions fusion;
  // Chunks taken from each side before fusion.
  int candidates = 100;
  // Pseudo-relevance feedback: the query vector moves toward the centroid
  // of the top `feedback_chunks` keyword hits, `feedback_weight` of the way
  // (Rocchio). 0 chunks turns it off. On the shared Cranfield collection it
  // lifts hybrid nDCG@10 from 0.337 to 0.389 (docs/retrieval.md).
  int feedback_chunks = 10;
  double feedback_weight = 0.7;
};

// What a search did, for metrics.
struct SearchTrace {
  bool keywords_searched = false;
  bool keywords_from_memory = false;  // else FTS5 answered
};

struct RetrievedChunk {
  int64_t id = 0;
  double score = 0;      // fused, in (0, 1]
  int keyword_rank = 0;  // 1-based; 0 = not found by keywords
  int vector_rank = 0;   // 1-based; 0 = not found by vectors
};

// Hybrid search over one vector store: BM25 (the in-memory index, or FTS5)
// and dense vectors (FAISS), fused by reciprocal rank. Stateless apart from the borrowed
// indexes; thread-safe when they are.
class HybridRetriever {
 public:
  // Borrows all four, which must outlive the retriever. `vectors` and
  // `embedder` may be null for a keyword-only store. `memory`, when given
  // and able to answer, serves keyword searches instead of FTS5 (same
  // ranking, much faster on large stores).
  HybridRetriever(const KeywordIndex* keyword, const VectorIndex* vectors,
                  embed::Embedder* embedder, const MemoryKeywordIndex* memory = nullptr)
      : keyword_(keyword), vectors_(vectors), embedder_(embedder), memory_(memory) {}

  // The best `k` chunks for `user_text`, best first. `accept`, when given,
  // filters chunk ids inside both searches, before the top-k cut (so a
  // filter never leaves fewer than k results while more matching chunks
  // exist). `c` reads the store's keyword table. Errors: the embedder's
  // (e.g. Unavailable from a model server) and the indexes'.
  absl::StatusOr<std::vector<RetrievedChunk>> Search(
      sqlite::Connection& c, absl::string_view user_text, int k, const RetrievalOptions& options,
      const std::function<bool(int64_t)>& accept = nullptr, SearchTrace* trace = nullptr) const;

 private:
  absl::StatusOr<std::vector<ScoredId>> KeywordHits(
      sqlite::Connection& c, absl::string_view user_text, int want,
      const std::function<bool(int64_t)>& accept, SearchTrace& trace) const;
  absl::StatusOr<std::vector<float>> QueryVector(absl::string_view user_text,
                                                 const std::vector<ScoredId>& keyword_hits,
                                                 const RetrievalOptions& options) const;

  const KeywordIndex* const keyword_;
  const VectorIndex* const vectors_;
  embed::Embedder* const embedder_;
  const MemoryKeywordIndex* const memory_;
};

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_HYBRID_RETRIEVER_H_
