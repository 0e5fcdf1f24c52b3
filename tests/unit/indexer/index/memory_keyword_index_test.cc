// MemoryKeywordIndex against KeywordIndex (FTS5) on the same chunks: the
// same top k for free user text (with stopwords, stems, punctuation and the
// term pruning of large stores), and its life cycle: unready until built,
// changes made during a build replayed, phrases left to FTS5.
#include "indexer/index/memory_keyword_index.h"

#include <atomic>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/sqlite/database.h"
#include "common/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/chunks_db.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"
#include "tests/util/zipf_words.h"

namespace assistd::index {
namespace {

using ::assistd::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::Optional;

std::string Words(std::mt19937& rng, int n) {
  static const auto* const vocabulary =
      new std::vector<std::string>(::assistd::testing::ZipfVocabulary(
          {"pump", "pumps", "pumping", "Valve", "valves", "café", "cafe", "naïve", "Seal",
           "sealing", "the", "of", "what"},
          200));
  return ::assistd::testing::ZipfWords(*vocabulary, rng, n);
}

std::vector<int64_t> Ids(const std::vector<ScoredId>& hits) {
  std::vector<int64_t> ids;
  for (const ScoredId& h : hits) ids.push_back(h.id);
  return ids;
}

class MemoryKeywordIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, ::assistd::testing::OpenChunksDb(dir_.File("r.db"), fts_));
  }

  // Into FTS5 and, as a commit would pass it on, into `memory_`.
  void Add(int64_t id, const std::string& title, const std::string& text) {
    ASSERT_OK(::assistd::testing::InsertChunk(*db_, fts_, id, title, text));
    docs_[id] = {title, text};
    memory_.Add({*TokenizeChunk(id, title, text)});
  }

  void Remove(int64_t id) {
    const auto [title, text] = docs_[id];
    ASSERT_OK(db_->Write([&](sqlite::Connection& c) -> absl::Status {
      RETURN_IF_ERROR(fts_.Remove(c, id, title, text));
      ASSIGN_OR_RETURN(auto* st, c.Prepare("DELETE FROM chunks WHERE chunk_id = ?"));
      RETURN_IF_ERROR(st->BindAll(id));
      return st->Run();
    }));
    docs_.erase(id);
    memory_.Remove({*TokenizeChunk(id, title, text)});
  }

  // A build as StoreIndex runs it: every stored chunk.
  void Build() {
    Bm25Index built = memory_.NewBuildTarget();
    for (const auto& [id, doc] : docs_) {
      Bm25Document c = *TokenizeChunk(id, doc.first, doc.second);
      ASSERT_OK(built.Add(c));
    }
    memory_.FinishBuild(std::move(built));
  }

  std::vector<ScoredId> Fts5(const std::string& q, int k, int64_t total) {
    std::vector<ScoredId> hits;
    EXPECT_OK(db_->Read([&](sqlite::Connection& c) -> absl::Status {
      ASSIGN_OR_RETURN(hits, fts_.Search(c, q, k, total));
      return absl::OkStatus();
    }));
    return hits;
  }

  // The same top k as FTS5 (the same chunks where scores are not tied).
  void ExpectSameAsFts5(const std::string& q, int k, int64_t total) {
    const std::vector<ScoredId> expected = Fts5(q, k + 1, total);
    std::optional<std::vector<ScoredId>> got = memory_.Search(q, k, total);
    ASSERT_TRUE(got.has_value()) << q;
    ASSERT_EQ(got->size(), std::min<size_t>(expected.size(), k)) << q;
    auto same = [](double a, double b) { return std::abs(a - b) <= 1e-9 * std::abs(b) + 1e-12; };
    for (size_t i = 0; i < got->size(); ++i) {
      EXPECT_TRUE(same((*got)[i].score, expected[i].score)) << q << " rank " << i;
      const bool tied = (i > 0 && same(expected[i - 1].score, expected[i].score)) ||
                        (i + 1 < expected.size() && same(expected[i + 1].score, expected[i].score));
      if (!tied) EXPECT_EQ((*got)[i].id, expected[i].id) << q << " rank " << i;
    }
  }

  TempDir dir_;
  std::unique_ptr<sqlite::Database> db_;
  KeywordIndex fts_{"s1"};
  MemoryKeywordIndex memory_;
  std::map<int64_t, std::pair<std::string, std::string>> docs_;
};

