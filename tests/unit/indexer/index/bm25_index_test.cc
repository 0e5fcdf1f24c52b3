// Bm25Index against SQLite FTS5 itself: the same chunks in an FTS5 table
// (the columns and tokenizer of keyword_index.cc) and in the index, some
// removed from both, then random OR queries: the top k must have FTS5's
// bm25() scores, and the same chunks wherever scores are not tied.
#include "indexer/index/bm25_index.h"

#include <sqlite3.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "indexer/index/fts5_tokenizer.h"
#include "indexer/index/keyword_query.h"
#include "tests/util/status_matchers.h"
#include "tests/util/zipf_words.h"

namespace assistd::index {
namespace {

constexpr double kTitleWeight = 3.0;

// Words with stems in common, case and diacritics, so tokenizing matters.
std::string Words(std::mt19937& rng, int n) {
  static const auto* const vocabulary =
      new std::vector<std::string>(::assistd::testing::ZipfVocabulary(
          {"pump", "pumps", "pumping", "Valve", "valves", "café", "cafe", "naïve", "Seal",
           "sealing"},
          300));
  return ::assistd::testing::ZipfWords(*vocabulary, rng, n);
}

class Bm25IndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    Exec("CREATE VIRTUAL TABLE f USING fts5(title, text, "
         "tokenize='porter unicode61 remove_diacritics 2')");
    ASSERT_OK_AND_ASSIGN(tokenizer_, Fts5TextTokenizer::Create(db_));
  }
  void TearDown() override {
    tokenizer_.reset();
    sqlite3_close(db_);
  }

  void Exec(const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }

  void Insert(int64_t id, const std::string& title, const std::string& text) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "INSERT INTO f(rowid, title, text) VALUES(?, ?, ?)", -1, &st,
                       nullptr);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, title.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, text.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    ASSERT_OK(index_.Add(MakeBm25Document(id, tokenizer_->Tokenize(title, false),
                                          tokenizer_->Tokenize(text, false))));
  }

  std::vector<ScoredId> Fts5Top(const std::vector<std::string>& terms, int k) {
    sqlite3_stmt* st = nullptr;
    const std::string sql = absl::StrCat("SELECT rowid, bm25(f, ", kTitleWeight,
                                         ", 1.0) AS s FROM f WHERE f MATCH ? ORDER BY s LIMIT ?");
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr);
    const std::string match = MatchExpression(terms);
    sqlite3_bind_text(st, 1, match.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, k);
    std::vector<ScoredId> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      out.push_back({sqlite3_column_int64(st, 0), -sqlite3_column_double(st, 1)});
    }
    sqlite3_finalize(st);
    return out;
  }

  std::vector<ScoredId> IndexTop(const std::vector<std::string>& terms, int k) {
    std::vector<std::string> tokens;
    for (const std::string& t : terms) {
      for (std::string& token : tokenizer_->Tokenize(t, true)) tokens.push_back(token);
    }
    return index_.Search(tokens, k);
  }

  sqlite3* db_ = nullptr;
  std::unique_ptr<Fts5TextTokenizer> tokenizer_;
  Bm25Index index_{Bm25Options{kTitleWeight, 1.0}};
  // Compares the index's top k with FTS5's on `queries` random queries;
  // returns the ranks compared. `exact`: scores equal to the bit, and the
  // same chunks in the same order, ties included.
  int CompareRandomQueries(std::mt19937& rng, int queries, bool exact = false) {
    int compared = 0;
    for (int q = 0; q < queries; ++q) {
      std::vector<std::string> terms = QueryTerms(Words(rng, 1 + static_cast<int>(rng() % 6)));
      const int k = q % 2 == 0 ? 10 : 100;
      // One more than k, to see a tie across the cut.
      const std::vector<ScoredId> expected = Fts5Top(terms, k + 1);
      const std::vector<ScoredId> got = IndexTop(terms, k);
      EXPECT_EQ(got.size(), std::min<size_t>(expected.size(), k)) << absl::StrJoin(terms, " ");
      if (got.size() != std::min<size_t>(expected.size(), k)) continue;
      auto same = [](double a, double b) { return std::abs(a - b) <= 1e-9 * std::abs(b) + 1e-12; };
      for (size_t i = 0; exact && i < got.size(); ++i) {
        EXPECT_EQ(got[i].id, expected[i].id) << absl::StrJoin(terms, " ") << " rank " << i;
        EXPECT_EQ(got[i].score, expected[i].score) << absl::StrJoin(terms, " ") << " rank " << i;
      }
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_TRUE(same(got[i].score, expected[i].score))
            << absl::StrJoin(terms, " ") << " rank " << i << ": " << got[i].score << " vs "
            << expected[i].score;
        const bool tied =
            (i > 0 && same(expected[i - 1].score, expected[i].score)) ||
            (i + 1 < expected.size() && same(expected[i + 1].score, expected[i].score));
        if (!tied) EXPECT_EQ(got[i].id, expected[i].id) << absl::StrJoin(terms, " ") << " " << i;
        ++compared;
      }
    }
    return compared;
  }

  void Remove(int64_t id) {
    const auto& [title, text] = docs_[id];
    Exec(absl::StrCat("DELETE FROM f WHERE rowid = ", id));
    ASSERT_OK(index_.Remove(MakeBm25Document(id, tokenizer_->Tokenize(title, false),
                                             tokenizer_->Tokenize(text, false))));
    docs_.erase(id);
  }

  void AddRandom(std::mt19937& rng, int64_t id) {
    docs_[id] = {Words(rng, 3), Words(rng, 20 + static_cast<int>(rng() % 200))};
    Insert(id, docs_[id].first, docs_[id].second);
  }

  std::map<int64_t, std::pair<std::string, std::string>> docs_;
};

