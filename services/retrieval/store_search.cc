#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"
#include "common/status_macros.h"
#include "indexer/hybrid_retriever.h"
#include "services/retrieval/retrieval_schema.h"
#include "services/retrieval/vector_store_core_impl.h"

namespace assistd::retrieval {
namespace {

using sqlite::Connection;
using sqlite::Statement;

// Files of the store whose attributes pass `filter`.
absl::StatusOr<absl::flat_hash_set<std::string>> AllowedFiles(Connection& c,
                                                              const std::string& store_id,
                                                              const index::AttributeFilter& filter) {
  absl::flat_hash_set<std::string> allowed;
  ASSIGN_OR_RETURN(Statement * st, c.Prepare(
      "SELECT file_id, attributes FROM store_files WHERE store_id = ? AND status = 1"));
  RETURN_IF_ERROR(st->BindAll(store_id));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return allowed;
    Attributes attributes;
    if (auto json = st->ColumnOptionalText(1)) {
      ASSIGN_OR_RETURN(attributes, AttributesFromJson(*json));
    }
    if (index::MatchesFilter(filter, attributes)) allowed.insert(st->ColumnText(0));
  }
}

// Several queries: a chunk's score is the mean of its scores per query (0
// where a query did not find it), keeping scores in (0, 1].
std::vector<index::RetrievedChunk> MergeQueries(
    const std::vector<std::vector<index::RetrievedChunk>>& per_query) {
  if (per_query.size() == 1) return per_query[0];
  absl::flat_hash_map<int64_t, double> sum;
  for (const auto& hits : per_query) {
    for (const auto& h : hits) sum[h.id] += h.score / per_query.size();
  }
  std::vector<index::RetrievedChunk> out;
  for (const auto& [id, score] : sum) out.push_back({id, score, 0, 0});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  });
  return out;
}

absl::Status FillHit(Connection& c, int64_t chunk_id, SearchHit* hit) {
  ASSIGN_OR_RETURN(Statement * st, c.Prepare(
      "SELECT c.file_id, c.page_start, c.text, f.filename, f.attributes, c.page_breaks"
      " FROM chunks c"
      " JOIN store_files f ON f.store_id = c.store_id AND f.file_id = c.file_id"
      " WHERE c.chunk_id = ?"));
  RETURN_IF_ERROR(st->BindAll(chunk_id));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError("chunk vanished");  // removed concurrently
  hit->file_id = st->ColumnText(0);
  hit->page_number = static_cast<int>(st->ColumnInt64(1));
  hit->text = st->ColumnText(2);
  hit->filename = st->ColumnText(3);
  hit->page_breaks = DecodePageBreaks(st->ColumnText(5));
  if (auto json = st->ColumnOptionalText(4)) {
    ASSIGN_OR_RETURN(hit->attributes, AttributesFromJson(*json));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<SearchHit>> VectorStoreCoreImpl::Search(const VectorStoreRecord& store,
                                                                   const SearchParams& params) {
  ASSIGN_OR_RETURN(std::shared_ptr<StoreIndex> idx, Index(store.id));
  index::RetrievalOptions ro = options.retrieval;
  if (params.ranker == "none") ro.feedback_chunks = 0;
  index::HybridRetriever retriever(&idx->keyword(), idx->vectors(), options.embedder,
                                   idx->memory_keywords());
  std::vector<SearchHit> out;
  RETURN_IF_ERROR(db->Read([&](Connection& c) -> absl::Status {
    std::function<bool(int64_t)> accept;
    absl::flat_hash_set<std::string> allowed;
    if (params.filter) {
      ASSIGN_OR_RETURN(allowed, AllowedFiles(c, store.id, *params.filter));
      accept = [&](int64_t chunk_id) {
        std::optional<std::string> file = idx->FileOf(chunk_id);
        return file && allowed.contains(*file);
      };
    }
    std::vector<std::vector<index::RetrievedChunk>> per_query;
    for (const std::string& q : params.queries) {
      index::SearchTrace trace;
      ASSIGN_OR_RETURN(auto hits, retriever.Search(c, q, params.max_results, ro, accept, &trace));
      if (trace.keywords_searched) metrics::KeywordSearchAnswered(trace.keywords_from_memory);
      per_query.push_back(std::move(hits));
    }
    for (const index::RetrievedChunk& h : MergeQueries(per_query)) {
      if (static_cast<int>(out.size()) == params.max_results) break;
      if (h.score < params.score_threshold) continue;
      SearchHit hit;
      hit.score = h.score;
      absl::Status s = FillHit(c, h.id, &hit);
      if (absl::IsNotFound(s)) continue;
      RETURN_IF_ERROR(s);
      out.push_back(std::move(hit));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace assistd::retrieval
