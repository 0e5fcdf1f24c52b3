#ifndef ASSISTD_BENCH_INDEXED_COLLECTION_H_
#define ASSISTD_BENCH_INDEXED_COLLECTION_H_

// A test collection (retrieval_collection.h) ingested once through the real
// retrieval core (VectorStoreCore: chunking, hashed embedder, SQLite/FTS5,
// FAISS) into a temporary directory, then reopened with whatever retrieval
// options a benchmark compares. Each document becomes a file "doc-<id>"
// named "<title>.txt" whose text is the document's text as one page.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/retrieval_collection.h"
#include "indexer/embed/embedder.h"
#include "services/retrieval/vector_store_core.h"

namespace assistd::bench {

// Not thread-safe. Owns the temporary directory (removed on destruction),
// the documents' FileSource and the embedder.
class IndexedCollection {
 public:
  // Ingests every document of `collection` into one vector store and
  // waits until it is done. `collection` must outlive the result. Errors
  // of the core (e.g. the directory cannot be created).
  static absl::StatusOr<std::unique_ptr<IndexedCollection>> Create(const Collection& collection);
  ~IndexedCollection();
  IndexedCollection(const IndexedCollection&) = delete;
  IndexedCollection& operator=(const IndexedCollection&) = delete;

  // The ingested data reopened with `options`; it borrows this object,
  // which must outlive it. Close one before opening the next.
  absl::StatusOr<std::unique_ptr<retrieval::VectorStoreCore>> Open(
      const index::RetrievalOptions& options);

  const std::string& store_id() const { return store_id_; }
  absl::Duration ingest_time() const { return ingest_time_; }
  // The store's file counts after ingestion.
  const retrieval::FileCounts& file_counts() const { return file_counts_; }

 private:
  IndexedCollection(const Collection& collection, std::string dir);

  const std::string dir_;
  std::unique_ptr<retrieval::FileSource> files_;
  std::unique_ptr<embed::Embedder> embedder_;
  std::string store_id_;
  absl::Duration ingest_time_;
  retrieval::FileCounts file_counts_;
};

// The project every benchmark store lives in.
inline constexpr char kEvalProject[] = "eval";

// The collection's doc id of a hit on an IndexedCollection store.
std::string DocIdOf(const retrieval::SearchHit& hit);

// The distinct documents of `hits`, in hit order (a document ranks where
// its best chunk does).
std::vector<std::string> RankedDocs(const std::vector<retrieval::SearchHit>& hits);

// `base` searching by keywords (BM25) only: no vectors, no feedback.
index::RetrievalOptions Bm25Only(index::RetrievalOptions base);

}  // namespace assistd::bench

#endif  // ASSISTD_BENCH_INDEXED_COLLECTION_H_
