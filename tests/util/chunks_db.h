#ifndef ASSISTD_TESTS_UTIL_CHUNKS_DB_H_
#define ASSISTD_TESTS_UTIL_CHUNKS_DB_H_

// The smallest database a KeywordIndex works in, for indexer tests: the
// `chunks(chunk_id, title, text)` table its FTS5 table reads, and that table.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/sqlite/database.h"
#include "common/status_macros.h"
#include "indexer/index/keyword_index.h"

namespace assistd::testing {

inline absl::StatusOr<std::unique_ptr<sqlite::Database>> OpenChunksDb(
    const std::string& path, const index::KeywordIndex& keyword) {
  sqlite::DatabaseOptions o;
  o.path = path;
  o.migrations = {{1, "CREATE TABLE chunks(chunk_id INTEGER PRIMARY KEY, title TEXT, text TEXT)"}};
  ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Database> db, sqlite::Database::Open(o));
  RETURN_IF_ERROR(db->Write([&](sqlite::Connection& c) { return keyword.Create(c); }));
  return db;
}

// A chunk row and its keyword row, in one transaction.
inline absl::Status InsertChunk(sqlite::Database& db, const index::KeywordIndex& keyword,
                                int64_t id, absl::string_view title, absl::string_view text) {
  return db.Write([&](sqlite::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(sqlite::Statement * st, c.Prepare("INSERT INTO chunks VALUES(?, ?, ?)"));
    RETURN_IF_ERROR(st->BindAll(id, title, text));
    RETURN_IF_ERROR(st->Run());
    return keyword.Insert(c, id, title, text);
  });
}

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_UTIL_CHUNKS_DB_H_
