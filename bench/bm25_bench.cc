// Keyword search, FTS5 bm25() against the in-memory Bm25Index (same scores,
// MaxScore pruning), on N synthetic chunks: Zipf text over a 50,000-word
// vocabulary, ~400 words per chunk, queries of 3-8 Zipf words, top 100 (the
// hybrid search's candidate count), one thread. Also the index's build time
// and size.
//
//   build/bench/bm25_bench --chunks=100000
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/zipf_text.h"
#include "indexer/index/bm25_index.h"
#include "indexer/index/fts5_tokenizer.h"
#include "indexer/index/keyword_query.h"

ABSL_FLAG(int, chunks, 100000, "Chunks in the store.");
ABSL_FLAG(int, queries, 200, "Timed queries.");
ABSL_FLAG(int, k, 100, "Results per query.");

namespace assistd::index {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

int Main() {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db,
               "CREATE VIRTUAL TABLE f USING fts5(title, text, "
               "tokenize='porter unicode61 remove_diacritics 2')",
               nullptr, nullptr, nullptr);
  auto tokenizer = Fts5TextTokenizer::Create(db);
  if (!tokenizer.ok()) return 1;
  Bm25Index index(Bm25Options{2.0, 1.0});
  bench::ZipfText zipf(50000, 1.0, 7);
  const int n = absl::GetFlag(FLAGS_chunks);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO f(rowid, title, text) VALUES(?, ?, ?)", -1, &insert, nullptr);
  double fts_s = 0, index_s = 0;
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  for (int id = 1; id <= n; ++id) {
    const std::string title = zipf.Words(4), text = zipf.Words(zipf.Between(300, 500));
    double t0 = Now();
    sqlite3_bind_int64(insert, 1, id);
    sqlite3_bind_text(insert, 2, title.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 3, text.c_str(), -1, SQLITE_STATIC);
    sqlite3_step(insert);
    sqlite3_reset(insert);
    double t1 = Now();
    (void)index.Add(MakeBm25Document(id, (*tokenizer)->Tokenize(title, false),
                                     (*tokenizer)->Tokenize(text, false)));
    index_s += Now() - t1;
    fts_s += t1 - t0;
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_finalize(insert);
  std::printf("%d chunks; adding them: FTS5 %.1f s, Bm25Index (tokenizing included) %.1f s\n", n,
              fts_s, index_s);

  sqlite3_stmt* search = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT rowid, bm25(f, 2.0, 1.0) AS s FROM f WHERE f MATCH ? "
                     "ORDER BY s LIMIT ?",
                     -1, &search, nullptr);
  const int k = absl::GetFlag(FLAGS_k);
  std::vector<double> fts_ms, index_ms;
  int same_top = 0;
  for (int q = 0; q < absl::GetFlag(FLAGS_queries) + 10; ++q) {
    const std::vector<std::string> terms = QueryTerms(zipf.Words(zipf.Between(3, 8)));
    const std::string match = MatchExpression(terms);
    double t0 = Now();
    sqlite3_bind_text(search, 1, match.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(search, 2, k);
    int64_t fts_first = -1;
    while (sqlite3_step(search) == SQLITE_ROW) {
      if (fts_first < 0) fts_first = sqlite3_column_int64(search, 0);
    }
    sqlite3_reset(search);
    double t1 = Now();
    std::vector<std::string> tokens;
    for (const std::string& t : terms) {
      for (std::string& token : (*tokenizer)->Tokenize(t, true)) tokens.push_back(token);
    }
    std::vector<ScoredId> hits = index.Search(tokens, k);
    double t2 = Now();
    if (q < 10) continue;  // warm-up
    fts_ms.push_back((t1 - t0) * 1e3);
    index_ms.push_back((t2 - t1) * 1e3);
    same_top += !hits.empty() && hits[0].id == fts_first;
  }
  sqlite3_finalize(search);
  std::printf("top %d, %zu queries   p50 ms   p99 ms\n", k, fts_ms.size());
  std::printf("FTS5 bm25()          %7.2f  %7.2f\n", Percentile(fts_ms, 0.5),
              Percentile(fts_ms, 0.99));
  std::printf("Bm25Index (MaxScore) %7.2f  %7.2f\n", Percentile(index_ms, 0.5),
              Percentile(index_ms, 0.99));
  std::printf("same first hit: %d of %zu (the rest are ties)\n", same_top, fts_ms.size());
  sqlite3_close(db);
  return 0;
}

}  // namespace
}  // namespace assistd::index

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return assistd::index::Main();
}
