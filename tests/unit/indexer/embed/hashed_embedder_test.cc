#include "indexer/embed/hashed_embedder.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd::embed {
namespace {

using ::assistd::testing::StatusIs;
using ::testing::Each;
using ::testing::FloatNear;

std::vector<float> EmbedOne(Embedder& embedder, const std::string& text) {
  absl::StatusOr<std::vector<float>> rows = embedder.Embed({text});
  EXPECT_TRUE(rows.ok()) << rows.status();
  return rows.ok() ? *rows : std::vector<float>();
}

HashedEmbedderOptions WithDimension(int dimension) {
  HashedEmbedderOptions options;
  options.dimension = dimension;
  return options;
}

double Dot(absl::Span<const float> a, absl::Span<const float> b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

TEST(HashedEmbedderTest, NameAndDimension) {
  std::unique_ptr<Embedder> embedder = NewHashedEmbedder(WithDimension(256));
  EXPECT_EQ(embedder->name(), "hashed-v1-256");
  EXPECT_EQ(embedder->dimension(), 256);
  ASSERT_OK_AND_ASSIGN(
      std::vector<float> rows,
      embedder->Embed({"one text", "another text", "a third"}));
  EXPECT_EQ(rows.size(), 3u * 256u);
}

TEST(HashedEmbedderTest, SameTextSameVector) {
  std::unique_ptr<Embedder> a = NewHashedEmbedder();
  std::unique_ptr<Embedder> b = NewHashedEmbedder();
  const std::string text = "The quick brown fox jumps over the lazy dog.";
  EXPECT_EQ(EmbedOne(*a, text), EmbedOne(*b, text));
  ASSERT_OK_AND_ASSIGN(std::vector<float> batch,
                       a->Embed({text, "other", text}));
  const int d = a->dimension();
  EXPECT_EQ(std::vector<float>(batch.begin(), batch.begin() + d),
            std::vector<float>(batch.begin() + 2 * d, batch.end()));
}

// Pins the hash, seeds, folding and weights: if this changes, the embedding
// space changed and name() must get a new version.
TEST(HashedEmbedderTest, GoldenValues) {
  std::unique_ptr<Embedder> embedder = NewHashedEmbedder();
  const std::vector<float> v =
      EmbedOne(*embedder, "Hello, wörld! Hello again.");
  ASSERT_EQ(v.size(), 384u);
  std::vector<std::pair<int, float>> nonzero;
  for (int i = 0; i < 384; ++i) {
    if (v[i] != 0) nonzero.emplace_back(i, v[i]);
  }
  const std::vector<std::pair<int, float>> kGolden = {
      {3, -0.151768953f}, {6, -0.105198219f}, {18, -0.256967187f},
      {22, 0.303537905f}, {25, 0.256967187f}, {103, -0.256967187f}};
  ASSERT_EQ(nonzero.size(), 20u);
  for (size_t k = 0; k < kGolden.size(); ++k) {
    EXPECT_EQ(nonzero[k].first, kGolden[k].first);
    EXPECT_THAT(nonzero[k].second, FloatNear(kGolden[k].second, 1e-6f));
  }
}

TEST(HashedEmbedderTest, RowsAreUnitLength) {
  std::unique_ptr<Embedder> embedder = NewHashedEmbedder();
  ASSERT_OK_AND_ASSIGN(
      std::vector<float> rows,
      embedder->Embed({"short", "a somewhat longer sentence about retrieval",
                       "x x x x x x x x x x x x"}));
  const int d = embedder->dimension();
  for (int r = 0; r < 3; ++r) {
    const absl::Span<const float> row =
        absl::MakeConstSpan(rows).subspan(r * d, d);
    EXPECT_NEAR(Dot(row, row), 1.0, 1e-5) << "row " << r;
  }
}

TEST(HashedEmbedderTest, SimilarTextsAreCloserThanUnrelatedOnes) {
  std::unique_ptr<Embedder> embedder = NewHashedEmbedder();
  const std::vector<float> query =
      EmbedOne(*embedder, "How do I reset my account password?");
  const std::vector<float> similar =
      EmbedOne(*embedder, "Resetting the password of your account");
  const std::vector<float> unrelated =
      EmbedOne(*embedder, "Quarterly revenue grew in the European market");
  EXPECT_GT(Dot(query, similar), Dot(query, unrelated) + 0.1);
}

TEST(HashedEmbedderTest, FoldsCaseAndDiacritics) {
  std::unique_ptr<Embedder> embedder = NewHashedEmbedder();
  const std::vector<float> plain =
      EmbedOne(*embedder, "creme brulee a la francaise");
  EXPECT_EQ(EmbedOne(*embedder, "Crème Brûlée à la Française"), plain);
  EXPECT_EQ(EmbedOne(*embedder, "CRÈME BRÛLÉE À LA FRANÇAISE"), plain);
  // Decomposed accents (e + U+0301) fold the same way.
  EXPECT_EQ(
      EmbedOne(*embedder, "cre\u0300me brule\u0301e a la franc\u0327aise"),
      plain);
  EXPECT_EQ(EmbedOne(*embedder, "Łódź Straße"),
            EmbedOne(*embedder, "lodz strasse"));
}

TEST(HashedEmbedderTest, PunctuationAndSpacingDoNotMatter) {
  std::unique_ptr<Embedder> embedder = NewHashedEmbedder();
  EXPECT_EQ(EmbedOne(*embedder, "hello world"),
            EmbedOne(*embedder, "  Hello,\t\"world\"!  "));
}

TEST(HashedEmbedderTest, NothingToEmbedGivesZeroRow) {
  std::unique_ptr<Embedder> embedder = NewHashedEmbedder(WithDimension(64));
  ASSERT_OK_AND_ASSIGN(std::vector<float> rows,
                       embedder->Embed({"", "  ...  !? ", "\xff\xfe"}));
  EXPECT_EQ(rows.size(), 3u * 64u);
  EXPECT_THAT(rows, Each(0.0f));
}

TEST(HashedEmbedderTest, EmptyBatch) {
  std::unique_ptr<Embedder> embedder = NewHashedEmbedder();
  ASSERT_OK_AND_ASSIGN(std::vector<float> rows, embedder->Embed({}));
  EXPECT_TRUE(rows.empty());
}

TEST(HashedEmbedderTest, NonLatinScriptsStillEmbed) {
  std::unique_ptr<Embedder> embedder = NewHashedEmbedder();
  const std::vector<float> upper = EmbedOne(*embedder, "ПРИВЕТ мир");
  EXPECT_NEAR(Dot(upper, upper), 1.0, 1e-5);
  EXPECT_EQ(upper, EmbedOne(*embedder, "привет МИР"));
  const std::vector<float> cjk = EmbedOne(*embedder, "東京都の天気");
  EXPECT_NEAR(Dot(cjk, cjk), 1.0, 1e-5);
}

TEST(HashedEmbedderTest, FamiliesCanBeSwitchedOff) {
  HashedEmbedderOptions options = WithDimension(128);
  options.word_bigrams = false;
  options.char_trigrams = false;
  std::unique_ptr<Embedder> words_only = NewHashedEmbedder(options);
  // Unigrams only: word order does not matter.
  EXPECT_EQ(EmbedOne(*words_only, "alpha beta"),
            EmbedOne(*words_only, "beta alpha"));
  std::unique_ptr<Embedder> all = NewHashedEmbedder(WithDimension(128));
  EXPECT_NE(EmbedOne(*all, "alpha beta"), EmbedOne(*all, "beta alpha"));
}

TEST(HashedEmbedderTest, BadDimensionIsInvalidArgument) {
  std::unique_ptr<Embedder> embedder = NewHashedEmbedder(WithDimension(0));
  EXPECT_THAT(embedder->Embed({"text"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace assistd::embed
