#include "indexer/index/fusion.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

namespace assistd::index {

std::vector<FusedHit> FuseRankings(absl::Span<const ScoredId> keyword,
                                   absl::Span<const VectorHit> vector,
                                   const FusionOptions& options) {
  std::vector<FusedHit> hits;
  absl::flat_hash_map<int64_t, size_t> slot;
  auto hit_for = [&](int64_t id) -> FusedHit& {
    auto [it, inserted] = slot.emplace(id, hits.size());
    if (inserted) hits.push_back({id, 0, 0, 0});
    return hits[it->second];
  };
  const double k = options.rrf_k;
  if (options.keyword_weight > 0) {
    for (size_t r = 0; r < keyword.size(); ++r) {
      FusedHit& h = hit_for(keyword[r].id);
      if (h.keyword_rank != 0) continue;  // a duplicate id counts once
      h.keyword_rank = static_cast<int>(r) + 1;
      h.score += options.keyword_weight / (k + h.keyword_rank);
    }
  }
  if (options.vector_weight > 0) {
    for (size_t r = 0; r < vector.size(); ++r) {
      FusedHit& h = hit_for(vector[r].id);
      if (h.vector_rank != 0) continue;
      h.vector_rank = static_cast<int>(r) + 1;
      h.score += options.vector_weight / (k + h.vector_rank);
    }
  }
  const double best = (std::max(0.0, options.keyword_weight) + std::max(0.0, options.vector_weight)) / (k + 1);
  for (FusedHit& h : hits) h.score = best > 0 ? h.score / best : 0;
  // Stable: equal scores keep first-seen order (keyword, then vector).
  std::stable_sort(hits.begin(), hits.end(),
                   [](const FusedHit& a, const FusedHit& b) { return a.score > b.score; });
  return hits;
}

}  // namespace assistd::index
