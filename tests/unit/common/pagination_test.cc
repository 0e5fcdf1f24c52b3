#include "common/pagination.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd {
namespace {

using ::assistd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PaginationTest, DefaultsToTwentyDescending) {
  ASSERT_OK_AND_ASSIGN(PageParams p, MakePageParams(0, "", "", ""));
  EXPECT_EQ(p.limit, 20);
  EXPECT_EQ(p.order, SortOrder::kDesc);
}

TEST(PaginationTest, RejectsLimitOutOfRangeNamingTheField) {
  EXPECT_THAT(MakePageParams(101, "asc", "", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'limit'")));
  EXPECT_THAT(MakePageParams(-1, "asc", "", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'limit'")));
  PageLimits files{10000, 10000, false};
  ASSERT_OK_AND_ASSIGN(PageParams p, MakePageParams(0, "", "", "", files));
  EXPECT_EQ(p.limit, 10000);
}

TEST(PaginationTest, RejectsUnknownOrderAndUnsupportedBefore) {
  EXPECT_THAT(MakePageParams(1, "sideways", "", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'order'")));
  PageLimits no_before{20, 100, false};
  EXPECT_THAT(MakePageParams(1, "asc", "", "x", no_before),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'before'")));
}

// Runs a planned query over keys 1..n in memory, as SQLite would.
std::vector<int64_t> Execute(const KeysetQuery& q, int64_t n) {
  std::vector<int64_t> keys;
  for (int64_t k = 1; k <= n; ++k) keys.push_back(k);
  if (q.order_by.find("DESC") != std::string::npos) {
    std::reverse(keys.begin(), keys.end());
  }
  std::vector<int64_t> out;
  for (int64_t k : keys) {
    bool ok = true;
    size_t arg = 0;
    // Evaluate "seq < ?" / "seq > ?" terms in order.
    std::string cond = q.condition;
    size_t pos = 0;
    while ((pos = cond.find("seq ", pos)) != std::string::npos) {
      char op = cond[pos + 4];
      int64_t v = q.args[arg++];
      ok = ok && (op == '<' ? k < v : k > v);
      pos += 5;
    }
    if (ok && static_cast<int>(out.size()) < q.fetch_limit) out.push_back(k);
  }
  return out;
}

Page<int64_t> PageOf(int limit, SortOrder order, std::optional<int64_t> after,
                     std::optional<int64_t> before, int64_t n) {
  PageParams p;
  p.limit = limit;
  p.order = order;
  KeysetQuery q = PlanKeysetPage(p, after, before, "seq");
  return FinishKeysetPage(Execute(q, n), q);
}

TEST(PaginationTest, WalksForwardDescendingWithAfter) {
  Page<int64_t> first = PageOf(3, SortOrder::kDesc, std::nullopt, std::nullopt, 7);
  EXPECT_THAT(first.data, ElementsAre(7, 6, 5));
  EXPECT_TRUE(first.has_more);
  Page<int64_t> second = PageOf(3, SortOrder::kDesc, 5, std::nullopt, 7);
  EXPECT_THAT(second.data, ElementsAre(4, 3, 2));
  EXPECT_TRUE(second.has_more);
  Page<int64_t> last = PageOf(3, SortOrder::kDesc, 2, std::nullopt, 7);
  EXPECT_THAT(last.data, ElementsAre(1));
  EXPECT_FALSE(last.has_more);
}

TEST(PaginationTest, WalksForwardAscending) {
  Page<int64_t> page = PageOf(2, SortOrder::kAsc, 2, std::nullopt, 4);
  EXPECT_THAT(page.data, ElementsAre(3, 4));
  EXPECT_FALSE(page.has_more);
}

TEST(PaginationTest, BeforeReturnsTheItemsRightBeforeTheCursorInListOrder) {
  // List (asc) is 1..10; the page before 8 with limit 3 is 5,6,7.
  Page<int64_t> asc = PageOf(3, SortOrder::kAsc, std::nullopt, 8, 10);
  EXPECT_THAT(asc.data, ElementsAre(5, 6, 7));
  EXPECT_TRUE(asc.has_more);
  // List (desc) is 10..1; the page before 3 is 6,5,4.
  Page<int64_t> desc = PageOf(3, SortOrder::kDesc, std::nullopt, 3, 10);
  EXPECT_THAT(desc.data, ElementsAre(6, 5, 4));
}

TEST(PaginationTest, AfterAndBeforeTogetherBoundBothSides) {
  Page<int64_t> page = PageOf(10, SortOrder::kAsc, 2, 6, 10);
  EXPECT_THAT(page.data, ElementsAre(3, 4, 5));
  EXPECT_FALSE(page.has_more);
}

}  // namespace
}  // namespace assistd
