#include "common/sqlite/database.h"

#include <fstream>
#include <optional>
#include <string>

#include "common/sqlite/transaction.h"
#include "common/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::sqlite {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::IsOkAndHolds;
using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::testing::HasSubstr;

std::vector<Migration> Schema() {
  return {{1, "CREATE TABLE items(seq INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL,"
              " n INTEGER, x REAL, data BLOB, note TEXT)"},
          {2, "CREATE INDEX items_n ON items(n)"}};
}

absl::StatusOr<std::unique_ptr<Database>> OpenDb(const std::string& path,
                                                 std::vector<Migration> m = Schema()) {
  DatabaseOptions options;
  options.path = path;
  options.migrations = std::move(m);
  options.busy_timeout = absl::Milliseconds(50);
  return Database::Open(std::move(options));
}

absl::Status Insert(Database& db, const std::string& id, int64_t n) {
  return db.Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare("INSERT INTO items(id, n) VALUES(?, ?)"));
    RETURN_IF_ERROR(st->BindAll(id, n));
    return st->Run();
  });
}

absl::StatusOr<int64_t> Count(const Database& db) {
  int64_t n = 0;
  absl::Status s = db.Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(n, c.QueryInt64("SELECT count(*) FROM items"));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return n;
}

TEST(DatabaseTest, OpensInWalModeWithFullSync) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db")));
  ASSERT_THAT(db->Write([](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t sync, c.QueryInt64("PRAGMA synchronous"));
    EXPECT_EQ(sync, 2);  // FULL
    ASSIGN_OR_RETURN(int64_t fk, c.QueryInt64("PRAGMA foreign_keys"));
    EXPECT_EQ(fk, 1);
    ASSIGN_OR_RETURN(Statement * st, c.Prepare("PRAGMA journal_mode"));
    ASSIGN_OR_RETURN(bool row, st->Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(st->ColumnText(0), "wal");
    return absl::OkStatus();
  }), IsOk());
}

TEST(DatabaseTest, MigrationsApplyOnceAndRecordTheVersion) {
  TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db"), {Schema()[0]}));
    ASSERT_OK(Insert(*db, "a", 1));
  }
  // Reopening with one more step applies only that step and keeps the data.
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db")));
  EXPECT_THAT(Count(*db), IsOkAndHolds(1));
  ASSERT_OK(db->Read([](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t v, c.QueryInt64("PRAGMA user_version"));
    EXPECT_EQ(v, 2);
    ASSIGN_OR_RETURN(int64_t idx, c.QueryInt64(
        "SELECT count(*) FROM sqlite_schema WHERE name='items_n'"));
    EXPECT_EQ(idx, 1);
    return absl::OkStatus();
  }));
}

TEST(DatabaseTest, RefusesToDowngrade) {
  TempDir dir;
  { ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db"))); }
  EXPECT_THAT(OpenDb(dir.File("a.db"), {Schema()[0]}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("refusing to downgrade")));
}

TEST(DatabaseTest, RejectsMigrationsOutOfSequence) {
  TempDir dir;
  EXPECT_THAT(OpenDb(dir.File("a.db"), {{2, "SELECT 1"}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DatabaseTest, FailedMigrationLeavesThePreviousVersionWhole) {
  TempDir dir;
  { ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db"), {Schema()[0]})); }
  std::vector<Migration> bad = Schema();
  bad[1].sql = "CREATE TABLE half(x); THIS IS NOT SQL";
  EXPECT_THAT(OpenDb(dir.File("a.db"), bad),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("migration 2")));
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db"), {Schema()[0]}));
  ASSERT_OK(db->Read([](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t half, c.QueryInt64(
        "SELECT count(*) FROM sqlite_schema WHERE name='half'"));
    EXPECT_EQ(half, 0);  // the half-applied step was rolled back
    return absl::OkStatus();
  }));
}

TEST(DatabaseTest, WriteRollsBackWhenTheCallbackFails) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db")));
  absl::Status s = db->Write([](Connection& c) -> absl::Status {
    RETURN_IF_ERROR(c.Exec("INSERT INTO items(id) VALUES('x')"));
    return absl::AbortedError("changed my mind");
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(Count(*db), IsOkAndHolds(0));
  ASSERT_OK(Insert(*db, "y", 1));  // the writer is usable afterwards
  EXPECT_THAT(Count(*db), IsOkAndHolds(1));
}

TEST(DatabaseTest, UniqueViolationIsAlreadyExists) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db")));
  ASSERT_OK(Insert(*db, "dup", 1));
  EXPECT_THAT(Insert(*db, "dup", 2), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(DatabaseTest, BindsAndReadsEveryType) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db")));
  const std::string blob("a\0b\xff", 4);
  ASSERT_OK(db->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "INSERT INTO items(id, n, x, data, note) VALUES(?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(st->BindAll("t", int64_t{1} << 40, 2.5, Blob{blob},
                                std::optional<std::string>()));
    return st->Run();
  }));
  ASSERT_OK(db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "SELECT n, x, data, note, typeof(data) FROM items WHERE id = ?"));
    RETURN_IF_ERROR(st->BindAll("t"));
    ASSIGN_OR_RETURN(bool row, st->Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(st->ColumnInt64(0), int64_t{1} << 40);
    EXPECT_DOUBLE_EQ(st->ColumnDouble(1), 2.5);
    EXPECT_EQ(st->ColumnBlob(2), blob);
    EXPECT_EQ(st->ColumnOptionalText(3), std::nullopt);
    EXPECT_EQ(st->ColumnText(4), "blob");
    return absl::OkStatus();
  }));
}

