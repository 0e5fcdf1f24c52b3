#ifndef ASSISTD_INDEXER_INDEX_KEYWORD_INDEX_H_
#define ASSISTD_INDEXER_INDEX_KEYWORD_INDEX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sqlite/connection.h"

namespace assistd::index {

struct ScoredId {
  int64_t id = 0;
  double score = 0;  // higher is better
};

struct KeywordIndexOptions {
  // BM25 weight of the title column relative to the text column.
  double title_weight = 2.0;
};

// The BM25 keyword index of one vector store: an FTS5 table (porter stemming
// over unicode61 with diacritics removed) whose content lives in the
// caller's `chunks(chunk_id INTEGER PRIMARY KEY, title TEXT, text TEXT, ...)`
// table. One table per store keeps term statistics (IDF) per store, so no
// store's ranking depends on another tenant's documents. Stateless; every
// call runs on the connection it is given (inside the caller's transaction).
class KeywordIndex {
 public:
  // `store_key` names the store: letters, digits and '_' only (a store id
  // such as "vs_abc" qualifies). InvalidArgument otherwise, from Create.
  explicit KeywordIndex(std::string store_key, KeywordIndexOptions options = {});

  absl::Status Create(sqlite::Connection& c) const;  // if not there yet
  absl::Status Drop(sqlite::Connection& c) const;
  absl::Status Insert(sqlite::Connection& c, int64_t chunk_id, absl::string_view title,
                      absl::string_view text) const;
  // Needs the values that were inserted (FTS5 external-content deletes).
  absl::Status Remove(sqlite::Connection& c, int64_t chunk_id, absl::string_view title,
                      absl::string_view text) const;
  // The `limit` best chunks for free user text, best first; empty when the
  // text has no search terms. Scores are -bm25() (higher is better).
  //
  // When `total_chunks` (the store's size) is at least 1,000, terms found
  // in more than half of the store are left out of the match: FTS5's BM25
  // gives them an IDF <= 0 (clamped to ~0), so they change no score, but
  // they make nearly every chunk a match that must be scored. Leaving them
  // out changes only the order of chunks that score ~0, and makes such
  // queries several times faster. The rarest term is always kept.
  absl::StatusOr<std::vector<ScoredId>> Search(sqlite::Connection& c,
                                               absl::string_view user_text, int limit,
                                               int64_t total_chunks = 0) const;

  const std::string& table() const { return table_; }

 private:
  absl::Status CheckKey() const;
  // `terms` without the ones in more than half of `total_chunks`.
  absl::StatusOr<std::vector<std::string>> InformativeTerms(sqlite::Connection& c,
                                                            std::vector<std::string> terms,
                                                            int64_t total_chunks) const;

  const std::string store_key_;
  const KeywordIndexOptions options_;
  const std::string table_;
};

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_INDEX_KEYWORD_INDEX_H_
