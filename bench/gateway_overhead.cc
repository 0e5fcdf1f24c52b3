// Issue 8's overhead target: a small GET through the REST gateway against
// the same read as a direct gRPC call, on one assistd (loopback, keep-alive
// on both sides). The two calls alternate, so machine noise hits both alike;
// the figure is the difference of the medians.
//
//   build/bench/gateway_overhead --calls=5000
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "assistd/v1/assistants.grpc.pb.h"
#include "common/http/http_client.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "tests/util/assistd_process.h"
#include "tests/util/temp_dir.h"

ABSL_FLAG(int, calls, 5000, "Calls of each kind.");

namespace assistd::bench {
namespace {

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

absl::Status Main() {
  testing::TempDir dir;
  testing::AssistdProcess::Options options;
  options.http = true;
  options.await_sandbox = true;
  ASSIGN_OR_RETURN(auto server, testing::AssistdProcess::Start(
                                    {ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0",
                                     "--http_addr=127.0.0.1:0", "--data_dir=" + dir.File("data")},
                                    options));
  auto stub = v1::AssistantService::NewStub(
      grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));
  v1::CreateAssistantRequest create;
  create.set_model("assistd-extractive");
  create.set_name("bench");
  v1::Assistant assistant;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub->CreateAssistant(&ctx, create, &assistant);
    if (!s.ok()) return absl::InternalError(s.error_message());
  }
  auto http = http::NewCurlHttpClient();
  http::HttpRequest get;
  get.method = "GET";
  get.url = absl::StrCat("http://127.0.0.1:", server->http_port(), "/v1/assistants/",
                         assistant.id());
  get.headers = {{"OpenAI-Beta", "assistants=v2"}};

  std::vector<double> grpc_ms, http_ms;
  const int calls = absl::GetFlag(FLAGS_calls);
  for (int i = 0; i < calls + 100; ++i) {  // the first 100 of each warm up
    absl::Time t0 = absl::Now();
    grpc::ClientContext ctx;
    v1::GetAssistantRequest req;
    req.set_assistant_id(assistant.id());
    v1::Assistant got;
    if (!stub->GetAssistant(&ctx, req, &got).ok()) return absl::InternalError("gRPC get failed");
    absl::Time t1 = absl::Now();
    ASSIGN_OR_RETURN(http::HttpResponse resp, http->Send(get));
    absl::Time t2 = absl::Now();
    if (resp.status != 200) return absl::InternalError(resp.body);
    if (i < 100) continue;
    grpc_ms.push_back(absl::ToDoubleMilliseconds(t1 - t0));
    http_ms.push_back(absl::ToDoubleMilliseconds(t2 - t1));
  }
  std::printf("%-28s %9s %9s\n", "GET assistant, ms", "p50", "p99");
  std::printf("%-28s %9.3f %9.3f\n", "direct gRPC", Percentile(grpc_ms, 0.5),
              Percentile(grpc_ms, 0.99));
  std::printf("%-28s %9.3f %9.3f\n", "REST gateway (HTTP+JSON)", Percentile(http_ms, 0.5),
              Percentile(http_ms, 0.99));
  const double overhead = Percentile(http_ms, 0.5) - Percentile(grpc_ms, 0.5);
  std::printf("gateway overhead, p50: %.3f ms (target <= 1 ms: %s)\n", overhead,
              overhead <= 1.0 ? "met" : "NOT met");
  return absl::OkStatus();
}

}  // namespace
}  // namespace assistd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Status status = assistd::bench::Main();
  if (!status.ok()) {
    std::fprintf(stderr, "gateway_overhead: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
