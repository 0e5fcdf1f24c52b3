#ifndef ASSISTD_INDEXER_INDEX_FTS5_TOKENIZER_H_
#define ASSISTD_INDEXER_INDEX_FTS5_TOKENIZER_H_

// The tokenizer of assistd's FTS5 tables ("porter unicode61
// remove_diacritics 2", keyword_index.cc), callable outside a MATCH, so that
// an index kept elsewhere (bm25_index.h) sees exactly the tokens FTS5 sees.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct Fts5Tokenizer;
struct fts5_tokenizer;

namespace assistd::index {

// Not thread-safe (the tokenizer keeps buffers): one per thread.
class Fts5TextTokenizer {
 public:
  // `db` is any open connection (FTS5 is built into SQLite); it must
  // outlive the tokenizer.
  static absl::StatusOr<std::unique_ptr<Fts5TextTokenizer>> Create(sqlite3* db);
  // The calling thread's tokenizer, over a private in-memory connection,
  // made on first use and kept until the thread exits.
  static absl::StatusOr<const Fts5TextTokenizer*> ForThisThread();
  ~Fts5TextTokenizer();
  Fts5TextTokenizer(const Fts5TextTokenizer&) = delete;
  Fts5TextTokenizer& operator=(const Fts5TextTokenizer&) = delete;

  // The tokens of `text` as FTS5 indexes them (`query` false) or as it reads
  // a quoted query term (`query` true).
  std::vector<std::string> Tokenize(absl::string_view text, bool query) const;

 private:
  Fts5TextTokenizer(std::unique_ptr<fts5_tokenizer> api, Fts5Tokenizer* tokenizer);
  std::unique_ptr<fts5_tokenizer> api_;
  Fts5Tokenizer* const tokenizer_;
};

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_INDEX_FTS5_TOKENIZER_H_
