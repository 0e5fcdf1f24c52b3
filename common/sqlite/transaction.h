#ifndef ASSISTD_COMMON_SQLITE_TRANSACTION_H_
#define ASSISTD_COMMON_SQLITE_TRANSACTION_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/sqlite/connection.h"

namespace assistd::sqlite {

// A transaction that rolls back unless committed.
//
//   ASSIGN_OR_RETURN(auto txn, Transaction::Begin(conn, TransactionMode::kImmediate));
//   RETURN_IF_ERROR(...writes...);
//   return txn->Commit();
enum class TransactionMode {
  kDeferred,   // takes locks when first needed: for reads (one snapshot)
  kImmediate,  // takes the write lock at once: for writes (no upgrade deadlock)
};

class Transaction {
 public:
  // `conn` must outlive the transaction. FailedPrecondition if `conn` is
  // already in a transaction; Unavailable if the write lock is busy.
  static absl::StatusOr<std::unique_ptr<Transaction>> Begin(
      Connection* conn, TransactionMode mode);
  ~Transaction();  // rolls back if neither Commit nor Rollback ran
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Commits. On failure the transaction is rolled back. FailedPrecondition
  // if already finished.
  absl::Status Commit();
  absl::Status Rollback();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}

  Connection* const conn_;  // borrowed
  bool done_ = false;
};

}  // namespace assistd::sqlite

#endif  // ASSISTD_COMMON_SQLITE_TRANSACTION_H_
