#include "indexer/hybrid_retriever.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/status_macros.h"

namespace assistd::index {

absl::StatusOr<std::vector<ScoredId>> HybridRetriever::KeywordHits(
    sqlite::Connection& c, absl::string_view user_text, int want,
    const std::function<bool(int64_t)>& accept, SearchTrace& trace) const {
  trace.keywords_searched = true;
  const int64_t total = vectors_ != nullptr ? vectors_->size() : 0;
  if (memory_ != nullptr) {
    if (auto hits = memory_->Search(user_text, want, total, accept)) {
      trace.keywords_from_memory = true;
      return *std::move(hits);
    }
  }
  // FTS5: rejected chunks are dropped here, so fetch more until `want`
  // survive or the matches run out.
  for (int fetch = want;; fetch *= 4) {
    ASSIGN_OR_RETURN(std::vector<ScoredId> hits, keyword_->Search(c, user_text, fetch, total));
    const bool exhausted = static_cast<int>(hits.size()) < fetch;
    if (accept) {
      hits.erase(std::remove_if(hits.begin(), hits.end(),
                                [&](const ScoredId& h) { return !accept(h.id); }),
                 hits.end());
    }
    if (static_cast<int>(hits.size()) >= want || exhausted || fetch >= (1 << 20)) {
      if (static_cast<int>(hits.size()) > want) hits.resize(want);
      return hits;
    }
  }
}

absl::StatusOr<std::vector<float>> HybridRetriever::QueryVector(
    absl::string_view user_text, const std::vector<ScoredId>& keyword_hits,
    const RetrievalOptions& options) const {
  ASSIGN_OR_RETURN(std::vector<float> q, embedder_->Embed({std::string(user_text)}));
  const int n = std::min<int>(options.feedback_chunks, static_cast<int>(keyword_hits.size()));
  if (n <= 0) return q;
  const float w = static_cast<float>(options.feedback_weight);
  std::vector<float> out(q.size());
  for (size_t j = 0; j < q.size(); ++j) out[j] = (1 - w) * q[j];
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<std::vector<float>> v = vectors_->Reconstruct(keyword_hits[i].id);
    if (!v.ok()) continue;  // a chunk without a vector adds nothing
    for (size_t j = 0; j < out.size(); ++j) out[j] += w * (*v)[j] / n;
  }
  double norm = 0;
  for (float x : out) norm += double{x} * x;
  if (norm > 0) {
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& x : out) x *= inv;
  }
  return out;
}

absl::StatusOr<std::vector<RetrievedChunk>> HybridRetriever::Search(
    sqlite::Connection& c, absl::string_view user_text, int k, const RetrievalOptions& options,
    const std::function<bool(int64_t)>& accept, SearchTrace* trace) const {
  SearchTrace local;
  if (trace == nullptr) trace = &local;
  std::vector<RetrievedChunk> out;
  if (k <= 0) return out;
  const int want = std::max(k, options.candidates);
  const bool use_keywords = options.fusion.keyword_weight > 0 || options.feedback_chunks > 0;
  const bool use_vectors =
      options.fusion.vector_weight > 0 && vectors_ != nullptr && embedder_ != nullptr;
  std::vector<ScoredId> keyword;
  if (use_keywords) {
    ASSIGN_OR_RETURN(keyword, KeywordHits(c, user_text, want, accept, *trace));
  }
  std::vector<VectorHit> vector;
  if (use_vectors && vectors_->size() > 0) {
    ASSIGN_OR_RETURN(std::vector<float> q, QueryVector(user_text, keyword, options));
    ASSIGN_OR_RETURN(vector, vectors_->Search(q, want, accept));
  }
  FusionOptions fusion = options.fusion;
  if (!use_vectors) fusion.vector_weight = 0;
  for (const FusedHit& h : FuseRankings(keyword, vector, fusion)) {
    if (static_cast<int>(out.size()) == k) break;
    out.push_back({h.id, h.score, h.keyword_rank, h.vector_rank});
  }
  return out;
}

}  // namespace assistd::index
