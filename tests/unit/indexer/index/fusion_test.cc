#include "indexer/index/fusion.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::index {
namespace {

TEST(FusionTest, ItemsHighInBothRankingsWin) {
  std::vector<ScoredId> kw = {{1, 9}, {2, 8}, {3, 7}};
  std::vector<VectorHit> vec = {{4, 0.9f}, {2, 0.8f}, {5, 0.7f}};
  auto fused = FuseRankings(kw, vec, {});
  ASSERT_EQ(fused.size(), 5u);
  EXPECT_EQ(fused[0].id, 2);  // second in both beats first in one
  EXPECT_EQ(fused[0].keyword_rank, 2);
  EXPECT_EQ(fused[0].vector_rank, 2);
  EXPECT_EQ(fused.back().id, 5);  // ties keep keyword before vector
}

TEST(FusionTest, ScoresAreNormalisedToOne) {
  std::vector<ScoredId> kw = {{7, 1}};
  std::vector<VectorHit> vec = {{7, 1}};
  auto fused = FuseRankings(kw, vec, {});
  ASSERT_EQ(fused.size(), 1u);
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0);
  for (const auto& h : FuseRankings(kw, {}, {})) {
    EXPECT_GT(h.score, 0.0);
    EXPECT_LT(h.score, 1.0);
  }
}

TEST(FusionTest, ZeroWeightTurnsASideOff) {
  std::vector<ScoredId> kw = {{1, 9}, {2, 8}};
  std::vector<VectorHit> vec = {{3, 0.9f}};
  FusionOptions keyword_only;
  keyword_only.vector_weight = 0;
  auto fused = FuseRankings(kw, vec, keyword_only);
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_EQ(fused[0].id, 1);
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0);
}

TEST(FusionTest, DuplicatesCountOnceAndTiesKeepKeywordOrder) {
  std::vector<ScoredId> kw = {{5, 3}, {5, 2}, {6, 1}};
  auto fused = FuseRankings(kw, {}, {});
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_EQ(fused[0].id, 5);
  std::vector<VectorHit> vec = {{8, 1}};
  auto tie = FuseRankings({{9, 1}}, vec, {});
  EXPECT_EQ(tie[0].id, 9);
}

}  // namespace
}  // namespace assistd::index
