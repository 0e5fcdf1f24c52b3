#include "common/sqlite/migrations.h"

#include "absl/strings/str_cat.h"
#include "common/sqlite/transaction.h"
#include "common/status_macros.h"

namespace assistd::sqlite {
namespace {

absl::Status CheckSequence(absl::Span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "migration #", i, " has version ", migrations[i].version,
          "; expected ", i + 1));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyMigrations(Connection* conn,
                             absl::Span<const Migration> migrations) {
  RETURN_IF_ERROR(CheckSequence(migrations));
  ASSIGN_OR_RETURN(int64_t current, conn->QueryInt64("PRAGMA user_version"));
  const int64_t latest = static_cast<int64_t>(migrations.size());
  if (current > latest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database schema version ", current, " is newer than this binary's ",
        latest, "; refusing to downgrade"));
  }
  for (int64_t v = current + 1; v <= latest; ++v) {
    ASSIGN_OR_RETURN(auto txn,
                     Transaction::Begin(conn, TransactionMode::kImmediate));
    // Another process may have migrated while we waited for the lock.
    ASSIGN_OR_RETURN(int64_t now, conn->QueryInt64("PRAGMA user_version"));
    if (now >= v) continue;
    absl::Status applied = conn->Exec(migrations[v - 1].sql);
    if (!applied.ok()) {
      return absl::Status(applied.code(),
                          absl::StrCat("migration ", v, ": ", applied.message()));
    }
    RETURN_IF_ERROR(conn->Exec(absl::StrCat("PRAGMA user_version=", v)));
    RETURN_IF_ERROR(txn->Commit());
  }
  return absl::OkStatus();
}

}  // namespace assistd::sqlite
