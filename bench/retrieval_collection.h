#ifndef ASSISTD_BENCH_RETRIEVAL_COLLECTION_H_
#define ASSISTD_BENCH_RETRIEVAL_COLLECTION_H_

// A test collection in the shared format: docs.jsonl {"id","title","text"},
// queries.jsonl {"id","text"}, qrels.tsv (query<TAB>doc<TAB>grade).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/retrieval_metrics.h"

namespace assistd::bench {

struct CollectionDoc {
  std::string id, title, text;
};
struct CollectionQuery {
  std::string id, text;
};
struct Collection {
  std::vector<CollectionDoc> docs;
  std::vector<CollectionQuery> queries;
  Qrels qrels;
};

// NotFound if `dir` lacks a file; InvalidArgument for a malformed line.
absl::StatusOr<Collection> LoadCollection(const std::string& dir);

}  // namespace assistd::bench

#endif  // ASSISTD_BENCH_RETRIEVAL_COLLECTION_H_
