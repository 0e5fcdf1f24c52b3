#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/scripted_http_server.h"
#include "tests/util/status_matchers.h"

namespace assistd::http {
namespace {

using ::assistd::testing::ChunkWriter;
using ::assistd::testing::IsOk;
using ::assistd::testing::ReceivedRequest;
using ::assistd::testing::ScriptedHttpServer;
using ::assistd::testing::ScriptedResponse;
using ::assistd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// Long enough never to end on its own in a test; cut short by the server's
// destructor.
constexpr absl::Duration kForever = absl::Minutes(10);

class CurlHttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, ScriptedHttpServer::Start());
    client_ = NewCurlHttpClient();
  }
  // The client goes first so its kept-alive connections release the
  // server's worker threads.
  void TearDown() override {
    client_.reset();
    server_.reset();
  }

  HttpRequest Get(absl::string_view path) {
    HttpRequest request;
    request.method = "GET";
    request.url = server_->Url(path);
    return request;
  }

  std::unique_ptr<ScriptedHttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(CurlHttpClientTest, GetsCannedJson) {
  server_->Enqueue("GET", "/v1/models",
                   ScriptedResponse::Json(R"({"data":[]})"));
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(Get("/v1/models")));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"data":[]})");
  EXPECT_EQ(response.headers["content-type"], "application/json");
}

TEST_F(CurlHttpClientTest, PostsBodyAndHeadersBothWays) {
  server_->Handle("POST", "/echo", [](const ReceivedRequest& r) {
    ScriptedResponse response = ScriptedResponse::Json(r.body, 201);
    response.headers["X-Reply-Header"] = "Reply Value";
    return response;
  });
  HttpRequest request;
  request.url = server_->Url("/echo");
  request.headers = {{"Content-Type", "application/json"}, {"X-Custom", "abc"}};
  request.body = std::string(5000, 'x');  // large enough for curl's Expect
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, request.body);
  EXPECT_EQ(response.headers["x-reply-header"], "Reply Value");

  const std::vector<ReceivedRequest> seen = server_->Requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].Header("X-Custom"), "abc");
  EXPECT_EQ(seen[0].Header("content-type"), "application/json");
  EXPECT_EQ(seen[0].Header("expect"), "");
}

TEST_F(CurlHttpClientTest, NoContentTypeUnlessGiven) {
  server_->Enqueue("PUT", "/x", ScriptedResponse::Json("{}"));
  HttpRequest request;
  request.method = "PUT";
  request.url = server_->Url("/x");
  request.body = "raw";
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.status, 200);
  const std::vector<ReceivedRequest> seen = server_->Requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].body, "raw");
  EXPECT_EQ(seen[0].Header("content-type"), "");
}

TEST_F(CurlHttpClientTest, ErrorStatusIsAResponse) {
  server_->Enqueue(
      "GET", "/busy",
      ScriptedResponse::WithStatus(429, {{"Retry-After", "7"}}, "slow down"));
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(Get("/busy")));
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.headers["retry-after"], "7");
  EXPECT_EQ(response.body, "slow down");
}

TEST_F(CurlHttpClientTest, StreamsChunksAsTheyArrive) {
  absl::Notification first_seen;
  std::atomic<bool> second_sent{false};
  ScriptedResponse streamed;
  streamed.content_type = "text/event-stream";
  streamed.stream = [&](ChunkWriter& writer) {
    if (!writer.Write("data: one\n\n")) return false;
    // Hold the second chunk until the client has the first: if the client
    // buffered, this would wait out the timeout and the test would fail.
    first_seen.WaitForNotificationWithTimeout(absl::Seconds(30));
    second_sent = true;
    return writer.Write("data: two\n\n");
  };
  server_->Enqueue("GET", "/stream", streamed);

  std::vector<std::string> chunks;
  std::vector<bool> second_sent_when_seen;
  HttpRequest request = Get("/stream");
  request.on_body = [&](absl::string_view chunk) {
    chunks.emplace_back(chunk);
    second_sent_when_seen.push_back(second_sent);
    if (!first_seen.HasBeenNotified()) first_seen.Notify();
    return true;
  };
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "");  // delivered to on_body instead
  EXPECT_THAT(chunks, ElementsAre("data: one\n\n", "data: two\n\n"));
  EXPECT_THAT(second_sent_when_seen, ElementsAre(false, true));
}

