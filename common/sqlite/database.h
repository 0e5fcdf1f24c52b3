#ifndef ASSISTD_COMMON_SQLITE_DATABASE_H_
#define ASSISTD_COMMON_SQLITE_DATABASE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/sqlite/connection.h"
#include "common/sqlite/migrations.h"

namespace assistd::sqlite {

struct DatabaseOptions {
  std::string path;                  // e.g. <data_dir>/files.db
  std::vector<Migration> migrations;  // the schema, applied at Open
  int max_readers = 4;               // pooled read-only connections
  absl::Duration busy_timeout = absl::Seconds(5);
};

// One service's database: a single writer connection (SQLite allows one
// writer) and a pool of reader connections that read WAL snapshots
// concurrently with the writer. Thread-safe.
//
//   RETURN_IF_ERROR(db->Write([&](Connection& c) -> absl::Status {
//     ASSIGN_OR_RETURN(Statement * st, c.Prepare("INSERT ..."));
//     RETURN_IF_ERROR(st->BindAll(id, name));
//     return st->Run();
//   }));
class Database {
 public:
  using Fn = std::function<absl::Status(Connection&)>;

  // Opens or creates the file and applies the migrations. Errors as
  // Connection::Open and ApplyMigrations.
  static absl::StatusOr<std::unique_ptr<Database>> Open(DatabaseOptions options);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `fn` in an IMMEDIATE transaction on the writer; commits if `fn`
  // returns OK, otherwise rolls back and returns its status. Writers queue.
  absl::Status Write(const Fn& fn);

  // Runs `fn` in a read transaction (one consistent snapshot) on a pooled
  // reader. Writes inside `fn` fail (the connection is read-only).
  absl::Status Read(const Fn& fn) const;

  const std::string& path() const { return options_.path; }

 private:
  Database(DatabaseOptions options, std::unique_ptr<Connection> writer)
      : options_(std::move(options)), writer_(std::move(writer)) {}

  absl::StatusOr<std::unique_ptr<Connection>> AcquireReader() const;
  void ReleaseReader(std::unique_ptr<Connection> conn) const;

  const DatabaseOptions options_;
  absl::Mutex write_mu_;
  std::unique_ptr<Connection> writer_ ABSL_GUARDED_BY(write_mu_);
  mutable absl::Mutex pool_mu_;
  mutable std::vector<std::unique_ptr<Connection>> idle_readers_
      ABSL_GUARDED_BY(pool_mu_);
};

}  // namespace assistd::sqlite

#endif  // ASSISTD_COMMON_SQLITE_DATABASE_H_
