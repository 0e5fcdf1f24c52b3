#ifndef ASSISTD_TESTS_UTIL_STATUS_MATCHERS_H_
#define ASSISTD_TESTS_UTIL_STATUS_MATCHERS_H_

// gMock matchers for absl::Status and absl::StatusOr<T>:
//   EXPECT_THAT(DoIt(), IsOk());
//   EXPECT_THAT(Get("x"), StatusIs(absl::StatusCode::kNotFound));
//   EXPECT_THAT(Get("x"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("x")));
//   EXPECT_THAT(Count(), IsOkAndHolds(3));
//   ASSERT_OK_AND_ASSIGN(auto v, MakeV());

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace assistd::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

MATCHER_P(StatusIs, code,
          "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + absl::StatusCodeToString(code) +
               " and a matching message") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(s.message()),
                                       result_listener);
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace assistd::testing

#define ASSISTD_TEST_CONCAT_INNER_(a, b) a##b
#define ASSISTD_TEST_CONCAT_(a, b) ASSISTD_TEST_CONCAT_INNER_(a, b)

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::assistd::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::assistd::testing::IsOk())

#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                      \
  auto ASSISTD_TEST_CONCAT_(statusor_, __LINE__) = (expr);                   \
  ASSERT_THAT(ASSISTD_TEST_CONCAT_(statusor_, __LINE__).status(),            \
              ::assistd::testing::IsOk());                                   \
  lhs = *std::move(ASSISTD_TEST_CONCAT_(statusor_, __LINE__))

#endif  // ASSISTD_TESTS_UTIL_STATUS_MATCHERS_H_
