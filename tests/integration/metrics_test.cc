// /metrics of the real assistd binary, scraped over loopback HTTP: per-RPC
// counts by status code and latency histograms, a run that completes with
// the built-in model, a file ingested into a vector store, a sandbox
// execution, and no label made from a method nobody registered.

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>

#include <csignal>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "assistd/v1/assistants.grpc.pb.h"
#include "assistd/v1/files.grpc.pb.h"
#include "assistd/v1/runs.grpc.pb.h"
#include "assistd/v1/sandbox.grpc.pb.h"
#include "assistd/v1/threads.grpc.pb.h"
#include "assistd/v1/vector_stores.grpc.pb.h"
#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/common/project.h"
#include "tests/util/assistd_process.h"
#include "tests/util/metrics_text.h"
#include "tests/util/status_matchers.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::AssistdProcess;
using ::assistd::testing::ListeningPort;
using ::assistd::testing::MetricsPort;
using ::assistd::testing::ParseMetricsText;
using ::assistd::testing::Sample;
using ::assistd::testing::Subprocess;
using ::assistd::testing::TempDir;
using ::testing::HasSubstr;

constexpr absl::Duration kWait = absl::Seconds(60);

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + kWait));
  SetProject(ctx.get(), "default");
  return ctx;
}

// "RunService" -> "assistd.v1.RunService"; "unknown" and names with a
// package stay.
std::string FullService(const std::string& service) {
  if (service == "unknown" || service.find('.') != std::string::npos) return service;
  return "assistd.v1." + service;
}
// `name{code="...",method="...",service="..."}` as prometheus-cpp prints it.
std::string Requests(const std::string& service, const std::string& method,
                     const std::string& code) {
  return absl::StrCat("assistd_grpc_requests_total{code=\"", code, "\",method=\"", method,
                      "\",service=\"", FullService(service), "\"}");
}
std::string Latency(const std::string& suffix, const std::string& service,
                    const std::string& method, const std::string& extra = "") {
  return absl::StrCat("assistd_grpc_request_duration_seconds", suffix, "{method=\"", method,
                      "\",service=\"", FullService(service), "\"", extra, "}");
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<std::string> argv = {ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0",
                                           "--metrics_addr=127.0.0.1:0",
                                           "--http_addr=127.0.0.1:0",
                                           "--data_dir=" + dir_.File("data")};
    AssistdProcess::Options options;
    options.timeout = kWait;
    options.metrics = true;
    options.http = true;
    ASSERT_OK_AND_ASSIGN(server_, AssistdProcess::Start(argv, options));
    metrics_port_ = server_->metrics_port();
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  }

  // GET /metrics: the body, parsed.
  std::map<std::string, double> Scrape(std::string* text = nullptr) {
    http::HttpRequest req;
    req.method = "GET";
    req.url = absl::StrCat("http://127.0.0.1:", metrics_port_, "/metrics");
    absl::StatusOr<http::HttpResponse> resp = http_->Send(req);
    EXPECT_TRUE(resp.ok()) << resp.status();
    if (!resp.ok()) return {};
    EXPECT_EQ(resp->status, 200);
    if (text != nullptr) *text = resp->body;
    return ParseMetricsText(resp->body);
  }

  TempDir dir_;
  std::unique_ptr<AssistdProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  int metrics_port_ = 0;
  std::unique_ptr<http::HttpClient> http_ = http::NewCurlHttpClient();
};

