// The storage base's unit costs: id generation, one acknowledged write
// (an IMMEDIATE transaction committed with synchronous=FULL), and a point
// read through a pooled reader with a cached statement.
//
//   build/bench/sqlite_bench --benchmark_min_time=2

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "benchmark/benchmark.h"
#include "common/ids.h"
#include "common/sqlite/database.h"
#include "common/status_macros.h"

namespace assistd::sqlite {
namespace {

class TempDb {
 public:
  TempDb() {
    char tmpl[] = "/tmp/assistd_bench_XXXXXX";
    dir_ = mkdtemp(tmpl);
    DatabaseOptions options;
    options.path = dir_ + "/bench.db";
    options.migrations = {{1, "CREATE TABLE objects(seq INTEGER PRIMARY KEY, "
                              "id TEXT UNIQUE NOT NULL, body TEXT NOT NULL)"}};
    db_ = *Database::Open(std::move(options));
  }
  ~TempDb() {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  Database& db() { return *db_; }

 private:
  std::string dir_;
  std::unique_ptr<Database> db_;
};

absl::Status Insert(Database& db, const std::string& id, const std::string& body) {
  return db.Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare("INSERT INTO objects(id, body) VALUES(?, ?)"));
    RETURN_IF_ERROR(st->BindAll(id, body));
    return st->Run();
  });
}

void BM_NewId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NewId(IdKind::kMessage));
}
BENCHMARK(BM_NewId);

void BM_AcknowledgedInsert(benchmark::State& state) {
  TempDb db;
  const std::string body(512, 'x');
  for (auto _ : state) {
    if (!Insert(db.db(), NewId(IdKind::kMessage), body).ok()) state.SkipWithError("insert");
  }
}
BENCHMARK(BM_AcknowledgedInsert)->UseRealTime();

void BM_PointRead(benchmark::State& state) {
  TempDb db;
  std::vector<std::string> ids;
  for (int i = 0; i < 10000; ++i) {
    ids.push_back(NewId(IdKind::kMessage));
  }
  (void)db.db().Write([&](Connection& c) -> absl::Status {
    for (const auto& id : ids) {
      ASSIGN_OR_RETURN(Statement * st, c.Prepare("INSERT INTO objects(id, body) VALUES(?, ?)"));
      RETURN_IF_ERROR(st->BindAll(id, std::string(512, 'x')));
      RETURN_IF_ERROR(st->Run());
    }
    return absl::OkStatus();
  });
  size_t i = 0;
  for (auto _ : state) {
    absl::Status s = db.db().Read([&](Connection& c) -> absl::Status {
      ASSIGN_OR_RETURN(Statement * st, c.Prepare("SELECT body FROM objects WHERE id = ?"));
      RETURN_IF_ERROR(st->BindAll(ids[i++ % ids.size()]));
      ASSIGN_OR_RETURN(bool row, st->Step());
      benchmark::DoNotOptimize(row);
      return absl::OkStatus();
    });
    if (!s.ok()) state.SkipWithError("read");
  }
}
BENCHMARK(BM_PointRead);

}  // namespace
}  // namespace assistd::sqlite

BENCHMARK_MAIN();
