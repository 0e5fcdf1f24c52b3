#include "common/clock.h"

#include "gtest/gtest.h"

namespace assistd {
namespace {

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(1000));
  EXPECT_EQ(clock.NowUnixSeconds(), 1000);
  clock.Advance(absl::Seconds(90));
  EXPECT_EQ(clock.NowUnixSeconds(), 1090);
  clock.Set(absl::FromUnixSeconds(5));
  EXPECT_EQ(clock.NowUnixSeconds(), 5);
}

TEST(ClockTest, RealClockIsCloseToNow) {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  EXPECT_NEAR(RealClock()->NowUnixSeconds(), now, 2);
}

}  // namespace
}  // namespace assistd