TEST_F(Bm25IndexTest, TokensAreFts5s) {
  EXPECT_EQ(tokenizer_->Tokenize("Pumping CAFÉ naïve valves", false),
            (std::vector<std::string>{"pump", "cafe", "naiv", "valv"}));
}

// Common terms span many blocks of postings, which MaxScore probes by
// skipping blocks.
TEST_F(Bm25IndexTest, TopKMatchesFts5Bm25) {
  std::mt19937 rng(11);
  for (int64_t id = 1; id <= 3000; ++id) AddRandom(rng, id);
  for (int64_t id = 5; id <= 3000; id += 7) Remove(id);  // from both
  EXPECT_GT(CompareRandomQueries(rng, 200), 5000);
}

// Once removed chunks outnumber live ones, the postings are rewritten
// without them; rankings must not move, and adding goes on as before.
TEST_F(Bm25IndexTest, CompactionKeepsRankings) {
  std::mt19937 rng(12);
  for (int64_t id = 1; id <= 3000; ++id) AddRandom(rng, id);
  const int64_t before = index_.MemoryBytes();
  for (int64_t id = 1; id <= 3000; ++id) {
    if (id % 3 != 0) Remove(id);
  }
  EXPECT_EQ(index_.size(), 1000);
  EXPECT_LT(index_.MemoryBytes(), before * 2 / 3);  // the postings shrank
  EXPECT_GT(CompareRandomQueries(rng, 100), 1000);
  for (int64_t id = 3001; id <= 3500; ++id) AddRandom(rng, id);
  EXPECT_GT(CompareRandomQueries(rng, 100), 1000);
}

// Equal chunks (a file added twice, boilerplate) score the same to the bit
// whatever order pruning visits their terms in, and come in chunk id order,
// as from FTS5.
TEST_F(Bm25IndexTest, EqualChunksTieInIdOrderAsInFts5) {
  std::mt19937 rng(13);
  for (int64_t id = 1; id <= 400; ++id) AddRandom(rng, id);
  for (int64_t id = 401; id <= 800; ++id) {
    docs_[id] = docs_[id - 400];
    Insert(id, docs_[id].first, docs_[id].second);
  }
  EXPECT_GT(CompareRandomQueries(rng, 150, /*exact=*/true), 1500);
}

}  // namespace
}  // namespace assistd::index
