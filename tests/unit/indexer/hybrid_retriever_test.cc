#include "indexer/hybrid_retriever.h"

#include "common/sqlite/database.h"
#include "common/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indexer/embed/hashed_embedder.h"
#include "tests/util/chunks_db.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::index {
namespace {

using ::assistd::testing::TempDir;

class HybridRetrieverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, ::assistd::testing::OpenChunksDb(dir_.File("r.db"), keyword_));
    embedder_ = embed::NewHashedEmbedder();
    VectorIndexOptions vo;
    vo.dimension = embedder_->dimension();
    vectors_ = *NewFaissVectorIndex(vo);
    const std::vector<std::string> texts = {
        "supersonic flow over a swept wing",         // 0
        "heat transfer in laminar boundary layers",  // 1
        "boundary layer transition on a flat plate", // 2
        "wing flutter at transonic speeds",          // 3
        "boundary layer heat transfer with suction", // 4
    };
    for (size_t i = 0; i < texts.size(); ++i) Add(static_cast<int64_t>(i), texts[i]);
  }

  void Add(int64_t id, const std::string& text) {
    ASSERT_OK(::assistd::testing::InsertChunk(*db_, keyword_, id, "doc", text));
    ASSERT_OK_AND_ASSIGN(auto v, embedder_->Embed({text}));
    ASSERT_OK(vectors_->Add({id}, v));
  }

  std::vector<RetrievedChunk> Search(const HybridRetriever& r, const std::string& q, int k,
                                     const std::function<bool(int64_t)>& accept = nullptr) {
    std::vector<RetrievedChunk> out;
    EXPECT_OK(db_->Read([&](sqlite::Connection& c) -> absl::Status {
      ASSIGN_OR_RETURN(out, r.Search(c, q, k, RetrievalOptions{}, accept));
      return absl::OkStatus();
    }));
    return out;
  }

  TempDir dir_;
  std::unique_ptr<sqlite::Database> db_;
  std::unique_ptr<embed::Embedder> embedder_;
  std::unique_ptr<VectorIndex> vectors_;
  KeywordIndex keyword_{"vs_t"};
};

TEST_F(HybridRetrieverTest, FindsTheRelevantChunksWithScoresInRange) {
  HybridRetriever r(&keyword_, vectors_.get(), embedder_.get());
  auto hits = Search(r, "heat transfer in boundary layers", 3);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_TRUE(hits[0].id == 1 || hits[0].id == 4);
  for (const auto& h : hits) {
    EXPECT_GT(h.score, 0.0);
    EXPECT_LE(h.score, 1.0);
  }
  EXPECT_GT(hits[0].keyword_rank, 0);
  EXPECT_GT(hits[0].vector_rank, 0);
}

TEST_F(HybridRetrieverTest, FiltersApplyBeforeTheCut) {
  HybridRetriever r(&keyword_, vectors_.get(), embedder_.get());
  // Only odd ids: k results still come back when enough odd ids match.
  auto hits = Search(r, "boundary layer heat transfer wing", 2,
                     [](int64_t id) { return id % 2 == 1; });
  ASSERT_EQ(hits.size(), 2u);
  for (const auto& h : hits) EXPECT_EQ(h.id % 2, 1);
}

TEST_F(HybridRetrieverTest, WorksWithKeywordsOnly) {
  HybridRetriever r(&keyword_, nullptr, nullptr);
  auto hits = Search(r, "flutter", 5);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 3);
  EXPECT_EQ(hits[0].vector_rank, 0);
}

TEST_F(HybridRetrieverTest, QueryWithoutTermsStillUsesVectors) {
  HybridRetriever r(&keyword_, vectors_.get(), embedder_.get());
  // All stopwords: nothing for BM25; the vector side still answers.
  auto hits = Search(r, "what is the of", 2);
  EXPECT_LE(hits.size(), 2u);
  for (const auto& h : hits) EXPECT_EQ(h.keyword_rank, 0);
}

}  // namespace
}  // namespace assistd::index
