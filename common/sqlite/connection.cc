#include "common/sqlite/connection.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "common/sqlite/sqlite_status.h"
#include "common/status_macros.h"

namespace assistd::sqlite {

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(
    const ConnectionOptions& options) {
  sqlite3* db = nullptr;
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(options.path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status =
        SqliteError(rc, db, absl::StrCat("opening ", options.path));
    sqlite3_close_v2(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(
      db, static_cast<int>(absl::ToInt64Milliseconds(options.busy_timeout)));
  // journal_mode needs write access; readers share the writer's WAL.
  if (!options.read_only) {
    ASSIGN_OR_RETURN(int64_t unused,
                     conn->QueryInt64("PRAGMA journal_mode=WAL"));
    (void)unused;
  }
  // The first real read also detects a file that is not a database.
  RETURN_IF_ERROR(conn->Exec(
      "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
      "SELECT count(*) FROM sqlite_schema;"));
  return conn;
}

Connection::~Connection() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close_v2(db_);
}

absl::Status Connection::Exec(absl::string_view sql) {
  std::string copy(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return absl::OkStatus();
  sqlite3_free(err);
  return SqliteError(sqlite3_extended_errcode(db_), db_,
                     absl::StrCat("executing \"", sql, "\""));
}

absl::StatusOr<Statement*> Connection::Prepare(absl::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    RETURN_IF_ERROR(it->second->Reset());
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteError(rc, db_, absl::StrCat("preparing \"", sql, "\""));
  }
  if (stmt == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty SQL statement: \"", sql, "\""));
  }
  auto owned = std::make_unique<Statement>(db_, stmt);
  Statement* raw = owned.get();
  cache_.emplace(std::string(sql), std::move(owned));
  return raw;
}

absl::StatusOr<int64_t> Connection::QueryInt64(absl::string_view sql) {
  ASSIGN_OR_RETURN(Statement * st, Prepare(sql));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    return absl::NotFoundError(absl::StrCat("no row from \"", sql, "\""));
  }
  int64_t value = st->ColumnInt64(0);
  RETURN_IF_ERROR(st->Reset());
  return value;
}

void Connection::ResetStatements() {
  for (auto& [sql, statement] : cache_) (void)statement->Reset();
}

int64_t Connection::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

int Connection::Changes() const { return sqlite3_changes(db_); }

bool Connection::InTransaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

}  // namespace assistd::sqlite
