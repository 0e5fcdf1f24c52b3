#include "common/env_flags.h"

#include <stdlib.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

ABSL_FLAG(std::string, test_dir, "default", "test flag");
ABSL_FLAG(int, test_count, 1, "test flag");

namespace assistd {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;

TEST(EnvFlagsTest, NamesVariablesInUpperCase) {
  EXPECT_EQ(EnvVarForFlag("ASSISTD_", "data_dir"), "ASSISTD_DATA_DIR");
}

TEST(EnvFlagsTest, EnvironmentSetsUnsetFlagsAndCommandLineWins) {
  setenv("ATEST_TEST_DIR", "/from/env", 1);
  setenv("ATEST_TEST_COUNT", "7", 1);
  ASSERT_THAT(ApplyEnvironmentToFlags("ATEST_", {"test_dir", "test_count"}),
              IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_dir), "/from/env");
  EXPECT_EQ(absl::GetFlag(FLAGS_test_count), 7);
  char arg0[] = "prog";
  char arg1[] = "--test_count=9";
  char* argv[] = {arg0, arg1};
  absl::ParseCommandLine(2, argv);
  EXPECT_EQ(absl::GetFlag(FLAGS_test_count), 9);
  EXPECT_EQ(absl::GetFlag(FLAGS_test_dir), "/from/env");
  unsetenv("ATEST_TEST_DIR");
  unsetenv("ATEST_TEST_COUNT");
}

TEST(EnvFlagsTest, BadValueNamesTheVariable) {
  setenv("BTEST_TEST_COUNT", "many", 1);
  EXPECT_THAT(ApplyEnvironmentToFlags("BTEST_", {"test_count"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("BTEST_TEST_COUNT='many'")));
  unsetenv("BTEST_TEST_COUNT");
}

TEST(EnvFlagsTest, UnknownFlagIsNotFound) {
  EXPECT_THAT(ApplyEnvironmentToFlags("X_", {"no_such_flag"}),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace assistd
