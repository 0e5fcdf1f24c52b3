// Issue 8's stream target: N (default 1,000) SSE run streams held open at
// once through the REST gateway of the real binary, without errors.
//
// Each stream is `POST /v1/threads/{id}/runs` with "stream": true on its own
// thread and connection. The scripted model holds every answer for --hold,
// so all N streams are open together: the bench checks that the model saw
// all N calls before the first stream ended. It reports errors, the time to
// the first SSE event (how quickly the gateway answers while N streams are
// open), and assistd's memory and threads with all N open.
//
//   build/bench/sse_streams --streams=1000 --hold=5s
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "tests/fakes/scripted_chat_server.h"
#include "tests/util/assistd_process.h"
#include "tests/util/temp_dir.h"

ABSL_FLAG(int, streams, 1000, "Run streams held open at once.");
ABSL_FLAG(absl::Duration, hold, absl::Seconds(5), "How long the model holds each answer.");

namespace assistd::bench {
namespace {

using json = nlohmann::json;

// One stream as the client saw it.
struct StreamResult {
  absl::Time start, first_event, end;
  bool ok = false;
  std::string error;
};

// "VmRSS" and "Threads" of a process, from /proc.
std::string ProcessSize(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line, out;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "VmRSS:") || absl::StartsWith(line, "Threads:")) {
      absl::StrAppend(&out, line, "  ");
    }
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

class Client {
 public:
  explicit Client(int port) : base_(absl::StrCat("http://127.0.0.1:", port)) {}

  absl::StatusOr<json> Post(const std::string& path, const json& body) {
    http::HttpRequest req = Request(path, body);
    ASSIGN_OR_RETURN(http::HttpResponse resp, http_->Send(req));
    if (resp.status != 200) return absl::InternalError(resp.body);
    return json::parse(resp.body);
  }

  // Streams a run on `thread` to its end.
  StreamResult Stream(const std::string& thread, const std::string& assistant) {
    StreamResult r;
    http::HttpRequest req =
        Request("/v1/threads/" + thread + "/runs", {{"assistant_id", assistant}, {"stream", true}});
    req.timeout = absl::Minutes(5);
    std::string body;
    req.on_body = [&](absl::string_view chunk) {
      if (body.empty()) r.first_event = absl::Now();
      body.append(chunk.data(), chunk.size());
      return true;
    };
    auto client = http::NewCurlHttpClient();
    r.start = absl::Now();
    absl::StatusOr<http::HttpResponse> resp = client->Send(req);
    r.end = absl::Now();
    if (!resp.ok()) {
      r.error = resp.status().ToString();
    } else if (resp->status != 200 || absl::StrContains(body, "event: error") ||
               !absl::StrContains(body, "event: thread.run.completed") ||
               !absl::StrContains(body, "data: [DONE]")) {
      r.error = absl::StrCat(resp->status, " ", body.substr(0, 300));
    } else {
      r.ok = true;
    }
    return r;
  }

 private:
  http::HttpRequest Request(const std::string& path, const json& body) {
    http::HttpRequest req;
    req.url = base_ + path;
    req.headers = {{"Content-Type", "application/json"}, {"OpenAI-Beta", "assistants=v2"}};
    req.body = body.dump();
    return req;
  }

  const std::string base_;
  std::unique_ptr<http::HttpClient> http_ = http::NewCurlHttpClient();
};

absl::Status Main() {
  const int n = absl::GetFlag(FLAGS_streams);
  const absl::Duration hold = absl::GetFlag(FLAGS_hold);
  ASSIGN_OR_RETURN(auto model, testing::ScriptedChatServer::Start(n + 64));
  testing::TempDir dir;
  testing::AssistdProcess::Options options;
  options.http = true;
  options.await_sandbox = true;
  ASSIGN_OR_RETURN(auto server, testing::AssistdProcess::Start(
                                    {ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0",
                                     "--http_addr=127.0.0.1:0", "--data_dir=" + dir.File("data"),
                                     "--model_endpoints=*=" + model->Url()},
                                    options));
  std::printf("assistd: %s (idle)\n", ProcessSize(server->pid()).c_str());

  // The model counts the calls in flight; when all N arrived, every stream
  // is open: note assistd's size then.
  std::atomic<int> arrived{0};
  absl::Mutex mu;
  absl::Time all_arrived = absl::InfiniteFuture();
  std::string size_at_peak;
  model->SetHandler([&](const testing::ChatRequestRecord&) {
    if (arrived.fetch_add(1) + 1 == n) {
      absl::MutexLock lock(&mu);
      all_arrived = absl::Now();
      size_at_peak = ProcessSize(server->pid());
    }
    return testing::ChatTurn::Text("Every stream gets this answer.", 4).WithInitialDelay(hold);
  });

  Client client(server->http_port());
  ASSIGN_OR_RETURN(json assistant, client.Post("/v1/assistants", {{"model", "scripted"}}));
  std::vector<std::string> threads;
  for (int i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(json thread,
                     client.Post("/v1/threads", {{"messages", {{{"role", "user"},
                                                                {"content", "Hello?"}}}}}));
    threads.push_back(thread["id"]);
  }

  std::vector<StreamResult> results(n);
  std::vector<std::thread> workers;
  const absl::Time start = absl::Now();
  for (int i = 0; i < n; ++i) {
    workers.emplace_back([&, i] { results[i] = client.Stream(threads[i], assistant["id"]); });
  }
  for (std::thread& t : workers) t.join();
  const absl::Duration total = absl::Now() - start;

  int ok = 0;
  absl::Time first_end = absl::InfiniteFuture();
  std::vector<double> to_first_ms;
  for (const StreamResult& r : results) {
    ok += r.ok;
    first_end = std::min(first_end, r.end);
    if (r.first_event != absl::Time()) {
      to_first_ms.push_back(absl::ToDoubleMilliseconds(r.first_event - r.start));
    }
  }
  for (const StreamResult& r : results) {
    if (!r.ok) {
      std::printf("first error: %s\n", r.error.c_str());
      break;
    }
  }
  absl::MutexLock lock(&mu);
  std::printf("streams: %d, completed without error: %d, model calls: %d\n", n, ok,
              arrived.load());
  std::printf("all %d open at once: %s\n", n,
              all_arrived < first_end ? "yes (the model had every call before any stream ended)"
                                      : "NO");
  std::printf("time to first SSE event: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              Percentile(to_first_ms, 0.5), Percentile(to_first_ms, 0.99),
              Percentile(to_first_ms, 1.0));
  std::printf("wall time %.2f s (hold %.1f s)\n", absl::ToDoubleSeconds(total),
              absl::ToDoubleSeconds(hold));
  std::printf("assistd with all streams open: %s\n", size_at_peak.c_str());
  return ok == n ? absl::OkStatus() : absl::InternalError("some streams failed");
}

}  // namespace
}  // namespace assistd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Status status = assistd::bench::Main();
  if (!status.ok()) {
    std::fprintf(stderr, "sse_streams: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
