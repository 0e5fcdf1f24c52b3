// The HTTP server (cpp-httplib underneath) on a real loopback socket: many
// connections that hold a worker do not starve the next client, bodies are
// read only as the handler asks, and Stop() does not wait for idle
// kept-alive connections.
#include "services/gateway/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/http/http_client.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd::gateway {
namespace {

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return -1;
  return fd;
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = write(fd, data.data() + off, data.size() - off);
    ASSERT_GT(n, 0);
    off += static_cast<size_t>(n);
  }
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options) {
    options.addr = "127.0.0.1:0";
    ASSERT_OK_AND_ASSIGN(
        server_, HttpServer::Start(
                     options,
                     [this](HttpRequest& request, HttpResponse* response) {
                       response->content_type = "text/plain";
                       response->body = request.method + " " + request.path;
                       if (request.body_reader != nullptr) {
                         std::string body;
                         absl::Status read = request.body_reader->ReadAll(limit_, &body);
                         absl::StrAppend(&response->body, " ", body.size(), " ",
                                         read.ok() ? "read" : read.message());
                       }
                     },
                     [](int status, HttpResponse* response) {
                       response->body = absl::StrCat("library ", status);
                     }));
  }

  http::HttpResponse Get(const std::string& path) {
    http::HttpRequest req;
    req.method = "GET";
    req.url = absl::StrCat("http://127.0.0.1:", server_->port(), path);
    req.timeout = absl::Seconds(60);
    absl::StatusOr<http::HttpResponse> resp = http_->Send(req);
    EXPECT_TRUE(resp.ok()) << resp.status();
    return resp.ok() ? *resp : http::HttpResponse{};
  }

  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<http::HttpClient> http_ = http::NewCurlHttpClient();
  size_t limit_ = 1 << 20;
};

// 100 clients each hold a worker (their request head never ends, and the
// read timeout is an hour). A fixed pool smaller than that, as httplib's
// default, would leave the next client waiting for an hour.
TEST_F(HttpServerTest, ConnectionsHoldingWorkersDoNotStarveTheNext) {
  HttpServerOptions options;
  options.read_timeout = absl::Hours(1);
  Start(options);
  std::vector<int> held;
  for (int i = 0; i < 100; ++i) {
    const int fd = Connect(server_->port());
    ASSERT_GE(fd, 0);
    SendAll(fd, "GET /held HTTP/1.1\r\nHost: x\r\n");
    held.push_back(fd);
  }
  http::HttpResponse r = Get("/next");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /next");
  for (int fd : held) close(fd);
}

TEST_F(HttpServerTest, ThePostBodyIsReadByTheHandlerUpToItsLimit) {
  Start(HttpServerOptions());
  limit_ = 10;
  http::HttpRequest req;
  req.url = absl::StrCat("http://127.0.0.1:", server_->port(), "/p");
  req.body = "0123456789";
  ASSERT_OK_AND_ASSIGN(http::HttpResponse fits, http_->Send(req));
  EXPECT_EQ(fits.body, "POST /p 10 read");
  req.body = std::string(11, 'x');
  ASSERT_OK_AND_ASSIGN(http::HttpResponse over, http_->Send(req));
  EXPECT_EQ(over.body, "POST /p 0 Request body too large; the limit is 10 bytes.");
}

// What a handler leaves unread (past its cap) is dropped, never parsed as
// the next request of the connection.
TEST_F(HttpServerTest, AnUnreadRestIsNotTheNextRequest) {
  Start(HttpServerOptions());
  limit_ = 10;
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  SendAll(fd, absl::StrCat("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: ",
                           smuggled.size() + 20, "\r\n\r\n", std::string(20, 'x'), smuggled));
  std::string replies;
  char buffer[4096];
  // The first answer, then the next request on the same connection (httplib
  // does not pipeline: a request sent before the answer would be lost).
  while (replies.find("bytes.") == std::string::npos) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    ASSERT_GT(n, 0) << replies;
    replies.append(buffer, static_cast<size_t>(n));
  }
  SendAll(fd, "GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;) {
    replies.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  EXPECT_NE(replies.find("POST /p 0 Request body too large"), std::string::npos) << replies;
  EXPECT_EQ(replies.find("/smuggled"), std::string::npos) << replies;
  EXPECT_NE(replies.find("GET /next"), std::string::npos) << replies;
}

TEST_F(HttpServerTest, StopDoesNotWaitForIdleKeptAliveConnections) {
  HttpServerOptions options;
  options.keep_alive_timeout = absl::Hours(1);
  Start(options);
  EXPECT_EQ(Get("/warm").status, 200);  // the client keeps this connection
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  SendAll(fd, "GET /idle HTTP/1.1\r\nHost: x\r\n\r\n");
  char buffer[512];
  std::string answer;  // read it whole (it may come in pieces); then the connection idles
  while (answer.find("GET /idle") == std::string::npos) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    ASSERT_GT(n, 0) << answer;
    answer.append(buffer, static_cast<size_t>(n));
  }
  // With the keep-alive timeout of an hour, this returns only because the
  // server ends the idle connections itself.
  server_->Stop();
  EXPECT_EQ(read(fd, buffer, sizeof(buffer)), 0);  // closed by the server
  close(fd);
}

}  // namespace
}  // namespace assistd::gateway
