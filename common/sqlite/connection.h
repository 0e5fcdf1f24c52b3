#ifndef ASSISTD_COMMON_SQLITE_CONNECTION_H_
#define ASSISTD_COMMON_SQLITE_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/sqlite/statement.h"

struct sqlite3;

namespace assistd::sqlite {

struct ConnectionOptions {
  std::string path;  // database file; created when missing
  bool read_only = false;
  // How long a statement waits for another connection's lock before it
  // fails with Unavailable.
  absl::Duration busy_timeout = absl::Seconds(5);
};

// One SQLite connection in WAL mode with synchronous=FULL and foreign keys
// on, plus a cache of prepared statements keyed by SQL text.
// Not thread-safe: one thread uses a connection at a time (Database hands
// them out).
class Connection {
 public:
  // FailedPrecondition if the file can't be opened or is not a database
  // (DataLoss for a corrupt one).
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that take no parameters (DDL, PRAGMA).
  absl::Status Exec(absl::string_view sql);

  // Returns the cached statement for `sql`, preparing it on first use. The
  // statement is reset and unbound; it is owned by this connection and valid
  // until the connection closes.
  absl::StatusOr<Statement*> Prepare(absl::string_view sql);

  // Reads a single integer: the first column of the first row of `sql`.
  absl::StatusOr<int64_t> QueryInt64(absl::string_view sql);

  // Resets every cached statement, so none still holds a read cursor (a
  // statement left mid-iteration would make COMMIT fail).
  void ResetStatements();

  int64_t LastInsertRowId() const;
  // Rows changed by the most recent INSERT, UPDATE or DELETE.
  int Changes() const;
  bool InTransaction() const;
  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* const db_;  // owned
  absl::flat_hash_map<std::string, std::unique_ptr<Statement>> cache_;
};

}  // namespace assistd::sqlite

#endif  // ASSISTD_COMMON_SQLITE_CONNECTION_H_