// Chunks stored before the index existed (read by its build), committed
// during the build (queued, replayed) and after it, some removed at each
// stage: the index ranks as FTS5 does for free text.
TEST_F(MemoryKeywordIndexTest, RanksAsFts5ForFreeText) {
  std::mt19937 rng(5);
  int64_t id = 0;
  auto add_some = [&](int n) {
    for (int i = 0; i < n; ++i, ++id) Add(id + 1, Words(rng, 2), Words(rng, 10 + rng() % 150));
  };
  add_some(1200);  // before: dropped here, read by the build
  memory_.BeginBuild();
  add_some(800);   // during: queued
  for (int64_t r = 3; r <= 2000; r += 11) Remove(r);
  Build();
  add_some(500);   // after
  for (int64_t r = 7; r <= 2500; r += 13) {
    if (docs_.count(r) != 0) Remove(r);
  }
  EXPECT_EQ(memory_.size(), static_cast<int64_t>(docs_.size()));
  const std::vector<std::string> fixed = {
      "What is the pumping of valves?", "\"pump\" OR (valve* NEAR -seal", "café naïve",
      "the of what", "w1 w1 w1 w2", "", "w199 pumps"};
  for (const std::string& q : fixed) {
    ExpectSameAsFts5(q, 10, static_cast<int64_t>(docs_.size()));
    ExpectSameAsFts5(q, 10, 0);  // a small store: no term pruning
  }
  for (int i = 0; i < 150; ++i) {
    // Many common words, so that pruning (total >= 1,000) drops some.
    ExpectSameAsFts5(Words(rng, 1 + i % 7), i % 2 ? 10 : 100, static_cast<int64_t>(docs_.size()));
  }
}

// A filter applies before the top-k cut, also where MaxScore prunes: the
// result is FTS5's whole ranking, filtered, cut at k.
TEST_F(MemoryKeywordIndexTest, FilterAppliesBeforeTheCutWithPruning) {
  memory_.BeginBuild();
  Build();
  std::mt19937 rng(8);
  for (int64_t id = 1; id <= 1500; ++id) Add(id, Words(rng, 2), Words(rng, 10 + rng() % 150));
  auto accept = [](int64_t id) { return id % 5 == 0; };
  for (int i = 0; i < 60; ++i) {
    const std::string q = Words(rng, 2 + i % 5);
    const int64_t total = static_cast<int64_t>(docs_.size());
    std::vector<int64_t> expected;
    for (const ScoredId& h : Fts5(q, 100000, total)) {
      if (accept(h.id) && expected.size() < 10) expected.push_back(h.id);
    }
    std::optional<std::vector<ScoredId>> got = memory_.Search(q, 10, total, accept);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(Ids(*got), expected) << q;
  }
}

// Searches running while chunks are added and removed and a build swaps
// in: no crash, no chunk that was never added, and the end state ranks as
// FTS5 does.
TEST_F(MemoryKeywordIndexTest, SearchesRunDuringChanges) {
  std::mt19937 rng(21);
  for (int64_t id = 1; id <= 300; ++id) Add(id, Words(rng, 2), Words(rng, 40));
  memory_.BeginBuild();
  std::atomic<bool> done{false};
  std::atomic<int> answered{0};
  std::thread searcher([&] {
    std::mt19937 qrng(22);
    while (!done) {
      std::optional<std::vector<ScoredId>> hits = memory_.Search(Words(qrng, 3), 10, 0);
      if (!hits) continue;
      ++answered;
      for (const ScoredId& h : *hits) EXPECT_TRUE(h.id >= 1 && h.id <= 900) << h.id;
    }
  });
  for (int64_t id = 301; id <= 600; ++id) Add(id, Words(rng, 2), Words(rng, 40));
  Build();
  for (int64_t id = 601; id <= 900; ++id) {
    Add(id, Words(rng, 2), Words(rng, 40));
    if (id % 3 == 0) Remove(id - 300);
  }
  while (answered.load() < 20) std::this_thread::yield();  // some ran on the built index
  done = true;
  searcher.join();
  for (int i = 0; i < 30; ++i) ExpectSameAsFts5(Words(rng, 3), 10, 0);
}