TEST_F(CurlHttpClientTest, SlowResponseTimesOut) {
  server_->Enqueue(
      "GET", "/slow",
      ScriptedResponse::Chunked({"data: a\n\n", "data: b\n\n"}, kForever));
  HttpRequest request = Get("/slow");
  request.timeout = absl::Milliseconds(300);
  EXPECT_THAT(client_->Send(request),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST_F(CurlHttpClientTest, NoHeadersBeforeTimeout) {
  ScriptedResponse late = ScriptedResponse::Json("{}");
  late.delay = kForever;
  server_->Enqueue("GET", "/late", late);
  HttpRequest request = Get("/late");
  request.timeout = absl::Milliseconds(300);
  EXPECT_THAT(client_->Send(request),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST_F(CurlHttpClientTest, NonPositiveTimeoutFailsAtOnce) {
  HttpRequest request = Get("/never");
  request.timeout = absl::ZeroDuration();
  EXPECT_THAT(client_->Send(request),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(server_->Requests().size(), 0u);
}

TEST_F(CurlHttpClientTest, ConnectionRefusedIsUnavailable) {
  int closed_port = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto gone, ScriptedHttpServer::Start());
    closed_port = gone->port();
  }
  HttpRequest request;
  request.method = "GET";
  request.url = absl::StrCat("http://127.0.0.1:", closed_port, "/");
  EXPECT_THAT(client_->Send(request), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(CurlHttpClientTest, DroppedConnectionIsUnavailable) {
  server_->Enqueue("GET", "/drop", ScriptedResponse::DropMidBody());
  EXPECT_THAT(client_->Send(Get("/drop")),
              StatusIs(absl::StatusCode::kUnavailable));
  // The client recovers on a fresh connection.
  server_->Enqueue("GET", "/after", ScriptedResponse::Json("{}"));
  EXPECT_THAT(client_->Send(Get("/after")), IsOk());
}

TEST_F(CurlHttpClientTest, TruncatedStreamIsUnavailable) {
  ScriptedResponse cut;
  cut.stream = [](ChunkWriter& writer) {
    writer.Write("data: partial\n\n");
    return false;  // no final chunk
  };
  server_->Enqueue("GET", "/cut", cut);
  std::string received;
  HttpRequest request = Get("/cut");
  request.on_body = [&](absl::string_view chunk) {
    received.append(chunk.data(), chunk.size());
    return true;
  };
  EXPECT_THAT(client_->Send(request), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(received, "data: partial\n\n");
}

TEST_F(CurlHttpClientTest, CancelFlagStopsAnIdleStream) {
  server_->Enqueue(
      "GET", "/stream",
      ScriptedResponse::Chunked({"data: a\n\n", "data: b\n\n"}, kForever));
  std::atomic<bool> cancelled{false};
  absl::Notification first_chunk;
  HttpRequest request = Get("/stream");
  request.cancelled = &cancelled;
  request.on_body = [&](absl::string_view) {
    if (!first_chunk.HasBeenNotified()) first_chunk.Notify();
    return true;
  };
  absl::StatusOr<HttpResponse> result;
  std::thread caller([&] { result = client_->Send(request); });
  first_chunk.WaitForNotification();
  cancelled = true;  // from another thread, while no bytes are flowing
  caller.join();
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kCancelled));
}

TEST_F(CurlHttpClientTest, OnBodyReturningFalseCancels) {
  server_->Enqueue(
      "GET", "/stream",
      ScriptedResponse::Chunked({"data: a\n\n", "data: b\n\n"}, kForever));
  HttpRequest request = Get("/stream");
  request.on_body = [](absl::string_view) { return false; };
  EXPECT_THAT(client_->Send(request), StatusIs(absl::StatusCode::kCancelled));
}

TEST_F(CurlHttpClientTest, AlreadyCancelledSendsNothing) {
  std::atomic<bool> cancelled{true};
  HttpRequest request = Get("/x");
  request.cancelled = &cancelled;
  EXPECT_THAT(client_->Send(request), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(server_->Requests().size(), 0u);
}

TEST_F(CurlHttpClientTest, ReusesTheConnection) {
  server_->Handle("GET", "/ping", [](const ReceivedRequest&) {
    return ScriptedResponse::Json("{}");
  });
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(Get("/ping")));
    EXPECT_EQ(response.status, 200);
  }
  EXPECT_EQ(server_->CountRequests("/ping"), 5);
  EXPECT_EQ(server_->ConnectionCount(), 1);
}

TEST_F(CurlHttpClientTest, ConcurrentCallsFromManyThreads) {
  server_->Handle("POST", "/echo", [](const ReceivedRequest& r) {
    return ScriptedResponse::Json(r.body);
  });
  constexpr int kThreads = 6;
  constexpr int kCalls = 20;
  std::vector<int> ok(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        HttpRequest request;
        request.url = server_->Url("/echo");
        request.body = absl::StrCat("thread ", t, " call ", i);
        absl::StatusOr<HttpResponse> response = client_->Send(request);
        if (response.ok() && response->body == request.body) ++ok[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(ok, ::testing::Each(kCalls));
  EXPECT_EQ(server_->CountRequests("/echo"), kThreads * kCalls);
  EXPECT_LE(server_->ConnectionCount(), kThreads);
}

TEST_F(CurlHttpClientTest, UnscriptedPathIs404) {
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(Get("/nothing")));
  EXPECT_EQ(response.status, 404);
  EXPECT_THAT(response.body, HasSubstr("GET /nothing"));
}

TEST_F(CurlHttpClientTest, RejectsBadRequests) {
  HttpRequest request = Get("/x");
  request.url = "file:///etc/passwd";
  EXPECT_THAT(client_->Send(request),
              StatusIs(absl::StatusCode::kInvalidArgument));
  request.url = "http://exa mple.com/";
  EXPECT_THAT(client_->Send(request),
              StatusIs(absl::StatusCode::kInvalidArgument));
  request = Get("/x");
  request.method = "get me";
  EXPECT_THAT(client_->Send(request),
              StatusIs(absl::StatusCode::kInvalidArgument));
  request = Get("/x");
  request.headers["X-Evil"] = "a\r\nX-Injected: 1";
  EXPECT_THAT(client_->Send(request),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(server_->Requests().size(), 0u);
}

TEST_F(CurlHttpClientTest, StatusOnlyResponse) {
  server_->Enqueue("GET", "/h",
                   ScriptedResponse::WithStatus(204, {{"X-A", "1"}}));
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(Get("/h")));
  EXPECT_EQ(response.status, 204);
  EXPECT_THAT(response.headers, ::testing::Contains(Pair("x-a", "1")));
}

}  // namespace
}  // namespace assistd::http