TEST(DatabaseTest, PreparedStatementsAreCachedPerConnection) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db")));
  ASSERT_OK(db->Write([](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * a, c.Prepare("SELECT count(*) FROM items"));
    ASSIGN_OR_RETURN(Statement * b, c.Prepare("SELECT count(*) FROM items"));
    ASSIGN_OR_RETURN(Statement * other, c.Prepare("SELECT 1"));
    EXPECT_EQ(a, b);
    EXPECT_NE(a, other);
    return absl::OkStatus();
  }));
}

TEST(DatabaseTest, BadSqlIsAnErrorNotACrash) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db")));
  EXPECT_THAT(db->Read([](Connection& c) -> absl::Status {
    return c.Prepare("SELEC nonsense").status();
  }), StatusIs(absl::StatusCode::kInternal, HasSubstr("SELEC")));
}

TEST(DatabaseTest, ReadersSeeASnapshotWhileTheWriterWrites) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db")));
  ASSERT_OK(Insert(*db, "a", 1));
  ASSERT_OK(db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t before, c.QueryInt64("SELECT count(*) FROM items"));
    // A write commits while this read transaction is open: WAL lets it
    // through, and this snapshot does not change.
    RETURN_IF_ERROR(Insert(*db, "b", 2));
    ASSIGN_OR_RETURN(int64_t after, c.QueryInt64("SELECT count(*) FROM items"));
    EXPECT_EQ(before, 1);
    EXPECT_EQ(after, 1);
    return absl::OkStatus();
  }));
  EXPECT_THAT(Count(*db), IsOkAndHolds(2));
}

TEST(DatabaseTest, ReaderCannotWrite) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(dir.File("a.db")));
  EXPECT_THAT(db->Read([](Connection& c) {
    return c.Exec("INSERT INTO items(id) VALUES('x')");
  }), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(DatabaseTest, WriteLockHeldByAnotherProcessIsUnavailable) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto a, OpenDb(dir.File("a.db")));
  ASSERT_OK_AND_ASSIGN(auto b, OpenDb(dir.File("a.db")));
  ASSERT_OK(a->Write([&](Connection&) -> absl::Status {
    // `b` is another connection to the same file, like another process.
    EXPECT_THAT(Insert(*b, "x", 1), StatusIs(absl::StatusCode::kUnavailable));
    return absl::OkStatus();
  }));
  EXPECT_OK(Insert(*b, "x", 1));  // and succeeds once the lock is free
}

TEST(DatabaseTest, NotADatabaseIsDataLoss) {
  TempDir dir;
  std::ofstream(dir.File("junk.db")) << std::string(4096, 'j');
  EXPECT_THAT(OpenDb(dir.File("junk.db")), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(DatabaseTest, UnopenablePathIsFailedPrecondition) {
  EXPECT_THAT(OpenDb("/nonexistent-dir/x/a.db"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("/nonexistent-dir/x/a.db")));
}

TEST(TransactionTest, RollsBackWhenDestroyedUncommitted) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open({dir.File("t.db")}));
  ASSERT_OK(conn->Exec("CREATE TABLE t(x)"));
  {
    ASSERT_OK_AND_ASSIGN(auto txn, Transaction::Begin(conn.get(),
                                                      TransactionMode::kImmediate));
    ASSERT_OK(conn->Exec("INSERT INTO t VALUES(1)"));
    EXPECT_THAT(Transaction::Begin(conn.get(), TransactionMode::kDeferred),
                StatusIs(absl::StatusCode::kFailedPrecondition));
  }
  EXPECT_FALSE(conn->InTransaction());
  EXPECT_THAT(conn->QueryInt64("SELECT count(*) FROM t"), IsOkAndHolds(0));
  ASSERT_OK_AND_ASSIGN(auto txn, Transaction::Begin(conn.get(),
                                                    TransactionMode::kImmediate));
  ASSERT_OK(conn->Exec("INSERT INTO t VALUES(1)"));
  ASSERT_OK(txn->Commit());
  EXPECT_THAT(txn->Commit(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(conn->QueryInt64("SELECT count(*) FROM t"), IsOkAndHolds(1));
}

}  // namespace
}  // namespace assistd::sqlite
