#include "bench/indexed_collection.h"

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "indexer/embed/hashed_embedder.h"

namespace assistd::bench {
namespace {

constexpr char kDocPrefix[] = "doc-";

// The collection's documents as files: "doc-<id>" named "<title>.txt".
class CollectionFiles final : public retrieval::FileSource {
 public:
  explicit CollectionFiles(const Collection& c) {
    for (const CollectionDoc& d : c.docs) docs_[kDocPrefix + d.id] = &d;
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

}  // namespace

IndexedCollection::IndexedCollection(const Collection& collection, std::string dir)
    : dir_(std::move(dir)),
      files_(std::make_unique<CollectionFiles>(collection)),
      embedder_(embed::NewHashedEmbedder()) {}

IndexedCollection::~IndexedCollection() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::StatusOr<std::unique_ptr<IndexedCollection>> IndexedCollection::Create(
    const Collection& collection) {
  char tmpl[] = "/tmp/assistd_eval_XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed under /tmp");
  std::unique_ptr<IndexedCollection> indexed(new IndexedCollection(collection, tmpl));
  ASSIGN_OR_RETURN(auto core, indexed->Open(index::RetrievalOptions()));
  retrieval::CreateStoreParams p;
  for (const CollectionDoc& d : collection.docs) p.file_ids.push_back(kDocPrefix + d.id);
  const absl::Time start = absl::Now();
  ASSIGN_OR_RETURN(retrieval::VectorStoreRecord store, core->CreateStore(kEvalProject, p));
  core->WaitUntilIdle();
  indexed->ingest_time_ = absl::Now() - start;
  indexed->store_id_ = store.id;
  ASSIGN_OR_RETURN(store, core->GetStore(kEvalProject, store.id));
  indexed->file_counts_ = store.file_counts;
  return indexed;
}

absl::StatusOr<std::unique_ptr<retrieval::VectorStoreCore>> IndexedCollection::Open(
    const index::RetrievalOptions& options) {
  retrieval::VectorStoreCoreOptions o;
  o.data_dir = dir_;
  o.files = files_.get();
  o.embedder = embedder_.get();
  o.retrieval = options;
  o.snapshot_interval = absl::ZeroDuration();
  return retrieval::VectorStoreCore::Create(o);
}

std::string DocIdOf(const retrieval::SearchHit& hit) {
  absl::string_view id = hit.file_id;
  if (absl::StartsWith(id, kDocPrefix)) id.remove_prefix(sizeof(kDocPrefix) - 1);
  return std::string(id);
}

std::vector<std::string> RankedDocs(const std::vector<retrieval::SearchHit>& hits) {
  std::vector<std::string> docs;
  std::set<std::string> seen;
  for (const retrieval::SearchHit& h : hits) {
    std::string doc = DocIdOf(h);
    if (seen.insert(doc).second) docs.push_back(std::move(doc));
  }
  return docs;
}

index::RetrievalOptions Bm25Only(index::RetrievalOptions base) {
  base.fusion.vector_weight = 0;
  base.feedback_chunks = 0;
  return base;
}

}  // namespace assistd::bench
