#ifndef ASSISTD_TESTS_INTEGRATION_GATEWAY_FIXTURE_H_
#define ASSISTD_TESTS_INTEGRATION_GATEWAY_FIXTURE_H_

// The REST gateway tests' fixture: the real assistd binary with
// --http_addr, and a small HTTP client for it. Needs ASSISTD_BINARY.

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/util/assistd_process.h"
#include "tests/util/status_matchers.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace gateway_testing {

using ::assistd::testing::AssistdProcess;
using ::assistd::testing::Subprocess;
using ::assistd::testing::TempDir;
using json = nlohmann::json;

constexpr absl::Duration kWait = absl::Seconds(60);

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  json json_body;
};

// One SSE record.
struct Event {
  std::string event;
  std::string data;
};

inline std::vector<Event> ParseSse(const std::string& text) {
  std::vector<Event> events;
  for (absl::string_view record : absl::StrSplit(text, "\n\n", absl::SkipEmpty())) {
    Event event;
    for (absl::string_view line : absl::StrSplit(record, '\n')) {
      if (absl::ConsumePrefix(&line, "event: ")) event.event = std::string(line);
      if (absl::ConsumePrefix(&line, "data: ")) event.data = std::string(line);
    }
    events.push_back(std::move(event));
  }
  return events;
}

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override { StartAssistd({}); }

  void StartAssistd(const std::vector<std::string>& extra_flags) {
    std::vector<std::string> argv = {ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0",
                                     "--http_addr=127.0.0.1:0",
                                     "--data_dir=" + dir_.File("data")};
    argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
    AssistdProcess::Options options;
    options.timeout = kWait;
    options.http = true;
    ASSERT_OK_AND_ASSIGN(server_, AssistdProcess::Start(argv, options));
  }

  // `body` is sent as is when it is a string, else as JSON (null: no body).
  Reply Call(const std::string& method, const std::string& path, const json& body = nullptr,
             bool beta = true) {
    return Send(method, path, body, beta, "application/json");
  }

  // A multipart/form-data POST of `fields` (name -> value) in order; a field
  // named "file" is sent as a file called `filename`.
  Reply Upload(const std::vector<std::pair<std::string, std::string>>& fields,
               const std::string& filename = "data.txt") {
    const std::string boundary = "assistd-test-boundary-7d1f";
    std::string body;
    for (const auto& [name, value] : fields) {
      absl::StrAppend(&body, "--", boundary, "\r\nContent-Disposition: form-data; name=\"", name,
                      "\"");
      if (name == "file") {
        absl::StrAppend(&body, "; filename=\"", filename,
                        "\"\r\nContent-Type: application/octet-stream");
      }
      absl::StrAppend(&body, "\r\n\r\n", value, "\r\n");
    }
    absl::StrAppend(&body, "--", boundary, "--\r\n");
    return Send("POST", "/v1/files", body, /*beta=*/false,
                "multipart/form-data; boundary=" + boundary);
  }

  Reply Send(const std::string& method, const std::string& path, const json& body, bool beta,
             const std::string& content_type) {
    http::HttpRequest req;
    req.method = method;
    req.url = absl::StrCat("http://127.0.0.1:", server_->http_port(), path);
    req.timeout = kWait;
    if (beta) req.headers["OpenAI-Beta"] = "assistants=v2";
    if (!key_.empty()) req.headers["Authorization"] = "Bearer " + key_;
    if (!body.is_null()) {
      req.headers["Content-Type"] = content_type;
      req.body = body.is_string() ? body.get<std::string>() : body.dump();
    }
    absl::StatusOr<http::HttpResponse> resp = http_->Send(req);
    EXPECT_TRUE(resp.ok()) << resp.status();
    Reply reply;
    if (!resp.ok()) return reply;
    reply.status = resp->status;
    reply.headers = resp->headers;
    reply.body = resp->body;
    reply.json_body = json::parse(resp->body, nullptr, false);
    return reply;
  }

  std::string CreateAssistant(const std::string& name) {
    Reply r = Call("POST", "/v1/assistants", {{"model", "assistd-extractive"}, {"name", name}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json_body.value("id", "");
  }

  // A thread holding one user question.
  std::string CreateThread() {
    Reply r = Call("POST", "/v1/threads",
                   {{"messages", {{{"role", "user"}, {"content", "What can you do?"}}}}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json_body.value("id", "");
  }

  // GETs `path` until its "status" is not one of `pending` (a client's
  // poll loop), for at most kWait. The last reply.
  Reply PollWhile(const std::string& path, const std::vector<std::string>& pending) {
    const absl::Time deadline = absl::Now() + kWait;
    Reply reply = Call("GET", path);
    while (reply.status == 200 && absl::Now() < deadline &&
           std::find(pending.begin(), pending.end(), reply.json_body.value("status", "")) !=
               pending.end()) {
      absl::SleepFor(absl::Milliseconds(20));  // the poll interval
      reply = Call("GET", path);
    }
    return reply;
  }

  TempDir dir_;
  std::unique_ptr<AssistdProcess> server_;
  std::unique_ptr<http::HttpClient> http_ = http::NewCurlHttpClient();
  // Sent as "Authorization: Bearer <key_>" when set.
  std::string key_;
};

// Adds `keys create` to the fixture.
// --auth=keys: the REST gateway takes the project from the bearer key.
class GatewayKeysTest : public GatewayTest {
 protected:
  void SetUp() override {
    key_a_ = CreateKey("a");
    key_b_ = CreateKey("b");
    ASSERT_FALSE(key_a_.empty());
    ASSERT_FALSE(key_b_.empty());
    StartAssistd({"--auth=keys"});
  }

  // `assistd keys create`: the key it prints, or "".
  std::string CreateKey(const std::string& project) {
    absl::StatusOr<std::unique_ptr<Subprocess>> proc =
        Subprocess::Start({ASSISTD_BINARY, "keys", "create", "--project", project,
                           "--data_dir", dir_.File("data")});
    if (!proc.ok()) return "";
    if (absl::StatusOr<int> code = (*proc)->Wait(kWait); !code.ok() || *code != 0) return "";
    for (absl::string_view line : absl::StrSplit((*proc)->output(), '\n')) {
      if (absl::StartsWith(line, "sk-assistd-")) return std::string(line);
    }
    return "";
  }

  std::string key_a_, key_b_;
};

}  // namespace gateway_testing
}  // namespace assistd

#endif  // ASSISTD_TESTS_INTEGRATION_GATEWAY_FIXTURE_H_