TEST_F(MemoryKeywordIndexTest, UnreadyUntilBuilt) {
  EXPECT_FALSE(memory_.ready());
  EXPECT_EQ(memory_.Search("pump", 10, 0), std::nullopt);
  EXPECT_FALSE(memory_.WaitUntilReady(absl::Milliseconds(1)));
  Add(1, "t", "pump");  // before BeginBuild: dropped, the build reads it
  memory_.BeginBuild();
  EXPECT_EQ(memory_.Search("pump", 10, 0), std::nullopt);
  Build();
  EXPECT_TRUE(memory_.WaitUntilReady(absl::ZeroDuration()));
  ASSERT_TRUE(memory_.Search("pump", 10, 0).has_value());
  EXPECT_THAT(Ids(*memory_.Search("pump", 10, 0)), ElementsAre(1));
}

TEST_F(MemoryKeywordIndexTest, ChangesDuringABuildAreReplayed) {
  Add(1, "t", "pump one");
  Add(2, "t", "pump two");
  memory_.BeginBuild();
  // The build reads 1 and 2; meanwhile 3 is added and 2 removed (which the
  // build may or may not see, depending on when it reads), 4 comes and goes.
  Bm25Index built = memory_.NewBuildTarget();
  for (int64_t id : {1, 2}) {
    Bm25Document c = *TokenizeChunk(id, docs_[id].first, docs_[id].second);
    ASSERT_OK(built.Add(c));
  }
  Add(3, "t", "pump three");
  Bm25Document three = *TokenizeChunk(3, "t", "pump three");
  ASSERT_OK(built.Add(three));  // the build saw 3 too
  Remove(2);
  Add(4, "t", "pump four");
  Remove(4);
  EXPECT_FALSE(memory_.ready());
  memory_.FinishBuild(std::move(built));
  ASSERT_TRUE(memory_.ready());
  EXPECT_EQ(memory_.size(), 2);
  std::vector<int64_t> ids = Ids(*memory_.Search("pump", 10, 0));
  std::sort(ids.begin(), ids.end());
  EXPECT_THAT(ids, ElementsAre(1, 3));
  ExpectSameAsFts5("pump one", 10, 0);
}

TEST_F(MemoryKeywordIndexTest, AbandonedBuildLeavesFts5InCharge) {
  memory_.BeginBuild();
  Add(1, "t", "pump");
  memory_.AbandonBuild();
  EXPECT_FALSE(memory_.WaitUntilReady(absl::Seconds(5)));  // settles at once
  EXPECT_EQ(memory_.Search("pump", 10, 0), std::nullopt);
}

TEST_F(MemoryKeywordIndexTest, PhrasesAreLeftToFts5) {
  memory_.BeginBuild();
  Build();
  Add(1, "t", "pump valve");
  // One query term that FTS5 reads as two tokens.
  EXPECT_EQ(memory_.Search("pump—valve", 10, 0), std::nullopt);
  // A term with no token at all matches nothing, as in FTS5.
  EXPECT_THAT(memory_.Search("—", 10, 0), Optional(::testing::IsEmpty()));
  ExpectSameAsFts5("— pump", 10, 0);
}

TEST_F(MemoryKeywordIndexTest, FilterAppliesBeforeTheCut) {
  memory_.BeginBuild();
  Build();
  for (int64_t id = 1; id <= 50; ++id) Add(id, "t", id % 2 ? "pump pump pump" : "pump");
  auto even = [](int64_t id) { return id % 2 == 0; };
  std::optional<std::vector<ScoredId>> hits = memory_.Search("pump", 10, 0, even);
  ASSERT_TRUE(hits.has_value());
  ASSERT_EQ(hits->size(), 10u);  // the 25 odd chunks score higher, yet 10 come back
  for (const ScoredId& h : *hits) EXPECT_EQ(h.id % 2, 0);
}

}  // namespace
}  // namespace assistd::index
