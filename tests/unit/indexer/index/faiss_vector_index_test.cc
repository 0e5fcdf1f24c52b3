#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indexer/index/vector_index.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::index {
namespace {

using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;

constexpr int kDim = 16;

std::vector<float> RandomUnitVectors(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist;
  std::vector<float> v(static_cast<size_t>(n) * kDim);
  for (int i = 0; i < n; ++i) {
    float norm = 0;
    for (int j = 0; j < kDim; ++j) norm += (v[i * kDim + j] = dist(rng)) * v[i * kDim + j];
    for (int j = 0; j < kDim; ++j) v[i * kDim + j] /= std::sqrt(norm);
  }
  return v;
}

std::vector<int64_t> Range(int64_t from, int n) {
  std::vector<int64_t> ids;
  for (int i = 0; i < n; ++i) ids.push_back(from + i);
  return ids;
}

VectorIndexOptions Options(int64_t approximate_threshold = 1000000) {
  VectorIndexOptions o;
  o.dimension = kDim;
  o.approximate_threshold = approximate_threshold;
  return o;
}

TEST(FaissVectorIndexTest, FindsTheVectorItselfFirst) {
  ASSERT_OK_AND_ASSIGN(auto index, NewFaissVectorIndex(Options()));
  std::vector<float> v = RandomUnitVectors(200, 1);
  ASSERT_OK(index->Add(Range(1000, 200), v));
  EXPECT_EQ(index->size(), 200);
  EXPECT_EQ(index->max_id(), 1199);
  ASSERT_OK_AND_ASSIGN(auto hits, index->Search(absl::MakeSpan(v).subspan(37 * kDim, kDim), 5));
  ASSERT_EQ(hits.size(), 5u);
  EXPECT_EQ(hits[0].id, 1037);
  EXPECT_NEAR(hits[0].score, 1.0, 1e-5);
  EXPECT_GE(hits[0].score, hits[1].score);
}

TEST(FaissVectorIndexTest, ValidatesInput) {
  ASSERT_OK_AND_ASSIGN(auto index, NewFaissVectorIndex(Options()));
  std::vector<float> v = RandomUnitVectors(2, 2);
  EXPECT_THAT(index->Add(Range(1, 3), v), StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK(index->Add(Range(1, 2), v));
  EXPECT_THAT(index->Add(Range(2, 1), absl::MakeSpan(v).subspan(0, kDim)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<float> short_query(kDim - 1);
  EXPECT_THAT(index->Search(short_query, 1), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FaissVectorIndexTest, RemovedAndRejectedIdsNeverComeBack) {
  ASSERT_OK_AND_ASSIGN(auto index, NewFaissVectorIndex(Options()));
  std::vector<float> v = RandomUnitVectors(100, 3);
  ASSERT_OK(index->Add(Range(0, 100), v));
  ASSERT_OK(index->Remove({5, 6, 7, 999}));
  EXPECT_EQ(index->size(), 97);
  auto query = absl::MakeSpan(v).subspan(5 * kDim, kDim);
  ASSERT_OK_AND_ASSIGN(auto hits, index->Search(query, 100));
  EXPECT_EQ(hits.size(), 97u);
  // Only even ids, still k of them: the filter applies before the cut.
  ASSERT_OK_AND_ASSIGN(auto even, index->Search(query, 10, [](int64_t id) { return id % 2 == 0; }));
  ASSERT_EQ(even.size(), 10u);
  for (const auto& h : even) {
    EXPECT_EQ(h.id % 2, 0);
    EXPECT_NE(h.id, 6);
  }
}

TEST(FaissVectorIndexTest, SwitchesToIvfAndKeepsRecall) {
  ASSERT_OK_AND_ASSIGN(auto exact, NewFaissVectorIndex(Options()));
  ASSERT_OK_AND_ASSIGN(auto approx, NewFaissVectorIndex(Options(/*approximate_threshold=*/500)));
  std::vector<float> v = RandomUnitVectors(3000, 4);
  ASSERT_OK(exact->Add(Range(0, 3000), v));
  ASSERT_OK(approx->Add(Range(0, 3000), v));
  ASSERT_OK(approx->Remove(Range(0, 100)));
  int agree = 0;
  for (int q = 200; q < 250; ++q) {
    auto query = absl::MakeSpan(v).subspan(q * kDim, kDim);
    ASSERT_OK_AND_ASSIGN(auto a, approx->Search(query, 10));
    ASSERT_OK_AND_ASSIGN(auto e, exact->Search(query, 10, [](int64_t id) { return id >= 100; }));
    std::set<int64_t> truth;
    for (const auto& h : e) truth.insert(h.id);
    for (const auto& h : a) {
      EXPECT_GE(h.id, 100);
      agree += truth.count(h.id);
    }
  }
  EXPECT_GE(agree, 50 * 10 * 9 / 10);  // recall@10 >= 0.9
}

// The switch to IVF (and every retraining) builds the new index with the
// lock released. Writers and readers that run meanwhile must leave it
// exactly as if they had run before or after: every vector added is found,
// no removed one comes back, none twice.
TEST(FaissVectorIndexTest, ChangesDuringARebuildAreKept) {
  ASSERT_OK_AND_ASSIGN(auto index, NewFaissVectorIndex(Options(/*approximate_threshold=*/2000)));
  const std::vector<float> v = RandomUnitVectors(6000, 7);
  auto rows = [&](int from, int n) {
    return absl::MakeConstSpan(v).subspan(static_cast<size_t>(from) * kDim,
                                          static_cast<size_t>(n) * kDim);
  };
  ASSERT_OK(index->Add(Range(0, 1900), rows(0, 1900)));
  std::thread other([&] {
    // Small writes while the big one below crosses the threshold.
    for (int from = 4000; from < 6000; from += 50) {
      ASSERT_OK(index->Add(Range(from, 50), rows(from, 50)));
      ASSERT_OK(index->Remove(Range(from, 10)));
      ASSERT_OK(index->Search(rows(from, 1), 5).status());
    }
  });
  ASSERT_OK(index->Add(Range(1900, 2100), rows(1900, 2100)));  // rebuilds as IVF
  other.join();

  std::set<int64_t> expected;
  for (int64_t id = 0; id < 4000; ++id) expected.insert(id);
  for (int from = 4000; from < 6000; from += 50) {
    for (int64_t id = from + 10; id < from + 50; ++id) expected.insert(id);
  }
  const std::vector<int64_t> ids = index->Ids();
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()), expected);
  EXPECT_EQ(ids.size(), expected.size());  // none twice
  EXPECT_EQ(index->size(), static_cast<int64_t>(expected.size()));
  for (int64_t id : {int64_t{5}, int64_t{1950}, int64_t{4020}, int64_t{5990}}) {
    ASSERT_OK_AND_ASSIGN(std::vector<float> back, index->Reconstruct(id));
    EXPECT_EQ(back, std::vector<float>(rows(static_cast<int>(id), 1).begin(),
                                       rows(static_cast<int>(id), 1).end()));
  }
  for (int64_t removed : {int64_t{4000}, int64_t{5959}}) {
    EXPECT_FALSE(index->Reconstruct(removed).ok());
  }
}

TEST(FaissVectorIndexTest, SavesAndLoadsExactlyAndDetectsCorruption) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto index, NewFaissVectorIndex(Options(/*approximate_threshold=*/50)));
  std::vector<float> v = RandomUnitVectors(120, 5);
  ASSERT_OK(index->Add(Range(10, 120), v));
  ASSERT_OK(index->Remove({11}));
  ASSERT_OK(index->Save(dir.File("v.idx")));
  ASSERT_OK_AND_ASSIGN(auto loaded, LoadFaissVectorIndex(dir.File("v.idx"), Options(50)));
  EXPECT_EQ(loaded->size(), 119);
  EXPECT_EQ(loaded->max_id(), 129);
  auto query = absl::MakeSpan(v).subspan(1 * kDim, kDim);  // id 11, removed
  ASSERT_OK_AND_ASSIGN(auto hits, loaded->Search(query, 3));
  for (const auto& h : hits) EXPECT_NE(h.id, 11);

  EXPECT_THAT(LoadFaissVectorIndex(dir.File("v.idx"), [] { auto o = Options(); o.dimension = 8; return o; }()),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(LoadFaissVectorIndex(dir.File("missing.idx"), Options()),
              StatusIs(absl::StatusCode::kNotFound));
  {
    std::fstream f(dir.File("v.idx"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x7f');
  }
  EXPECT_THAT(LoadFaissVectorIndex(dir.File("v.idx"), Options(50)),
              StatusIs(absl::StatusCode::kDataLoss));
  std::ofstream(dir.File("trunc.idx"), std::ios::binary) << "AVX1xx";
  EXPECT_THAT(LoadFaissVectorIndex(dir.File("trunc.idx"), Options()),
              StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace assistd::index
