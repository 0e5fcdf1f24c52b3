#include "indexer/index/keyword_index.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "indexer/index/keyword_query.h"

namespace assistd::index {

KeywordIndex::KeywordIndex(std::string store_key, KeywordIndexOptions options)
    : store_key_(std::move(store_key)),
      options_(options),
      table_(absl::StrCat("fts_", store_key_)) {}

absl::Status KeywordIndex::CheckKey() const {
  bool ok = !store_key_.empty() && store_key_.size() <= 100;
  for (char c : store_key_) ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("bad store key '", store_key_, "'"));
  return absl::OkStatus();
}

absl::Status KeywordIndex::Create(sqlite::Connection& c) const {
  RETURN_IF_ERROR(CheckKey());
  RETURN_IF_ERROR(c.Exec(absl::StrCat(
      "CREATE VIRTUAL TABLE IF NOT EXISTS ", table_,
      " USING fts5(title, text, content='chunks', content_rowid='chunk_id',"
      " tokenize='porter unicode61 remove_diacritics 2')")));
  // Segments are merged once 16 of a level pile up, not 4 (the default):
  // ingestion's SQLite time drops ~19% at 100K chunks, and FTS5's own
  // search latency did not change measurably (docs/benchmarks.md). Stored
  // in the table's config, so it holds for the table's life.
  return c.Exec(absl::StrCat("INSERT INTO ", table_, "(", table_,
                             ", rank) VALUES('automerge', 16)"));
}

absl::Status KeywordIndex::Drop(sqlite::Connection& c) const {
  RETURN_IF_ERROR(CheckKey());
  return c.Exec(absl::StrCat("DROP TABLE IF EXISTS ", table_));
}

absl::Status KeywordIndex::Insert(sqlite::Connection& c, int64_t chunk_id,
                                  absl::string_view title, absl::string_view text) const {
  ASSIGN_OR_RETURN(sqlite::Statement * st, c.Prepare(absl::StrCat(
      "INSERT INTO ", table_, "(rowid, title, text) VALUES(?, ?, ?)")));
  RETURN_IF_ERROR(st->BindAll(chunk_id, title, text));
  return st->Run();
}

absl::Status KeywordIndex::Remove(sqlite::Connection& c, int64_t chunk_id,
                                  absl::string_view title, absl::string_view text) const {
  ASSIGN_OR_RETURN(sqlite::Statement * st, c.Prepare(absl::StrCat(
      "INSERT INTO ", table_, "(", table_, ", rowid, title, text) VALUES('delete', ?, ?, ?)")));
  RETURN_IF_ERROR(st->BindAll(chunk_id, title, text));
  return st->Run();
}

absl::StatusOr<std::vector<std::string>> KeywordIndex::InformativeTerms(
    sqlite::Connection& c, std::vector<std::string> terms, int64_t total_chunks) const {
  // Counting stops at the cap: iterating postings is cheap next to scoring
  // every match, and FTS5 applies its own stemming to each term.
  ASSIGN_OR_RETURN(sqlite::Statement * st, c.Prepare(absl::StrCat(
      "SELECT count(*) FROM (SELECT 1 FROM ", table_, " WHERE ", table_, " MATCH ? LIMIT ?)")));
  auto df = [&](const std::string& term, int64_t cap) -> absl::StatusOr<int64_t> {
    RETURN_IF_ERROR(st->BindAll(MatchExpression({term}), cap));
    ASSIGN_OR_RETURN(bool row, st->Step());
    const int64_t n = row ? st->ColumnInt64(0) : 0;
    RETURN_IF_ERROR(st->Reset());
    return n;
  };
  return index::InformativeTerms(std::move(terms), total_chunks, df);
}

absl::StatusOr<std::vector<ScoredId>> KeywordIndex::Search(sqlite::Connection& c,
                                                           absl::string_view user_text,
                                                           int limit, int64_t total_chunks) const {
  std::vector<ScoredId> out;
  ASSIGN_OR_RETURN(std::vector<std::string> terms,
                   InformativeTerms(c, QueryTerms(user_text), total_chunks));
  const std::string match = MatchExpression(terms);
  if (match.empty() || limit <= 0) return out;
  ASSIGN_OR_RETURN(sqlite::Statement * st, c.Prepare(absl::StrCat(
      "SELECT rowid, bm25(", table_, ", ?, 1.0) AS s FROM ", table_, " WHERE ", table_,
      " MATCH ? ORDER BY s LIMIT ?")));
  RETURN_IF_ERROR(st->BindAll(options_.title_weight, match, limit));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->ColumnInt64(0), -st->ColumnDouble(1)});
  }
  return out;
}

}  // namespace assistd::index
