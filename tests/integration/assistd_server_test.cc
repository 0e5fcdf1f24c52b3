// AssistdServer over real sockets: health, reflection, every service
// implemented, --services subsets, the data-dir lock, and the
// in-process channel path.

#include "services/assistd/server.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "assistd/v1/files.grpc.pb.h"
#include "assistd/v1/runs.grpc.pb.h"
#include "assistd/v1/sandbox.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::Contains;

ServerOptions TestOptions(const TempDir& dir) {
  ServerOptions options;
  options.data_dir = dir.File("data");
  options.grpc_addr = "127.0.0.1:0";
  options.files.extraction.worker_path = WORKER_PATH;
  return options;
}

std::shared_ptr<grpc::Channel> Connect(const AssistdServer& server) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.grpc_port()),
                             grpc::InsecureChannelCredentials());
}

grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel,
                   const std::string& service, HealthCheckResponse* resp) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  HealthCheckRequest req;
  req.set_service(service);
  return stub->Check(&ctx, req, resp);
}

std::set<std::string> ListServices(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext ctx;
  auto stream = stub->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("");
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  std::set<std::string> names;
  if (stream->Write(req) && stream->WritesDone() && stream->Read(&resp)) {
    for (const auto& s : resp.list_services_response().service()) names.insert(s.name());
  }
  EXPECT_TRUE(stream->Finish().ok());
  return names;
}

TEST(AssistdServerTest, ServesHealthForEveryHostedService) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto server, AssistdServer::Start(TestOptions(dir)));
  ASSERT_GT(server->grpc_port(), 0);
  auto channel = Connect(*server);
  for (const char* name : {"", "assistd.v1.FileService", "assistd.v1.VectorStoreService",
                           "assistd.v1.SandboxService", "assistd.v1.AssistantService",
                           "assistd.v1.ThreadService", "assistd.v1.RunService"}) {
    HealthCheckResponse resp;
    ASSERT_TRUE(Check(channel, name, &resp).ok()) << name;
    EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING) << name;
  }
}

TEST(AssistdServerTest, ReflectionListsTheContract) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto server, AssistdServer::Start(TestOptions(dir)));
  EXPECT_THAT(ListServices(Connect(*server)),
              IsSupersetOf({"assistd.v1.FileService", "assistd.v1.VectorStoreService",
                            "assistd.v1.SandboxService", "assistd.v1.AssistantService",
                            "assistd.v1.ThreadService", "assistd.v1.RunService",
                            "grpc.health.v1.Health"}));
}

TEST(AssistdServerTest, EveryServiceIsImplemented) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto server, AssistdServer::Start(TestOptions(dir)));
  auto channel = Connect(*server);
  {
    auto stub = v1::SandboxService::NewStub(channel);
    grpc::ClientContext ctx;
    v1::GetSessionRequest req;
    req.set_session_id("sess_unknown");
    v1::Session session;
    EXPECT_EQ(stub->GetSession(&ctx, req, &session).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    auto stub = v1::RunService::NewStub(channel);
    grpc::ClientContext ctx;
    v1::GetRunRequest req;
    req.set_thread_id("thread_unknown");
    req.set_run_id("run_unknown");
    v1::Run run;
    EXPECT_EQ(stub->GetRun(&ctx, req, &run).error_code(), grpc::StatusCode::NOT_FOUND);
  }
}

TEST(AssistdServerTest, HostsOnlyTheRequestedServices) {
  TempDir dir;
  ServerOptions options = TestOptions(dir);
  options.services = {ServiceId::kFiles};
  ASSERT_OK_AND_ASSIGN(auto server, AssistdServer::Start(options));
  auto channel = Connect(*server);
  HealthCheckResponse resp;
  EXPECT_TRUE(Check(channel, "assistd.v1.FileService", &resp).ok());
  EXPECT_EQ(Check(channel, "assistd.v1.RunService", &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(ListServices(channel), Not(Contains("assistd.v1.RunService")));
  // A run call reaches nothing here: the server does not know the method.
  auto runs = v1::RunService::NewStub(channel);
  grpc::ClientContext ctx;
  v1::GetRunRequest req;
  v1::Run run;
  EXPECT_EQ(runs->GetRun(&ctx, req, &run).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST(AssistdServerTest, LocalServicesAreReachedInProcess) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto server, AssistdServer::Start(TestOptions(dir)));
  ASSERT_OK_AND_ASSIGN(auto channel, server->channels()->ChannelFor(ServiceId::kFiles));
  HealthCheckResponse resp;
  ASSERT_TRUE(Check(channel, "assistd.v1.FileService", &resp).ok());
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
}

TEST(AssistdServerTest, SplitDeploymentReachesARemoteServiceOverTheNetwork) {
  TempDir dir_a, dir_b;
  ServerOptions files_only = TestOptions(dir_a);
  files_only.services = {ServiceId::kFiles};
  ASSERT_OK_AND_ASSIGN(auto files_server, AssistdServer::Start(files_only));
  ServerOptions rest = TestOptions(dir_b);
  rest.services = {ServiceId::kRetrieval, ServiceId::kSandbox, ServiceId::kOrchestrator};
  rest.remote_addrs[ServiceId::kFiles] =
      absl::StrCat("127.0.0.1:", files_server->grpc_port());
  ASSERT_OK_AND_ASSIGN(auto server, AssistdServer::Start(rest));
  ASSERT_OK_AND_ASSIGN(auto channel, server->channels()->ChannelFor(ServiceId::kFiles));
  HealthCheckResponse resp;
  ASSERT_TRUE(Check(channel, "assistd.v1.FileService", &resp).ok());
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
}

TEST(AssistdServerTest, SecondServerOnTheSameDataDirIsRefused) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto first, AssistdServer::Start(TestOptions(dir)));
  EXPECT_THAT(AssistdServer::Start(TestOptions(dir)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("in use by another assistd")));
}

TEST(AssistdServerTest, AddressInUseIsUnavailable) {
  TempDir dir_a, dir_b;
  ASSERT_OK_AND_ASSIGN(auto first, AssistdServer::Start(TestOptions(dir_a)));
  ServerOptions options = TestOptions(dir_b);
  options.grpc_addr = absl::StrCat("127.0.0.1:", first->grpc_port());
  EXPECT_THAT(AssistdServer::Start(options),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("cannot listen")));
}

TEST(AssistdServerTest, UnusableDataDirIsFailedPrecondition) {
  TempDir dir;
  ServerOptions options = TestOptions(dir);
  options.data_dir = "/proc/assistd-cannot-create-this";
  EXPECT_THAT(AssistdServer::Start(options),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--data_dir")));
}

}  // namespace
}  // namespace assistd
