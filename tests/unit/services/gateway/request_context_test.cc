#include "services/gateway/request_context.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/gateway/http_status.h"
#include "tests/util/status_matchers.h"

namespace assistd::gateway {
namespace {

using ::testing::MatchesRegex;

HttpRequest WithBeta(const std::string& value) {
  HttpRequest request;
  if (!value.empty()) request.headers["openai-beta"] = value;
  return request;
}

TEST(RequestContextTest, RequestIdsAreReqPlusRandomHex) {
  const std::string a = NewRequestId();
  EXPECT_THAT(a, MatchesRegex("req_[0-9a-f]{32}"));
  EXPECT_NE(a, NewRequestId());
}

TEST(RequestContextTest, BetaHeaderMustNameAssistantsV2) {
  EXPECT_OK(CheckAssistantsBeta(WithBeta("assistants=v2")));
  EXPECT_OK(CheckAssistantsBeta(WithBeta("other=v1, assistants=v2")));
  for (const std::string& bad : {std::string(""), std::string("assistants=v1")}) {
    const absl::Status status = CheckAssistantsBeta(WithBeta(bad));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(ToHttpError(status).body["error"]["code"], "invalid_beta");
  }
}

TEST(RequestContextTest, ResolversMapTheAuthorizationHeader) {
  EXPECT_EQ(*NoAuthProjectResolver()("Bearer anything"), "default");
  ProjectResolver keys =
      KeyProjectResolver([](absl::string_view key) -> absl::StatusOr<std::string> {
        if (key == "sk-good") return std::string("acme");
        return absl::UnauthenticatedError("Incorrect API key provided.");
      });
  EXPECT_EQ(*keys("Bearer sk-good"), "acme");
  EXPECT_EQ(*keys("bearer  sk-good "), "acme");
  EXPECT_EQ(keys("Bearer sk-bad").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(keys("").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(keys("Basic abc").status().code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace assistd::gateway
