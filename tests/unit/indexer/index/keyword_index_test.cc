#include "indexer/index/keyword_index.h"

#include "common/sqlite/database.h"
#include "common/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indexer/index/keyword_query.h"
#include "tests/util/chunks_db.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::index {
namespace {

using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(KeywordQueryTest, DropsStopwordsDuplicatesAndPunctuation) {
  EXPECT_THAT(QueryTerms("What is the Boundary-layer of THE boundary?"),
              ElementsAre("boundary", "layer"));
  EXPECT_THAT(QueryTerms("naïve café"), ElementsAre("naïve", "café"));
  EXPECT_THAT(QueryTerms("?!  ...  the of"), IsEmpty());
}

TEST(KeywordQueryTest, QuotesEveryTerm) {
  EXPECT_EQ(MatchExpression({"near", "or", "x"}), "\"near\" OR \"or\" OR \"x\"");
  EXPECT_EQ(MatchExpression({}), "");
}

class KeywordIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, ::assistd::testing::OpenChunksDb(dir_.File("r.db"), index_));
  }

  void Add(int64_t id, const std::string& title, const std::string& text) {
    ASSERT_OK(::assistd::testing::InsertChunk(*db_, index_, id, title, text));
  }

  std::vector<int64_t> Search(const std::string& q) {
    std::vector<int64_t> ids;
    EXPECT_OK(db_->Read([&](sqlite::Connection& c) -> absl::Status {
      ASSIGN_OR_RETURN(auto hits, index_.Search(c, q, 10));
      for (const auto& h : hits) ids.push_back(h.id);
      return absl::OkStatus();
    }));
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<sqlite::Database> db_;
  KeywordIndex index_{"vs_test"};
};

TEST_F(KeywordIndexTest, RanksByBm25WithStemming) {
  Add(1, "wings", "the wing flutters in supersonic flow");
  Add(2, "engines", "jet engine noise and combustion");
  Add(3, "report", "flutter of wings, wing flutter, fluttering wing panels");
  EXPECT_THAT(Search("wing flutter"), ElementsAre(3, 1));
  EXPECT_THAT(Search("combusting engines"), ElementsAre(2));
}

TEST_F(KeywordIndexTest, TitleMatchesWeighMore) {
  Add(1, "misc", "heat transfer heat transfer appears in the body here");
  Add(2, "heat transfer", "a body that mentions it once: heat transfer");
  EXPECT_EQ(Search("heat transfer")[0], 2);
}

TEST_F(KeywordIndexTest, HostileQueryTextIsJustWords) {
  Add(1, "t", "alpha beta gamma");
  for (const char* q : {"\"", "alpha\"", "(", "alpha)", "NEAR(alpha beta)", "alpha OR", "-alpha",
                        "alpha*", "title:alpha", "^alpha", "AND", "NOT alpha", "{alpha}"}) {
    SCOPED_TRACE(q);
    std::vector<int64_t> ids = Search(q);
    if (std::string(q).find("alpha") != std::string::npos) {
      EXPECT_THAT(ids, ElementsAre(1));
    }
  }
}

TEST_F(KeywordIndexTest, RemovedChunksAreNotFound) {
  Add(1, "t", "unique marker words");
  ASSERT_OK(db_->Write([&](sqlite::Connection& c) {
    return index_.Remove(c, 1, "t", "unique marker words");
  }));
  EXPECT_THAT(Search("marker"), IsEmpty());
}

TEST_F(KeywordIndexTest, StoresAreSeparate) {
  KeywordIndex other("vs_other");
  ASSERT_OK(db_->Write([&](sqlite::Connection& c) { return other.Create(c); }));
  Add(1, "t", "only in the first store");
  ASSERT_OK(db_->Read([&](sqlite::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto hits, other.Search(c, "first store", 10));
    EXPECT_THAT(hits, IsEmpty());
    return absl::OkStatus();
  }));
}

TEST_F(KeywordIndexTest, TermsInMostOfALargeStoreAreLeftOutWithoutChangingTheTop) {
  ASSERT_OK(db_->Write([&](sqlite::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto* st, c.Prepare("INSERT INTO chunks VALUES(?, 't', ?)"));
    for (int64_t id = 0; id < 1200; ++id) {
      const std::string text = id == 7 ? "common words and one zebra" : "common words only";
      RETURN_IF_ERROR(st->BindAll(id, text));
      RETURN_IF_ERROR(st->Run());
      RETURN_IF_ERROR(index_.Insert(c, id, "t", text));
    }
    return absl::OkStatus();
  }));
  ASSERT_OK(db_->Read([&](sqlite::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto pruned, index_.Search(c, "common zebra", 5, /*total_chunks=*/1200));
    EXPECT_EQ(pruned.size(), 1u);  // "common" no longer makes every chunk a match
    EXPECT_EQ(pruned[0].id, 7);
    ASSIGN_OR_RETURN(auto full, index_.Search(c, "common zebra", 5));
    EXPECT_EQ(full.size(), 5u);
    EXPECT_EQ(full[0].id, 7);  // same winner either way
    // A query of common terms only keeps its rarest term.
    ASSIGN_OR_RETURN(auto common, index_.Search(c, "common words", 5, 1200));
    EXPECT_EQ(common.size(), 5u);
    return absl::OkStatus();
  }));
}

TEST_F(KeywordIndexTest, RejectsUnsafeStoreKeys) {
  KeywordIndex bad("x; DROP TABLE chunks");
  EXPECT_THAT(db_->Write([&](sqlite::Connection& c) { return bad.Create(c); }),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace assistd::index
