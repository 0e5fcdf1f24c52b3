#include "common/sqlite/transaction.h"

#include "common/status_macros.h"

namespace assistd::sqlite {

absl::StatusOr<std::unique_ptr<Transaction>> Transaction::Begin(
    Connection* conn, TransactionMode mode) {
  if (conn->InTransaction()) {
    return absl::FailedPreconditionError(
        "connection is already in a transaction");
  }
  RETURN_IF_ERROR(conn->Exec(mode == TransactionMode::kImmediate
                                 ? "BEGIN IMMEDIATE"
                                 : "BEGIN DEFERRED"));
  return std::unique_ptr<Transaction>(new Transaction(conn));
}

Transaction::~Transaction() {
  if (!done_) (void)Rollback();
}

absl::Status Transaction::Commit() {
  if (done_) return absl::FailedPreconditionError("transaction finished");
  conn_->ResetStatements();
  absl::Status status = conn_->Exec("COMMIT");
  if (!status.ok()) {
    (void)Rollback();
    return status;
  }
  done_ = true;
  return absl::OkStatus();
}

absl::Status Transaction::Rollback() {
  if (done_) return absl::FailedPreconditionError("transaction finished");
  done_ = true;
  conn_->ResetStatements();
  // SQLite may have rolled back already (e.g. after SQLITE_FULL).
  if (!conn_->InTransaction()) return absl::OkStatus();
  return conn_->Exec("ROLLBACK");
}

}  // namespace assistd::sqlite
