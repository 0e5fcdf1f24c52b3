#ifndef ASSISTD_COMMON_SQLITE_STATEMENT_H_
#define ASSISTD_COMMON_SQLITE_STATEMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"

struct sqlite3;
struct sqlite3_stmt;

namespace assistd::sqlite {

// Bytes bound as a BLOB (a plain string binds as TEXT).
struct Blob {
  absl::string_view data;
};

// A prepared statement. Not thread-safe; used through its Connection, which
// owns it (statements come from Connection::Prepare and are borrowed).
//
//   ASSIGN_OR_RETURN(Statement * st, conn->Prepare("SELECT a FROM t WHERE id=?"));
//   RETURN_IF_ERROR(st->BindAll(id));
//   ASSIGN_OR_RETURN(bool row, st->Step());
//   if (row) a = st->ColumnInt64(0);
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds parameter `index` (1-based). Internal on a bad index (a bug).
  absl::Status Bind(int index, int64_t value);
  absl::Status Bind(int index, int value) { return Bind(index, int64_t{value}); }
  absl::Status Bind(int index, bool value) { return Bind(index, int64_t{value}); }
  absl::Status Bind(int index, double value);
  absl::Status Bind(int index, absl::string_view text);
  absl::Status Bind(int index, const std::string& text) {
    return Bind(index, absl::string_view(text));
  }
  absl::Status Bind(int index, const char* text) {
    return Bind(index, absl::string_view(text));
  }
  absl::Status Bind(int index, Blob blob);
  absl::Status Bind(int index, std::nullopt_t);
  template <typename T>
  absl::Status Bind(int index, const std::optional<T>& value) {
    if (!value.has_value()) return Bind(index, std::nullopt);
    return Bind(index, *value);
  }

  // Clears earlier bindings and binds `args` to parameters 1..N.
  template <typename... Args>
  absl::Status BindAll(const Args&... args) {
    RETURN_IF_ERROR(Reset());
    int index = 0;
    absl::Status status;
    ((status.ok() ? (status = Bind(++index, args), 0) : 0), ...);
    return status;
  }

  // Advances: true when a row is available, false when done. Errors are
  // mapped with SqliteError (Unavailable on SQLITE_BUSY, and so on).
  absl::StatusOr<bool> Step();
  // Steps to completion, for statements that return no rows.
  absl::Status Run();
  // Rewinds and clears the bindings so the statement can be reused.
  absl::Status Reset();

  int64_t ColumnInt64(int col) const;
  double ColumnDouble(int col) const;
  std::string ColumnText(int col) const;
  std::string ColumnBlob(int col) const;
  bool ColumnIsNull(int col) const;
  std::optional<int64_t> ColumnOptionalInt64(int col) const;
  std::optional<std::string> ColumnOptionalText(int col) const;

  std::string sql() const;

 private:
  sqlite3* const db_;           // borrowed from the Connection
  sqlite3_stmt* const stmt_;    // owned
};

}  // namespace assistd::sqlite

#endif  // ASSISTD_COMMON_SQLITE_STATEMENT_H_
