// Retrieval quality on a test collection (default ../shared/data/retrieval/
// cranfield) through the real ingestion and search path (VectorStoreCore:
// chunking, embedding, SQLite/FTS5, FAISS, hybrid search): nDCG@10,
// Recall@100 and MRR@10 for BM25-only, vector-only and hybrid search. Each
// document becomes a file named by its title; a document ranks where its
// best chunk does.
//
//   build/bench/retrieval_eval [--collection=DIR]

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "bench/retrieval_collection.h"
#include "bench/retrieval_metrics.h"
#include "common/status_macros.h"
#include "indexer/embed/hashed_embedder.h"
#include "services/retrieval/vector_store_core.h"

ABSL_FLAG(std::string, collection, ASSISTD_SOURCE_DIR "/../shared/data/retrieval/cranfield",
          "Folder with docs.jsonl, queries.jsonl and qrels.tsv.");
ABSL_FLAG(int, feedback_docs, 10, "Pseudo-relevance feedback chunks (0: off).");
ABSL_FLAG(double, feedback_weight, 0.7, "Share of the feedback centroid in the query vector.");
ABSL_FLAG(double, vector_weight, 1.0, "Hybrid: RRF weight of the vector ranking.");

namespace assistd::bench {
namespace {

using retrieval::VectorStoreCore;

// The collection's documents as files: "doc-<id>" named "<title>.txt".
class CollectionFiles final : public retrieval::FileSource {
 public:
  explicit CollectionFiles(const Collection& c) {
    for (const CollectionDoc& d : c.docs) docs_["doc-" + d.id] = &d;
  }
  absl::StatusOr<std::string> Filename(const std::string&, const std::string& id) override {
    auto it = docs_.find(id);
    if (it == docs_.end()) return absl::NotFoundError(id);
    return it->second->title + ".txt";
  }
  absl::StatusOr<extract::Document> Text(const std::string&, const std::string& id) override {
    auto it = docs_.find(id);
    if (it == docs_.end()) return absl::NotFoundError(id);
    extract::Document doc;
    doc.format = extract::Format::kText;
    doc.pages = {{1, it->second->text, true}};
    return doc;
  }

 private:
  std::map<std::string, const CollectionDoc*> docs_;
};

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
  configs[0].options.fusion.vector_weight = 0;
  configs[0].options.feedback_chunks = 0;
  configs[1].name = "vector (hashed embedder)";
  configs[1].options.fusion.keyword_weight = 0;
  configs[1].options.feedback_chunks = 0;
  configs[2].name = "hybrid, no feedback";
  configs[2].options.feedback_chunks = 0;
  configs[3].name = "hybrid (default)";
  return configs;
}

absl::StatusOr<std::unique_ptr<VectorStoreCore>> OpenCore(const std::string& dir,
                                                          retrieval::FileSource* files,
                                                          embed::Embedder* embedder,
                                                          const index::RetrievalOptions& ro) {
  retrieval::VectorStoreCoreOptions o;
  o.data_dir = dir;
  o.files = files;
  o.embedder = embedder;
  o.retrieval = ro;
  o.snapshot_interval = absl::ZeroDuration();
  return VectorStoreCore::Create(o);
}

absl::StatusOr<Metrics> Evaluate(VectorStoreCore& core, const std::string& store,
                                 const Collection& c) {
  std::map<std::string, std::vector<std::string>> run;
  for (const CollectionQuery& q : c.queries) {
    retrieval::SearchParams p;
    p.queries = {q.text};
    p.max_results = 100;  // the service caps at 50; the core does not
    ASSIGN_OR_RETURN(auto hits, core.Search("eval", store, p));
    std::set<std::string> seen;
    for (const auto& h : hits) {
      const std::string doc = h.file_id.substr(4);  // "doc-<id>"
      if (seen.insert(doc).second) run[q.id].push_back(doc);
    }
  }
  return MeanMetrics(run, c.qrels);
}

absl::Status Run() {
  ASSIGN_OR_RETURN(Collection c, LoadCollection(absl::GetFlag(FLAGS_collection)));
  char tmpl[] = "/tmp/assistd_eval_XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  CollectionFiles files(c);
  auto embedder = embed::NewHashedEmbedder();
  std::vector<Config> configs = Configs();
  std::string store_id;
  {  // Ingest once; every configuration reopens the same data.
    ASSIGN_OR_RETURN(auto core, OpenCore(dir, &files, embedder.get(), configs[0].options));
    retrieval::CreateStoreParams p;
    for (const CollectionDoc& d : c.docs) p.file_ids.push_back("doc-" + d.id);
    const absl::Time start = absl::Now();
    ASSIGN_OR_RETURN(retrieval::VectorStoreRecord store, core->CreateStore("eval", p));
    core->WaitUntilIdle();
    store_id = store.id;
    ASSIGN_OR_RETURN(store, core->GetStore("eval", store_id));
    std::printf("%zu docs ingested in %.2f s (%lld completed, %lld failed), %zu queries\n",
                c.docs.size(), absl::ToDoubleSeconds(absl::Now() - start),
                static_cast<long long>(store.file_counts.completed),
                static_cast<long long>(store.file_counts.failed), c.queries.size());
  }
  std::printf("%-28s %8s %8s %8s\n", "run", "nDCG@10", "R@100", "MRR@10");
  for (const Config& config : configs) {
    ASSIGN_OR_RETURN(auto core, OpenCore(dir, &files, embedder.get(), config.options));
    ASSIGN_OR_RETURN(Metrics m, Evaluate(*core, store_id, c));
    std::printf("%-28s %8.4f %8.4f %8.4f\n", config.name, m.ndcg10, m.recall100, m.mrr10);
  }
  std::filesystem::remove_all(dir);
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
