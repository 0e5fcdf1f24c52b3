#ifndef ASSISTD_INDEXER_INDEX_FUSION_H_
#define ASSISTD_INDEXER_INDEX_FUSION_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "indexer/index/keyword_index.h"
#include "indexer/index/vector_index.h"

namespace assistd::index {

struct FusionOptions {
  // Weights of the two rankings in reciprocal-rank fusion. A weight of 0
  // turns that side off.
  double keyword_weight = 1.0;
  double vector_weight = 1.0;
  // RRF's k: larger flattens the difference between high and low ranks.
  double rrf_k = 60.0;
};

struct FusedHit {
  int64_t id = 0;
  // sum over rankings of weight / (rrf_k + rank), divided by its maximum
  // (first in every ranking with a non-zero weight), so it lies in (0, 1]
  // and a score_threshold means the same for every query and store.
  double score = 0;
  int keyword_rank = 0;  // 1-based; 0 = not in the keyword ranking
  int vector_rank = 0;   // 1-based; 0 = not in the vector ranking
};

// Fuses two rankings (each best first) by weighted reciprocal-rank fusion;
// ties keep the keyword order, then the vector order.
std::vector<FusedHit> FuseRankings(absl::Span<const ScoredId> keyword,
                                   absl::Span<const VectorHit> vector,
                                   const FusionOptions& options);

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_INDEX_FUSION_H_
