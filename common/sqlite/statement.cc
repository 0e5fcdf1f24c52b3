#include "common/sqlite/statement.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "common/sqlite/sqlite_status.h"

namespace assistd::sqlite {
namespace {

absl::Status BindResult(int rc, sqlite3* db, int index) {
  if (rc == SQLITE_OK) return absl::OkStatus();
  return SqliteError(rc, db, absl::StrCat("binding parameter ", index));
}

}  // namespace

Statement::~Statement() { sqlite3_finalize(stmt_); }

absl::Status Statement::Bind(int index, int64_t value) {
  return BindResult(sqlite3_bind_int64(stmt_, index, value), db_, index);
}

absl::Status Statement::Bind(int index, double value) {
  return BindResult(sqlite3_bind_double(stmt_, index, value), db_, index);
}

absl::Status Statement::Bind(int index, absl::string_view text) {
  return BindResult(sqlite3_bind_text64(stmt_, index, text.data(), text.size(),
                                        SQLITE_TRANSIENT, SQLITE_UTF8),
                    db_, index);
}

absl::Status Statement::Bind(int index, Blob blob) {
  // A zero-length blob with a null pointer would bind NULL; avoid that.
  static const char kEmpty = 0;
  const char* data = blob.data.data() != nullptr ? blob.data.data() : &kEmpty;
  return BindResult(
      sqlite3_bind_blob64(stmt_, index, data, blob.data.size(), SQLITE_TRANSIENT),
      db_, index);
}

absl::Status Statement::Bind(int index, std::nullopt_t) {
  return BindResult(sqlite3_bind_null(stmt_, index), db_, index);
}

absl::StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Use the extended code so UNIQUE violations are told apart.
  return SqliteError(sqlite3_extended_errcode(db_), db_,
                     absl::StrCat("executing \"", sql(), "\""));
}

absl::Status Statement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return absl::OkStatus();
  }
}

absl::Status Statement::Reset() {
  // sqlite3_reset returns the error of the last step; that was already
  // reported, so only clearing matters here.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return absl::OkStatus();
}

int64_t Statement::ColumnInt64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

double Statement::ColumnDouble(int col) const {
  return sqlite3_column_double(stmt_, col);
}

std::string Statement::ColumnText(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}

std::string Statement::ColumnBlob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
}

bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::optional<int64_t> Statement::ColumnOptionalInt64(int col) const {
  if (ColumnIsNull(col)) return std::nullopt;
  return ColumnInt64(col);
}

std::optional<std::string> Statement::ColumnOptionalText(int col) const {
  if (ColumnIsNull(col)) return std::nullopt;
  return ColumnText(col);
}

std::string Statement::sql() const {
  const char* s = sqlite3_sql(stmt_);
  return s == nullptr ? std::string() : std::string(s);
}

}  // namespace assistd::sqlite
