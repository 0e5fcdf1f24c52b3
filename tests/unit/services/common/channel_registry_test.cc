#include "services/common/channel_registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ChannelRegistryTest, RejectsAServiceThatIsBothLocalAndRemote) {
  EXPECT_THAT(ChannelRegistry::Create({ServiceId::kFiles},
                                      {{ServiceId::kFiles, "h:1"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--files_addr=h:1")));
}

TEST(ChannelRegistryTest, UnconfiguredRemoteIsUnavailableNamingTheFlag) {
  ASSERT_OK_AND_ASSIGN(auto reg, ChannelRegistry::Create({ServiceId::kFiles}, {}));
  EXPECT_THAT(reg->ChannelFor(ServiceId::kSandbox),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("--sandbox_addr")));
}

TEST(ChannelRegistryTest, LocalBeforeStartIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(auto reg, ChannelRegistry::Create({ServiceId::kFiles}, {}));
  EXPECT_THAT(reg->ChannelFor(ServiceId::kFiles),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(ChannelRegistryTest, RemoteChannelIsCreatedOnceAndShared) {
  ASSERT_OK_AND_ASSIGN(auto reg, ChannelRegistry::Create(
                                     {ServiceId::kFiles},
                                     {{ServiceId::kRetrieval, "127.0.0.1:1"}}));
  EXPECT_FALSE(reg->IsLocal(ServiceId::kRetrieval));
  ASSERT_OK_AND_ASSIGN(auto a, reg->ChannelFor(ServiceId::kRetrieval));
  ASSERT_OK_AND_ASSIGN(auto b, reg->ChannelFor(ServiceId::kRetrieval));
  EXPECT_EQ(a.get(), b.get());
}

}  // namespace
}  // namespace assistd
