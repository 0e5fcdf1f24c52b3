// Does the built-in model `assistd-extractive` quote a relevant document
// first as often as plain BM25 would rank one first? On a test collection
// (default ../shared/data/retrieval/cranfield) ingested through the real
// retrieval core (bench/indexed_collection.h), for each query:
//   - BM25 top-1: the best document of a keyword-only search;
//   - hybrid top-1: the best document of the default (hybrid) search;
//   - extractive top quote: the hybrid search's passages (max_results, 20
//     as file_search's default) given to ExtractiveModel as the output of
//     its file_search call, exactly as the run loop formats them
//     (model::FormatPassages, markers named by doc id); the document of the
//     first marker in its answer.
// Each is counted when the qrels judge that document relevant (grade >= 1).
//
//   build/bench/extractive_eval [--collection=DIR] [--max_results=20] [--verbose]

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/string_view.h"
#include "bench/indexed_collection.h"
#include "bench/retrieval_collection.h"
#include "common/status_macros.h"
#include "services/orchestrator/model/extractive_model.h"
#include "services/orchestrator/model/passages.h"
#include "services/retrieval/vector_store_core.h"

ABSL_FLAG(std::string, collection, ASSISTD_SOURCE_DIR "/../shared/data/retrieval/cranfield",
          "Folder with docs.jsonl, queries.jsonl and qrels.tsv.");
ABSL_FLAG(int, max_results, 20, "Passages handed to the model (file_search's default: 20).");
ABSL_FLAG(bool, verbose, false, "Print one line per query.");

