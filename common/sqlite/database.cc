#include "common/sqlite/database.h"

#include "common/sqlite/transaction.h"
#include "common/status_macros.h"

namespace assistd::sqlite {

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    DatabaseOptions options) {
  ConnectionOptions copts;
  copts.path = options.path;
  copts.busy_timeout = options.busy_timeout;
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer, Connection::Open(copts));
  RETURN_IF_ERROR(ApplyMigrations(writer.get(), options.migrations));
  return std::unique_ptr<Database>(
      new Database(std::move(options), std::move(writer)));
}

absl::Status Database::Write(const Fn& fn) {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(writer_.get(),
                                                TransactionMode::kImmediate));
  RETURN_IF_ERROR(fn(*writer_));
  return txn->Commit();
}

absl::Status Database::Read(const Fn& fn) const {
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, AcquireReader());
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(auto txn, Transaction::Begin(conn.get(),
                                                  TransactionMode::kDeferred));
    RETURN_IF_ERROR(fn(*conn));
    return txn->Commit();
  }();
  ReleaseReader(std::move(conn));
  return status;
}

absl::StatusOr<std::unique_ptr<Connection>> Database::AcquireReader() const {
  {
    absl::MutexLock lock(&pool_mu_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return conn;
    }
  }
  // Open outside the lock; the pool only caps how many stay idle.
  ConnectionOptions copts;
  copts.path = options_.path;
  copts.read_only = true;
  copts.busy_timeout = options_.busy_timeout;
  return Connection::Open(copts);
}

void Database::ReleaseReader(std::unique_ptr<Connection> conn) const {
  if (conn->InTransaction()) return;  // broken: drop rather than reuse
  absl::MutexLock lock(&pool_mu_);
  if (static_cast<int>(idle_readers_.size()) < options_.max_readers) {
    idle_readers_.push_back(std::move(conn));
  }
}

}  // namespace assistd::sqlite
