#include "services/common/service_names.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd {
namespace {

using ::assistd::testing::IsOkAndHolds;
using ::assistd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ServiceNamesTest, AllMeansEveryService) {
  EXPECT_THAT(ParseServiceList("all"),
              IsOkAndHolds(ElementsAre(ServiceId::kFiles, ServiceId::kRetrieval,
                                       ServiceId::kSandbox,
                                       ServiceId::kOrchestrator)));
}

TEST(ServiceNamesTest, ParsesAListWithSpaces) {
  EXPECT_THAT(ParseServiceList(" files, sandbox "),
              IsOkAndHolds(ElementsAre(ServiceId::kFiles, ServiceId::kSandbox)));
}

TEST(ServiceNamesTest, RejectsUnknownAndEmpty) {
  EXPECT_THAT(ParseServiceList("files,gateway2"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'gateway2'")));
  EXPECT_THAT(ParseServiceList(" , "),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ServiceNamesTest, OrchestratorServesThreeGrpcServices) {
  EXPECT_THAT(GrpcServiceNames(ServiceId::kOrchestrator),
              ElementsAre("assistd.v1.AssistantService", "assistd.v1.ThreadService",
                          "assistd.v1.RunService"));
}

}  // namespace
}  // namespace assistd