TEST_F(MetricsTest, CountsRpcsByCodeAndRunsByStatus) {
  auto assistants = v1::AssistantService::NewStub(channel_);
  auto threads = v1::ThreadService::NewStub(channel_);
  auto runs = v1::RunService::NewStub(channel_);

  v1::CreateAssistantRequest create;
  create.set_model("assistd-extractive");
  v1::Assistant assistant;
  ASSERT_TRUE(assistants->CreateAssistant(Ctx().get(), create, &assistant).ok());
  v1::GetAssistantRequest missing;
  missing.set_assistant_id("asst_doesnotexist");
  v1::Assistant unused;
  EXPECT_EQ(assistants->GetAssistant(Ctx().get(), missing, &unused).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::CreateThreadRequest thread_req;
  auto* m = thread_req.add_messages();
  m->set_role(v1::MESSAGE_ROLE_USER);
  m->set_text("What can you do?");
  v1::Thread thread;
  ASSERT_TRUE(threads->CreateThread(Ctx().get(), thread_req, &thread).ok());
  v1::CreateRunRequest run_req;
  run_req.set_thread_id(thread.id());
  run_req.set_assistant_id(assistant.id());
  v1::Run run;
  ASSERT_TRUE(runs->CreateRun(Ctx().get(), run_req, &run).ok());
  v1::GetRunRequest get_run;
  get_run.set_thread_id(thread.id());
  get_run.set_run_id(run.id());
  int polls = 0;
  const absl::Time deadline = absl::Now() + kWait;
  while (run.status() != v1::RUN_STATUS_COMPLETED && absl::Now() < deadline) {
    ASSERT_TRUE(runs->GetRun(Ctx().get(), get_run, &run).ok());
    ++polls;
    if (run.status() == v1::RUN_STATUS_FAILED) FAIL() << run.last_error().message();
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(run.status(), v1::RUN_STATUS_COMPLETED);

  // A method nobody registered must not become a label value.
  grpc::GenericStub generic(channel_);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  grpc::Status unknown_status;
  absl::Notification done;
  auto ctx = Ctx();
  generic.UnaryCall(ctx.get(), "/assistd.v1.AssistantService/NoSuchMethod", {}, &request, &response,
                    [&](grpc::Status s) {
                      unknown_status = std::move(s);
                      done.Notify();
                    });
  done.WaitForNotification();
  EXPECT_EQ(unknown_status.error_code(), grpc::StatusCode::UNIMPLEMENTED);

  // gRPC's own health service is labelled like ours.
  grpc::health::v1::HealthCheckResponse health;
  ASSERT_TRUE(grpc::health::v1::Health::NewStub(channel_)
                  ->Check(Ctx().get(), grpc::health::v1::HealthCheckRequest(), &health)
                  .ok());

  std::string text;
  const std::map<std::string, double> s = Scrape(&text);
  EXPECT_THAT(text, HasSubstr("# TYPE assistd_grpc_requests_total counter"));
  EXPECT_THAT(text, HasSubstr("# TYPE assistd_grpc_request_duration_seconds histogram"));
  EXPECT_EQ(Sample(s, Requests("AssistantService", "CreateAssistant", "OK")), 1);
  EXPECT_EQ(Sample(s, Requests("AssistantService", "GetAssistant", "NOT_FOUND")), 1);
  EXPECT_EQ(Sample(s, Requests("AssistantService", "GetAssistant", "OK")), -1);
  EXPECT_EQ(Sample(s, Requests("ThreadService", "CreateThread", "OK")), 1);
  EXPECT_EQ(Sample(s, Requests("RunService", "CreateRun", "OK")), 1);
  EXPECT_EQ(Sample(s, Requests("RunService", "GetRun", "OK")), polls);
  EXPECT_EQ(Sample(s, Latency("_count", "AssistantService", "GetAssistant")), 1);
  EXPECT_EQ(Sample(s, Latency("_bucket", "AssistantService", "GetAssistant", ",le=\"+Inf\"")), 1);
  EXPECT_GT(Sample(s, Latency("_sum", "AssistantService", "GetAssistant")), 0);
  EXPECT_EQ(Sample(s, Latency("_count", "RunService", "GetRun")), polls);
  EXPECT_EQ(text.find("NoSuchMethod"), std::string::npos);
  EXPECT_EQ(Sample(s, Requests("unknown", "unknown", "UNIMPLEMENTED")), 1);
  EXPECT_EQ(Sample(s, Requests("grpc.health.v1.Health", "Check", "OK")), 1);

  EXPECT_EQ(Sample(s, R"(assistd_runs_total{status="completed"})"), 1);
  EXPECT_EQ(Sample(s, R"(assistd_runs_total{status="failed"})"), 0);
  EXPECT_EQ(Sample(s, R"(assistd_model_call_duration_seconds_count{model="assistd-extractive"})"),
            1);
  EXPECT_GT(Sample(s, R"(assistd_model_tokens_total{kind="prompt"})"), 0);
  EXPECT_GT(Sample(s, R"(assistd_model_tokens_total{kind="completion"})"), 0);
}

TEST_F(MetricsTest, IngestionAndSandboxGauges) {
  std::string text;
  std::map<std::string, double> s = Scrape(&text);
  EXPECT_THAT(text, HasSubstr("# TYPE assistd_ingestion_queue_depth gauge"));
  EXPECT_EQ(Sample(s, "assistd_ingestion_queue_depth"), 0);
  EXPECT_EQ(Sample(s, R"(assistd_vector_store_files{status="completed"})"), 0);
  EXPECT_EQ(Sample(s, "assistd_sandbox_sessions"), 0);

  // A text file into a vector store, ingested.
  auto files = v1::FileService::NewStub(channel_);
  auto stores = v1::VectorStoreService::NewStub(channel_);
  v1::File file;
  {
    auto ctx = Ctx();
    auto writer = files->Upload(ctx.get(), &file);
    v1::UploadRequest header;
    header.mutable_header()->set_filename("notes.txt");
    header.mutable_header()->set_purpose("assistants");
    v1::UploadRequest chunk;
    chunk.set_chunk("The intake filter must be replaced every 400 operating hours.\n");
    ASSERT_TRUE(writer->Write(header) && writer->Write(chunk) && writer->WritesDone());
    ASSERT_TRUE(writer->Finish().ok());
  }
  v1::CreateVectorStoreRequest create;
  create.add_file_ids(file.id());
  v1::VectorStore store;
  ASSERT_TRUE(stores->CreateVectorStore(Ctx().get(), create, &store).ok());
  v1::GetVectorStoreRequest get;
  get.set_vector_store_id(store.id());
  const absl::Time deadline = absl::Now() + kWait;
  while (store.file_counts().completed() < 1 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    ASSERT_TRUE(stores->GetVectorStore(Ctx().get(), get, &store).ok());
    ASSERT_EQ(store.file_counts().failed(), 0);
  }
  ASSERT_EQ(store.file_counts().completed(), 1);
  s = Scrape();
  EXPECT_EQ(Sample(s, "assistd_ingestion_queue_depth"), 0);
  EXPECT_EQ(Sample(s, R"(assistd_vector_store_files{status="completed"})"), 1);
  EXPECT_EQ(Sample(s, R"(assistd_vector_store_files{status="in_progress"})"), 0);
  EXPECT_EQ(Sample(s, R"(assistd_vector_store_files{status="failed"})"), 0);
  EXPECT_EQ(Sample(s, R"(assistd_vector_store_files{status="cancelled"})"), 0);
  EXPECT_EQ(Sample(s, Requests("FileService", "Upload", "OK")), 1);

  // A sandbox session and one execution (where this host can run the jail).
  auto sandbox = v1::SandboxService::NewStub(channel_);
  v1::Session session;
  grpc::Status created = sandbox->CreateSession(Ctx().get(), v1::CreateSessionRequest(), &session);
  if (created.error_code() == grpc::StatusCode::UNAVAILABLE) {
    GTEST_SKIP() << "no sandbox on this host: " << created.error_message();
  }
  ASSERT_TRUE(created.ok()) << created.error_message();
  EXPECT_EQ(Sample(Scrape(), "assistd_sandbox_sessions"), 1);
  v1::ExecuteRequest exec;
  exec.set_session_id(session.id());
  exec.set_code("1 + 1");
  {
    auto ctx = Ctx();
    auto reader = sandbox->Execute(ctx.get(), exec);
    v1::ExecuteEvent e;
    while (reader->Read(&e)) {
    }
    ASSERT_TRUE(reader->Finish().ok());
  }
  s = Scrape();
  EXPECT_EQ(Sample(s, "assistd_sandbox_execute_duration_seconds_count"), 1);
  EXPECT_GT(Sample(s, "assistd_sandbox_execute_duration_seconds_sum"), 0);
  EXPECT_EQ(Sample(s, Requests("SandboxService", "Execute", "OK")), 1);
  EXPECT_EQ(Sample(s, Latency("_count", "SandboxService", "Execute")), 1);
  v1::CloseSessionRequest close;
  close.set_session_id(session.id());
  ASSERT_TRUE(sandbox->CloseSession(Ctx().get(), close, &session).ok());
  EXPECT_EQ(Sample(Scrape(), "assistd_sandbox_sessions"), 0);
}

TEST_F(MetricsTest, CountsRestRequestsByRouteTemplate) {
  auto get = [&](const std::string& path) {
    http::HttpRequest req;
    req.method = "GET";
    req.url = absl::StrCat("http://127.0.0.1:", server_->http_port(), path);
    req.headers = {{"OpenAI-Beta", "assistants=v2"}};
    absl::StatusOr<http::HttpResponse> resp = http_->Send(req);
    return resp.ok() ? resp->status : -1;
  };
  EXPECT_EQ(get("/v1/assistants"), 200);
  EXPECT_EQ(get("/v1/threads/thread_a"), 404);
  EXPECT_EQ(get("/v1/threads/thread_b"), 404);
  EXPECT_EQ(get("/v1/nowhere"), 404);
  const std::map<std::string, double> s = Scrape();
  EXPECT_EQ(Sample(s, R"(assistd_http_requests_total{code="200",route="/v1/assistants"})"), 1);
  // The route template, never the raw path (whose ids would make a series each).
  EXPECT_EQ(
      Sample(s, R"(assistd_http_requests_total{code="404",route="/v1/threads/{thread_id}"})"), 2);
  EXPECT_EQ(Sample(s, R"(assistd_http_requests_total{code="404",route="unmatched"})"), 1);
  EXPECT_EQ(
      Sample(s, R"(assistd_http_request_duration_seconds_count{route="/v1/threads/{thread_id}"})"),
      2);
}

TEST(MetricsFlagTest, AnAddressInUseStopsStartup) {
  TempDir dir;
  // A port that is taken: the first server's metrics port (set through the
  // environment this time).
  ASSERT_OK_AND_ASSIGN(auto first, Subprocess::Start({ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0",
                                                      "--data_dir=" + dir.File("a")},
                                                     {{"ASSISTD_METRICS_ADDR", "127.0.0.1:0"}}));
  ASSERT_GT(ListeningPort(*first, kWait), 0) << first->output();
  const int taken = MetricsPort(*first, kWait);
  ASSERT_GT(taken, 0) << first->output();
  ASSERT_OK_AND_ASSIGN(auto second,
                       Subprocess::Start({ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0",
                                          absl::StrCat("--metrics_addr=127.0.0.1:", taken),
                                          "--data_dir=" + dir.File("b")}));
  ASSERT_OK_AND_ASSIGN(int code, second->Wait(kWait));
  EXPECT_EQ(code, 1);
  EXPECT_THAT(second->output(), HasSubstr("cannot serve metrics on --metrics_addr=127.0.0.1:"));
}

}  // namespace
}  // namespace assistd
