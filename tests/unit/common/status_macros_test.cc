#include "common/status_macros.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::StatusIs;

absl::StatusOr<std::unique_ptr<int>> MakeInt(bool ok, int* calls) {
  ++*calls;
  if (!ok) return absl::NotFoundError("no int");
  return std::make_unique<int>(42);
}

absl::Status UseInt(bool ok, int* calls, int* out) {
  ASSIGN_OR_RETURN(std::unique_ptr<int> v, MakeInt(ok, calls));  // move-only
  *out = *v;
  return absl::OkStatus();
}

absl::Status Chain(absl::Status first, bool* reached_end) {
  RETURN_IF_ERROR(first);
  *reached_end = true;
  return absl::OkStatus();
}

TEST(StatusMacrosTest, AssignOrReturnAssignsValueAndEvaluatesOnce) {
  int calls = 0, out = 0;
  EXPECT_THAT(UseInt(true, &calls, &out), IsOk());
  EXPECT_EQ(out, 42);
  EXPECT_EQ(calls, 1);
}

TEST(StatusMacrosTest, AssignOrReturnPropagatesError) {
  int calls = 0, out = 0;
  EXPECT_THAT(UseInt(false, &calls, &out),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(out, 0);
}

TEST(StatusMacrosTest, ReturnIfErrorStopsOnError) {
  bool reached = false;
  EXPECT_THAT(Chain(absl::DataLossError("x"), &reached),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_FALSE(reached);
  EXPECT_THAT(Chain(absl::OkStatus(), &reached), IsOk());
  EXPECT_TRUE(reached);
}

}  // namespace
}  // namespace assistd