namespace assistd::bench {
namespace {

using retrieval::SearchHit;
using retrieval::VectorStoreCore;

constexpr absl::string_view kMarkerOpen = "\u3010";   // 【
constexpr absl::string_view kMarkerClose = "\u3011";  // 】

class NoOpObserver final : public model::ChatStreamObserver {
 public:
  bool OnText(absl::string_view) override { return true; }
  bool OnToolCallDelta(int, absl::string_view, absl::string_view, absl::string_view) override {
    return true;
  }
};

// One query's outcome: a doc id per method ("" = none).
struct QueryResult {
  std::string bm25, hybrid, quoted;
  std::vector<std::string> all_quoted;   // every marker of the answer, in order
  std::vector<std::string> hybrid_top3;  // the first 3 distinct docs of the hybrid search
};

absl::StatusOr<std::vector<SearchHit>> Search(VectorStoreCore& core, const std::string& store,
                                              const std::string& query, int max_results) {
  retrieval::SearchParams p;
  p.queries = {query};
  p.max_results = max_results;
  return core.Search(kEvalProject, store, p);
}

// The doc ids named by the markers of `answer`, in order.
std::vector<std::string> MarkerDocs(absl::string_view answer) {
  std::vector<std::string> docs;
  size_t pos = 0;
  while ((pos = answer.find(kMarkerOpen, pos)) != absl::string_view::npos) {
    const size_t close = answer.find(kMarkerClose, pos);
    if (close == absl::string_view::npos) break;
    const size_t end = close + kMarkerClose.size();
    if (auto parts = model::ParseMarker(answer.substr(pos, end - pos))) {
      docs.push_back(parts->file_name);
    }
    pos = end;
  }
  return docs;
}

// The conversation the run loop sends the model after its file_search call
// returned `hits`.
model::ChatRequest AfterFileSearch(const std::string& question,
                                   const std::vector<SearchHit>& hits) {
  std::vector<model::Passage> passages;
  for (const SearchHit& h : hits) {
    model::Passage& p = passages.emplace_back();
    p.file_id = h.file_id;
    p.file_name = DocIdOf(h);
    p.marker = model::MakeMarker(0, static_cast<int>(passages.size()) - 1, p.file_name);
    p.page_number = h.page_number;
    p.page_breaks = h.page_breaks;
    p.score = h.score;
    p.text = h.text;
  }
  model::ChatRequest request;
  request.model = model::ExtractiveModel::kName;
  request.tools.push_back({"file_search", "Search the user's uploaded files.", "", false});
  request.messages.push_back({model::ChatMessage::Role::kUser, question, {}, ""});
  model::ChatMessage call{model::ChatMessage::Role::kAssistant, "", {}, ""};
  call.tool_calls.push_back({"call_0", "file_search", nlohmann::json{{"query", question}}.dump()});
  request.messages.push_back(std::move(call));
  request.messages.push_back(
      {model::ChatMessage::Role::kTool, model::FormatPassages(passages), {}, "call_0"});
  return request;
}

bool Relevant(const Qrels& qrels, const std::string& query, const std::string& doc) {
  auto q = qrels.find(query);
  if (q == qrels.end() || doc.empty()) return false;
  auto d = q->second.find(doc);
  return d != q->second.end() && d->second > 0;
}

bool HasRelevant(const Qrels& qrels, const std::string& query) {
  auto q = qrels.find(query);
  if (q == qrels.end()) return false;
  for (const auto& [doc, grade] : q->second) {
    if (grade > 0) return true;
  }
  return false;
}

// Judged, but not relevant: in Cranfield, the document each question was
// written from (the source's "-1" line).
bool JudgedIrrelevant(const Qrels& qrels, const std::string& query, const std::string& doc) {
  auto q = qrels.find(query);
  if (q == qrels.end()) return false;
  auto d = q->second.find(doc);
  return d != q->second.end() && d->second <= 0;
}

bool AnyRelevant(const Qrels& qrels, const std::string& query,
                 const std::vector<std::string>& docs) {
  for (const std::string& d : docs) {
    if (Relevant(qrels, query, d)) return true;
  }
  return false;
}

// Fills `bm25` of every query, with a keyword-only search.
absl::Status RunBm25(IndexedCollection& indexed, const Collection& c,
                     std::map<std::string, QueryResult>* results) {
  ASSIGN_OR_RETURN(auto core, indexed.Open(Bm25Only(index::RetrievalOptions())));
  for (const CollectionQuery& q : c.queries) {
    ASSIGN_OR_RETURN(auto hits, Search(*core, indexed.store_id(), q.text, 1));
    if (!hits.empty()) (*results)[q.id].bm25 = DocIdOf(hits[0]);
  }
  return absl::OkStatus();
}

// Fills `hybrid` and `quoted` of every query, with the default search.
absl::Status RunExtractive(IndexedCollection& indexed, const Collection& c,
                           std::map<std::string, QueryResult>* results) {
  ASSIGN_OR_RETURN(auto core, indexed.Open(index::RetrievalOptions()));
  model::ExtractiveModel model;
  NoOpObserver observer;
  for (const CollectionQuery& q : c.queries) {
    ASSIGN_OR_RETURN(auto hits,
                     Search(*core, indexed.store_id(), q.text, absl::GetFlag(FLAGS_max_results)));
    QueryResult& r = (*results)[q.id];
    if (!hits.empty()) r.hybrid = DocIdOf(hits[0]);
    r.hybrid_top3 = RankedDocs(hits);
    if (r.hybrid_top3.size() > 3) r.hybrid_top3.resize(3);
    ASSIGN_OR_RETURN(model::ChatResult answer,
                     model.Complete(AfterFileSearch(q.text, hits), &observer));
    r.all_quoted = MarkerDocs(answer.text);
    if (!r.all_quoted.empty()) r.quoted = r.all_quoted[0];
  }
  return absl::OkStatus();
}

struct Tally {
  int queries = 0, bm25 = 0, hybrid = 0, quoted = 0, any_quote = 0, no_quote = 0;
  int only_bm25 = 0, only_quoted = 0, quoted_not_hybrid_top = 0, hybrid_top3 = 0;
  int bm25_judged_irrelevant = 0, quoted_judged_irrelevant = 0;
};

Tally Count(const Collection& c, const std::map<std::string, QueryResult>& results) {
  Tally t;
  for (const CollectionQuery& q : c.queries) {
    if (!HasRelevant(c.qrels, q.id)) continue;  // as MeanMetrics does
    const QueryResult& r = results.at(q.id);
    const bool b = Relevant(c.qrels, q.id, r.bm25);
    const bool h = Relevant(c.qrels, q.id, r.hybrid);
    const bool e = Relevant(c.qrels, q.id, r.quoted);
    ++t.queries;
    t.bm25 += b;
    t.hybrid += h;
    t.quoted += e;
    t.any_quote += AnyRelevant(c.qrels, q.id, r.all_quoted);
    t.hybrid_top3 += AnyRelevant(c.qrels, q.id, r.hybrid_top3);
    t.bm25_judged_irrelevant += JudgedIrrelevant(c.qrels, q.id, r.bm25);
    t.quoted_judged_irrelevant += JudgedIrrelevant(c.qrels, q.id, r.quoted);
    t.no_quote += r.quoted.empty();
    t.only_bm25 += b && !e;
    t.only_quoted += e && !b;
    t.quoted_not_hybrid_top += !r.quoted.empty() && r.quoted != r.hybrid;
    if (absl::GetFlag(FLAGS_verbose)) {
      std::printf("q%-4s bm25 %-5s%c hybrid %-5s%c quoted %-5s%c (%zu quotes)\n", q.id.c_str(),
                  r.bm25.c_str(), b ? '+' : '-', r.hybrid.c_str(), h ? '+' : '-', r.quoted.c_str(),
                  e ? '+' : '-', r.all_quoted.size());
    }
  }
  return t;
}

void Print(const Tally& t) {
  auto line = [&t](const char* what, int n) {
    std::printf("%-44s %4d / %d  (%.1f%%)\n", what, n, t.queries, 100.0 * n / t.queries);
  };
  std::printf("queries with a relevant document: %d; passages per answer: up to %d\n", t.queries,
              absl::GetFlag(FLAGS_max_results));
  line("BM25 top-1 relevant", t.bm25);
  line("hybrid top-1 relevant", t.hybrid);
  line("extractive first quote relevant", t.quoted);
  line("extractive: any quote relevant (up to 3)", t.any_quote);
  line("hybrid top-3: any relevant", t.hybrid_top3);
  line("extractive: first quote is not hybrid top-1", t.quoted_not_hybrid_top);
  line("extractive: no quote at all", t.no_quote);
  line("BM25 top-1 judged NOT relevant (grade 0)", t.bm25_judged_irrelevant);
  line("first quote judged NOT relevant (grade 0)", t.quoted_judged_irrelevant);
  line("relevant for BM25 top-1 only", t.only_bm25);
  line("relevant for extractive first quote only", t.only_quoted);
  std::printf("target (extractive >= BM25 top-1): %s\n", t.quoted >= t.bm25 ? "met" : "NOT met");
}

absl::Status Run() {
  ASSIGN_OR_RETURN(Collection c, LoadCollection(absl::GetFlag(FLAGS_collection)));
  ASSIGN_OR_RETURN(auto indexed, IndexedCollection::Create(c));
  std::printf("%zu docs ingested in %.2f s (%lld completed, %lld failed)\n", c.docs.size(),
              absl::ToDoubleSeconds(indexed->ingest_time()),
              static_cast<long long>(indexed->file_counts().completed),
              static_cast<long long>(indexed->file_counts().failed));
  std::map<std::string, QueryResult> results;
  RETURN_IF_ERROR(RunBm25(*indexed, c, &results));
  RETURN_IF_ERROR(RunExtractive(*indexed, c, &results));
  Print(Count(c, results));
  return absl::OkStatus();
}

}  // namespace
}  // namespace assistd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Status s = assistd::bench::Run();
  if (!s.ok()) {
    std::fprintf(stderr, "extractive_eval: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
