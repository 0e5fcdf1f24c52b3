// The only file that includes cpp-httplib.
#include "services/gateway/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace assistd::gateway {
namespace {

std::chrono::microseconds Micros(absl::Duration d) {
  return std::chrono::microseconds(absl::ToInt64Microseconds(d));
}

// Writes straight to httplib's chunked encoder.
class SinkWriter final : public BodyWriter {
 public:
  explicit SinkWriter(httplib::DataSink* sink) : sink_(sink) {}
  bool Write(absl::string_view data) override {
    if (!ok_) return false;
    if (data.empty()) return true;
    ok_ = sink_->is_writable() && sink_->write(data.data(), data.size());
    return ok_;
  }

 private:
  httplib::DataSink* const sink_;
  bool ok_ = true;
};

HttpRequest FromHttplib(const httplib::Request& req) {
  HttpRequest out;
  out.method = req.method;
  out.path = req.path;
  for (const auto& [name, value] : req.headers) {
    out.headers.emplace(absl::AsciiStrToLower(name), value);
  }
  for (const auto& [name, value] : req.params) out.query.emplace_back(name, value);
  out.body = req.body;
  return out;
}

void ToHttplib(HttpResponse response, httplib::Response& res) {
  res.status = response.status;
  for (const auto& [name, value] : response.headers) res.set_header(name, value);
  if (!response.stream) {
    res.set_content(std::move(response.body), response.content_type.c_str());
    return;
  }
  // Headers go out before the provider runs: the stream body is produced
  // in the worker thread, one write per event.
  res.set_chunked_content_provider(
      response.content_type,
      [stream = std::move(response.stream)](size_t, httplib::DataSink& sink) {
        SinkWriter writer(&sink);
        stream(writer);
        sink.done();
        return true;
      });
}

absl::StatusOr<std::pair<std::string, int>> SplitAddress(const std::string& addr) {
  const size_t colon = addr.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(addr.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_addr: expected host:port, got '", addr, "'"));
  }
  std::string host = addr.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host, port);
}

}  // namespace

struct HttpServer::Impl {
  httplib::Server server;
  int port = 0;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
  bool stopped = false;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              HttpHandler handler,
                                                              HttpErrorHook on_error) {
  absl::StatusOr<std::pair<std::string, int>> address = SplitAddress(options.addr);
  if (!address.ok()) return address.status();
  // A client hanging up mid-write must fail the write, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>();
  Impl* raw = impl.get();
  const size_t threads = static_cast<size_t>(std::max(options.threads, 1));
  impl->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Catch-all routes (not the pre-routing hook, which runs before httplib
  // has read the request body); the gateway's router does the matching.
  const httplib::Server::Handler serve = [handler](const httplib::Request& req,
                                                   httplib::Response& res) {
    HttpRequest request = FromHttplib(req);
    HttpResponse response;
    handler(request, &response);
    ToHttplib(std::move(response), res);
  };
  impl->server.Get(".*", serve).Post(".*", serve).Put(".*", serve);
  impl->server.Patch(".*", serve).Delete(".*", serve);
  // Called for every status >= 400; only responses the library made itself
  // have no body yet.
  impl->server.set_error_handler(httplib::Server::HandlerWithResponse(
      [on_error](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || res.is_chunked_content_provider_) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    HttpResponse response;
    response.status = res.status;
    on_error(res.status, &response);
    ToHttplib(std::move(response), res);
    return httplib::Server::HandlerResponse::Handled;
  }));
  impl->server.set_read_timeout(Micros(options.read_timeout));
  impl->server.set_write_timeout(Micros(options.write_timeout));
  impl->server.set_keep_alive_timeout(
      std::max<time_t>(1, absl::ToInt64Seconds(options.keep_alive_timeout)));
  impl->server.set_keep_alive_max_count(options.keep_alive_max_count);
  impl->server.set_payload_max_length(options.max_body_bytes);
  // Without TCP_NODELAY each kept-alive response stalls on Nagle + delayed ACK.
  impl->server.set_tcp_nodelay(true);
  const auto& [host, port] = *address;
  impl->port = port == 0 ? impl->server.bind_to_any_port(host)
                         : (impl->server.bind_to_port(host, port) ? port : -1);
  if (impl->port <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot bind HTTP address ", options.addr));
  }
  impl->thread = std::thread([raw] {
    raw->server.listen_after_bind();
    raw->listen_returned = true;
  });
  // stop() is a no-op until the accept loop runs (httplib 0.11 has no
  // wait_until_ready()).
  while (!impl->server.is_running() && !impl->listen_returned) std::this_thread::yield();
  if (!impl->server.is_running()) {
    impl->thread.join();
    return absl::InternalError("the HTTP server stopped at once");
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace assistd::gateway
