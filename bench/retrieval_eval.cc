// Retrieval quality on a test collection (default ../shared/data/retrieval/
// cranfield) through the real ingestion and search path (VectorStoreCore:
// chunking, embedding, SQLite/FTS5, FAISS, hybrid search): nDCG@10,
// Recall@100 and MRR@10 for BM25-only, vector-only and hybrid search. Each
// document becomes a file named by its title; a document ranks where its
// best chunk does.
//
//   build/bench/retrieval_eval [--collection=DIR]

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/indexed_collection.h"
#include "bench/retrieval_collection.h"
#include "bench/retrieval_metrics.h"
#include "common/status_macros.h"
#include "services/retrieval/vector_store_core.h"

ABSL_FLAG(std::string, collection, ASSISTD_SOURCE_DIR "/../shared/data/retrieval/cranfield",
          "Folder with docs.jsonl, queries.jsonl and qrels.tsv.");
ABSL_FLAG(int, feedback_docs, 10, "Pseudo-relevance feedback chunks (0: off).");
ABSL_FLAG(double, feedback_weight, 0.7, "Share of the feedback centroid in the query vector.");
ABSL_FLAG(double, vector_weight, 1.0, "Hybrid: RRF weight of the vector ranking.");

namespace assistd::bench {
namespace {

using retrieval::VectorStoreCore;

struct Config {
  const char* name;
  index::RetrievalOptions options;
};

std::vector<Config> Configs() {
  index::RetrievalOptions base;
  base.feedback_chunks = absl::GetFlag(FLAGS_feedback_docs);
  base.feedback_weight = absl::GetFlag(FLAGS_feedback_weight);
  base.fusion.vector_weight = absl::GetFlag(FLAGS_vector_weight);
  std::vector<Config> configs(4, Config{"", base});
  configs[0].name = "bm25";
  configs[0].options = Bm25Only(base);
  configs[1].name = "vector (hashed embedder)";
  configs[1].options.fusion.keyword_weight = 0;
  configs[1].options.feedback_chunks = 0;
  configs[2].name = "hybrid, no feedback";
  configs[2].options.feedback_chunks = 0;
  configs[3].name = "hybrid (default)";
  return configs;
}

absl::StatusOr<Metrics> Evaluate(VectorStoreCore& core, const std::string& store,
                                 const Collection& c) {
  std::map<std::string, std::vector<std::string>> run;
  for (const CollectionQuery& q : c.queries) {
    retrieval::SearchParams p;
    p.queries = {q.text};
    p.max_results = 100;  // the service caps at 50; the core does not
    ASSIGN_OR_RETURN(auto hits, core.Search(kEvalProject, store, p));
    run[q.id] = RankedDocs(hits);
  }
  return MeanMetrics(run, c.qrels);
}

absl::Status Run() {
  ASSIGN_OR_RETURN(Collection c, LoadCollection(absl::GetFlag(FLAGS_collection)));
  // Ingest once; every configuration reopens the same data.
  ASSIGN_OR_RETURN(auto indexed, IndexedCollection::Create(c));
  std::printf("%zu docs ingested in %.2f s (%lld completed, %lld failed), %zu queries\n",
              c.docs.size(), absl::ToDoubleSeconds(indexed->ingest_time()),
              static_cast<long long>(indexed->file_counts().completed),
              static_cast<long long>(indexed->file_counts().failed), c.queries.size());
  std::printf("%-28s %8s %8s %8s\n", "run", "nDCG@10", "R@100", "MRR@10");
  for (const Config& config : Configs()) {
    ASSIGN_OR_RETURN(auto core, indexed->Open(config.options));
    ASSIGN_OR_RETURN(Metrics m, Evaluate(*core, indexed->store_id(), c));
    std::printf("%-28s %8.4f %8.4f %8.4f\n", config.name, m.ndcg10, m.recall100, m.mrr10);
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace assistd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Status s = assistd::bench::Run();
  if (!s.ok()) {
    std::fprintf(stderr, "retrieval_eval: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
