// Starts the real assistd binary: flags and ASSISTD_* environment, the
// startup line, health and reflection over a real socket through
// assistctl, and SIGTERM draining to exit 0.

#include <signal.h>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::IsOkAndHolds;
using ::assistd::testing::ListeningPort;
using ::assistd::testing::Subprocess;
using ::assistd::testing::TempDir;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr absl::Duration kStartTimeout = absl::Seconds(30);

TEST(AssistdBinaryTest, StartsAnswersHealthAndStopsCleanlyOnSigterm) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto proc, Subprocess::Start(
      {ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0", "--data_dir=" + dir.File("data"),
       "--drain_timeout=2s"}));
  const int port = ListeningPort(*proc, kStartTimeout);
  ASSERT_GT(port, 0);
  const std::string addr = absl::StrCat("127.0.0.1:", port);

  // assistctl is how the README says to try it.
  ASSERT_OK_AND_ASSIGN(auto health, Subprocess::Start(
      {ASSISTCTL_BINARY, "--addr=" + addr, "health"}));
  EXPECT_THAT(health->Wait(absl::Seconds(30)), IsOkAndHolds(0)) << health->output();
  EXPECT_THAT(health->output(), HasSubstr("SERVING"));
  ASSERT_OK_AND_ASSIGN(auto services, Subprocess::Start(
      {ASSISTCTL_BINARY, "--addr=" + addr, "services"}));
  EXPECT_THAT(services->Wait(absl::Seconds(30)), IsOkAndHolds(0));
  EXPECT_THAT(services->output(), HasSubstr("assistd.v1.RunService"));

  // A watcher holds a call open across SIGTERM: it must see NOT_SERVING
  // (so load balancers stop routing) before the server goes away.
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  HealthCheckRequest req;
  auto watch = stub->Watch(&ctx, req);
  HealthCheckResponse update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::SERVING);

  proc->Signal(SIGTERM);
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::NOT_SERVING);
  EXPECT_THAT(proc->Wait(absl::Seconds(30)), IsOkAndHolds(0)) << proc->output();
  EXPECT_THAT(proc->output(), HasSubstr("draining"));
  EXPECT_THAT(proc->output(), HasSubstr("assistd: stopped"));
  watch->Finish();
}

TEST(AssistdBinaryTest, ReadsSettingsFromTheEnvironment) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto proc, Subprocess::Start(
      {ASSISTD_BINARY},
      {{"ASSISTD_GRPC_ADDR", "127.0.0.1:0"},
       {"ASSISTD_DATA_DIR", dir.File("envdata")},
       {"ASSISTD_SERVICES", "files"}}));
  ASSERT_OK_AND_ASSIGN(std::string line, proc->WaitForLine("gRPC listening on", kStartTimeout));
  EXPECT_THAT(line, HasSubstr("services: files;"));
  EXPECT_THAT(line, HasSubstr(dir.File("envdata")));
  proc->Signal(SIGINT);
  EXPECT_THAT(proc->Wait(absl::Seconds(30)), IsOkAndHolds(0)) << proc->output();
}

TEST(AssistdBinaryTest, CommandLineBeatsTheEnvironment) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto proc, Subprocess::Start(
      {ASSISTD_BINARY, "--services=sandbox", "--grpc_addr=127.0.0.1:0",
       "--data_dir=" + dir.File("d")},
      {{"ASSISTD_SERVICES", "files"}}));
  ASSERT_OK_AND_ASSIGN(std::string line, proc->WaitForLine("gRPC listening on", kStartTimeout));
  EXPECT_THAT(line, HasSubstr("services: sandbox;"));
  proc->Signal(SIGTERM);
  EXPECT_THAT(proc->Wait(absl::Seconds(30)), IsOkAndHolds(0));
}

TEST(AssistdBinaryTest, BadConfigurationExitsNonZeroWithAClearMessage) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto bad_service, Subprocess::Start(
      {ASSISTD_BINARY, "--services=files,nonsense", "--data_dir=" + dir.File("d")}));
  EXPECT_THAT(bad_service->Wait(absl::Seconds(30)), IsOkAndHolds(1));
  EXPECT_THAT(bad_service->output(), HasSubstr("unknown service 'nonsense'"));

  ASSERT_OK_AND_ASSIGN(auto bad_env, Subprocess::Start(
      {ASSISTD_BINARY}, {{"ASSISTD_DRAIN_TIMEOUT", "soon"}}));
  EXPECT_THAT(bad_env->Wait(absl::Seconds(30)), IsOkAndHolds(1));
  EXPECT_THAT(bad_env->output(), HasSubstr("ASSISTD_DRAIN_TIMEOUT='soon'"));

  ASSERT_OK_AND_ASSIGN(auto both, Subprocess::Start(
      {ASSISTD_BINARY, "--services=all", "--files_addr=127.0.0.1:1",
       "--data_dir=" + dir.File("d")}));
  EXPECT_THAT(both->Wait(absl::Seconds(30)), IsOkAndHolds(1));
  EXPECT_THAT(both->output(), HasSubstr("also hosted here"));
}

}  // namespace
}  // namespace assistd
