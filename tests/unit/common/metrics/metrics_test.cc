// The metrics registry (process-wide, so each test uses its own label
// values) and the /metrics endpoint over loopback HTTP.

#include "common/metrics/metrics.h"

#include <atomic>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/metrics_text.h"
#include "tests/util/status_matchers.h"

namespace assistd::metrics {
namespace {

using ::assistd::testing::ParseMetricsText;
using ::assistd::testing::Sample;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;

std::map<std::string, double> Now() { return ParseMetricsText(RenderText()); }

TEST(MetricsTest, GrpcRequestsCountByCodeAndObserveLatency) {
  GrpcRequestFinished("test.Grpc", "Get", "OK", absl::Milliseconds(3));
  GrpcRequestFinished("test.Grpc", "Get", "OK", absl::Milliseconds(40));
  GrpcRequestFinished("test.Grpc", "Get", "NOT_FOUND", absl::Seconds(2));
  const auto m = Now();
  EXPECT_EQ(Sample(m, R"(assistd_grpc_requests_total{code="OK",method="Get",service="test.Grpc"})"),
            2);
  EXPECT_EQ(
      Sample(m,
             R"(assistd_grpc_requests_total{code="NOT_FOUND",method="Get",service="test.Grpc"})"),
      1);
  const std::string h = "assistd_grpc_request_duration_seconds";
  EXPECT_EQ(Sample(m, h + R"(_count{method="Get",service="test.Grpc"})"), 3);
  EXPECT_NEAR(Sample(m, h + R"(_sum{method="Get",service="test.Grpc"})"), 2.043, 1e-9);
  EXPECT_EQ(Sample(m, h + R"(_bucket{method="Get",service="test.Grpc",le="0.005"})"), 1);
  EXPECT_EQ(Sample(m, h + R"(_bucket{method="Get",service="test.Grpc",le="0.05"})"), 2);
  EXPECT_EQ(Sample(m, h + R"(_bucket{method="Get",service="test.Grpc",le="+Inf"})"), 3);
}

TEST(MetricsTest, RunStatusesStartAtZero) {
  const double before = Sample(Now(), R"(assistd_runs_total{status="expired"})");
  EXPECT_GE(before, 0);
  RunFinished("expired");
  EXPECT_EQ(Sample(Now(), R"(assistd_runs_total{status="expired"})"), before + 1);
}

TEST(MetricsTest, ModelCallsAndTokens) {
  const auto before = Now();
  ModelCallFinished("test-model", absl::Milliseconds(700));
  ModelTokensUsed(120, 30);
  ModelTokensUsed(0, 0);
  const auto after = Now();
  EXPECT_EQ(Sample(after, R"(assistd_model_call_duration_seconds_count{model="test-model"})"), 1);
  EXPECT_EQ(Sample(after, R"(assistd_model_tokens_total{kind="prompt"})") -
                Sample(before, R"(assistd_model_tokens_total{kind="prompt"})"),
            120);
  EXPECT_EQ(Sample(after, R"(assistd_model_tokens_total{kind="completion"})") -
                Sample(before, R"(assistd_model_tokens_total{kind="completion"})"),
            30);
}

TEST(MetricsTest, ModelLabelsAreBounded) {
  for (int i = 0; i < 100; ++i) ModelCallFinished(absl::StrCat("m", i), absl::Milliseconds(1));
  const auto m = Now();
  int models = 0;
  for (const auto& [series, value] : m) {
    if (series.rfind("assistd_model_call_duration_seconds_count{", 0) == 0) ++models;
  }
  EXPECT_LE(models, 33);
  EXPECT_GE(Sample(m, R"(assistd_model_call_duration_seconds_count{model="other"})"), 68);
}

TEST(MetricsTest, HttpMetricsAppearOnFirstUse) {
  HttpRequestFinished("/v1/test/{id}", 404, absl::Milliseconds(5));
  const auto m = Now();
  EXPECT_EQ(Sample(m, R"(assistd_http_requests_total{code="404",route="/v1/test/{id}"})"), 1);
  EXPECT_EQ(Sample(m, R"(assistd_http_request_duration_seconds_count{route="/v1/test/{id}"})"), 1);
}

TEST(MetricsTest, GaugesAreReadAtScrapeTimeAndSummed) {
  std::atomic<int64_t> a{2}, b{3};
  auto ra = ProvideSandboxSessions([&] { return a.load(); });
  auto rb = ProvideSandboxSessions([&] { return b.load(); });
  EXPECT_EQ(Sample(Now(), "assistd_sandbox_sessions"), 5);
  a = 7;
  EXPECT_EQ(Sample(Now(), "assistd_sandbox_sessions"), 10);
  rb.reset();
  EXPECT_EQ(Sample(Now(), "assistd_sandbox_sessions"), 7);
  ra.reset();
  EXPECT_EQ(Sample(Now(), "assistd_sandbox_sessions"), -1);  // no source: absent
}

TEST(MetricsTest, VectorStoreFilesAndQueueDepth) {
  auto r = ProvideVectorStoreFiles([]() -> absl::StatusOr<std::map<std::string, int64_t>> {
    return std::map<std::string, int64_t>{{"in_progress", 4}, {"completed", 9}};
  });
  auto broken = ProvideVectorStoreFiles([]() -> absl::StatusOr<std::map<std::string, int64_t>> {
    return absl::UnavailableError("x");
  });
  const auto m = Now();
  EXPECT_EQ(Sample(m, "assistd_ingestion_queue_depth"), 4);
  EXPECT_EQ(Sample(m, R"(assistd_vector_store_files{status="in_progress"})"), 4);
  EXPECT_EQ(Sample(m, R"(assistd_vector_store_files{status="completed"})"), 9);
  EXPECT_EQ(Sample(m, R"(assistd_vector_store_files{status="failed"})"), 0);
  EXPECT_EQ(Sample(m, R"(assistd_vector_store_files{status="cancelled"})"), 0);
}

TEST(MetricsTest, ExposerServesMetricsOnAFreePort) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Exposer> exposer, Exposer::Start("127.0.0.1:0"));
  ASSERT_GT(exposer->port(), 0);
  SandboxExecuteFinished(absl::Milliseconds(250));
  std::unique_ptr<http::HttpClient> client = http::NewCurlHttpClient();
  http::HttpRequest req;
  req.method = "GET";
  req.url = absl::StrCat("http://127.0.0.1:", exposer->port(), "/metrics");
  ASSERT_OK_AND_ASSIGN(http::HttpResponse resp, client->Send(req));
  EXPECT_EQ(resp.status, 200);
  EXPECT_THAT(resp.headers["content-type"], HasSubstr("text/plain"));
  EXPECT_THAT(resp.body, HasSubstr("# TYPE assistd_sandbox_execute_duration_seconds histogram"));
  EXPECT_GE(Sample(ParseMetricsText(resp.body), "assistd_sandbox_execute_duration_seconds_count"),
            1);

  // The port is taken now.
  EXPECT_THAT(Exposer::Start(absl::StrCat("127.0.0.1:", exposer->port())).status(),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(Exposer::Start("not an address").status(), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace assistd::metrics
