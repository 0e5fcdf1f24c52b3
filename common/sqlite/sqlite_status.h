#ifndef ASSISTD_COMMON_SQLITE_SQLITE_STATUS_H_
#define ASSISTD_COMMON_SQLITE_SQLITE_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

struct sqlite3;

namespace assistd::sqlite {

// Maps an SQLite result code to a Status, with `context` and SQLite's
// message: BUSY/LOCKED -> Unavailable, CORRUPT/NOTADB -> DataLoss,
// FULL/NOMEM/TOOBIG -> ResourceExhausted, unique or primary-key CONSTRAINT ->
// AlreadyExists, other CONSTRAINT -> FailedPrecondition, CANTOPEN/READONLY ->
// FailedPrecondition, anything else -> Internal. `db` may be null.
absl::Status SqliteError(int code, sqlite3* db, absl::string_view context);

}  // namespace assistd::sqlite

#endif  // ASSISTD_COMMON_SQLITE_SQLITE_STATUS_H_
