// The only file that includes cpp-httplib.
#include "services/gateway/http_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <deque>
#include <filesystem>
#include <memory>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

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

// httplib's thread pool is fixed, and a kept-alive or streaming connection
// holds its thread: a fixed pool of 64 queues the 65th client. This one
// grows to `max_threads` (one per open connection) and lets threads idle
// for `idle` before they exit, so thread creation stays off the hot path.
class ElasticPool final : public httplib::TaskQueue {
 public:
  ElasticPool(size_t max_threads, absl::Duration idle)
      : state_(std::make_shared<State>(max_threads, idle)) {}

  void enqueue(std::function<void()> fn) override {
    absl::MutexLock lock(&state_->mu);
    state_->tasks.push_back(std::move(fn));
    if (state_->idle_threads < state_->tasks.size() && state_->threads < state_->max_threads) {
      ++state_->threads;
      try {
        // The thread shares the state: it may still be unlocking the mutex
        // after shutdown() returned and the pool is gone.
        std::thread([state = state_] { state->Work(); }).detach();
      } catch (const std::system_error&) {
        // Out of threads (e.g. a pids limit): the task waits for a running
        // one. With none, it runs here, on the accept loop.
        --state_->threads;
        if (state_->threads == 0) {
          std::function<void()> task = std::move(state_->tasks.back());
          state_->tasks.pop_back();
          state_->mu.Unlock();
          task();
          state_->mu.Lock();
        }
      }
    }
  }

  // Runs what is queued, then waits for every thread to finish.
  void shutdown() override {
    absl::MutexLock lock(&state_->mu);
    state_->shutdown = true;
    state_->mu.Await(absl::Condition(
        +[](size_t* threads) { return *threads == 0; }, &state_->threads));
  }

 private:
  struct State {
    State(size_t max_threads, absl::Duration idle) : max_threads(max_threads), idle(idle) {}
    void Work();
    bool HasWorkOrShutdown() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return !tasks.empty() || shutdown;
    }

    const size_t max_threads;
    const absl::Duration idle;
    absl::Mutex mu;
    std::deque<std::function<void()>> tasks ABSL_GUARDED_BY(mu);
    size_t threads ABSL_GUARDED_BY(mu) = 0;
    size_t idle_threads ABSL_GUARDED_BY(mu) = 0;
    bool shutdown ABSL_GUARDED_BY(mu) = false;
  };
  std::shared_ptr<State> state_;
};

void ElasticPool::State::Work() {
  absl::MutexLock lock(&mu);
  while (true) {
    ++idle_threads;
    const bool woke = mu.AwaitWithTimeout(absl::Condition(this, &State::HasWorkOrShutdown), idle);
    --idle_threads;
    if (!woke || tasks.empty()) break;  // idle too long, or shut down
    std::function<void()> task = std::move(tasks.front());
    tasks.pop_front();
    mu.Unlock();
    task();
    task = nullptr;
    mu.Lock();
  }
  --threads;
}

// The body of a request whose handler reads it as it arrives.
class StreamedBody final : public BodyReader {
 public:
  // Bytes past a handler's cap (or of a body no handler read) that are read
  // and dropped so the connection can serve its next request; beyond that
  // the connection is closed instead (closing with unread input makes the
  // kernel reset it, which can lose the response in flight).
  static constexpr uint64_t kDrainLimit = uint64_t{64} << 20;

  // `content_length` is the request's Content-Length header ("" if none).
  StreamedBody(const httplib::ContentReader& reader, const std::string& content_length)
      : reader_(reader) {
    uint64_t length = 0;
    if (absl::SimpleAtoi(content_length, &length)) declared_ = length;
  }

  absl::Status ReadAll(size_t max_bytes, std::string* out) override {
    if (absl::Status status = Start(); !status.ok()) return status;
    // Too large to drain: refused before reading.
    if (declared_ > max_bytes + kDrainLimit) return TooLarge(max_bytes);
    bool too_large = false;
    uint64_t dropped = 0;
    const bool ok = reader_([&](const char* data, size_t size) {
      if (too_large || out->size() + size > max_bytes) {
        too_large = true;
        dropped += size;
        return dropped <= kDrainLimit;
      }
      out->append(data, size);
      return true;
    });
    complete_ = ok;
    if (too_large) return TooLarge(max_bytes);
    return Finish(ok);
  }

  absl::Status ReadStream(const std::function<bool(absl::string_view)>& on_data) override {
    if (absl::Status status = Start(); !status.ok()) return status;
    bool stopped = false;
    uint64_t dropped = 0;
    const bool ok = reader_([&](const char* data, size_t size) {
      if (stopped) {  // the rest is dropped, so the connection stays usable
        dropped += size;
        return dropped <= kDrainLimit;
      }
      stopped = !on_data(absl::string_view(data, size));
      return true;
    });
    complete_ = ok;
    if (stopped) return absl::CancelledError("stopped reading the body");
    return Finish(ok);
  }

  // For a body nobody read (the request was refused before): reads and
  // drops it if it is small enough. True when the whole body has been read.
  bool DrainUnread() {
    if (read_) return complete_;
    read_ = true;
    if (declared_ > kDrainLimit) return false;
    uint64_t dropped = 0;
    complete_ = reader_([&](const char*, size_t size) {
      dropped += size;
      return dropped <= kDrainLimit;
    });
    return complete_;
  }

 private:
  static absl::Status TooLarge(size_t max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("Request body too large; the limit is ", max_bytes, " bytes."));
  }

  absl::Status Start() {
    if (read_) return absl::FailedPreconditionError("The request body was already read.");
    read_ = true;
    return absl::OkStatus();
  }
  absl::Status Finish(bool ok) {
    complete_ = ok;
    if (ok) return absl::OkStatus();
    return absl::DataLossError("The request body could not be read.");
  }

  const httplib::ContentReader& reader_;
  uint64_t declared_ = 0;
  bool read_ = false;
  bool complete_ = false;
};
// Not httplib's default socket options, which set SO_REUSEPORT on Linux: a
// second assistd would then bind the same address and take half the clients.
void ReuseAddress(socket_t sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

int PortOf(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return -1;
}

// httplib's content reader parses a multipart body itself when the request
// says multipart/form-data (and refuses one that ends at the close
// delimiter without a CRLF, as Node 18's fetch sends it). The gateway
// parses forms itself (multipart.h), so the reader must pass the raw bytes:
// the header is renamed first. `req` is the server's own non-const Request,
// which httplib hands out as const.
void HideMultipart(const httplib::Request& req) {
  auto& headers = const_cast<httplib::Request&>(req).headers;
  while (req.is_multipart_form_data()) {  // every Content-Type header, if repeated
    auto it = headers.find("Content-Type");
    std::string value = std::move(it->second);
    headers.erase(it);
    headers.emplace("X-Original-Content-Type", std::move(value));
  }
}

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
        if (!stream(writer)) return false;  // httplib drops the connection
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

// Calls `fn(fd, peer_port)` for each TCP socket of this process connected on
// local port `port` (httplib keeps no list of its connections).
void ForEachConnection(int port, const std::function<void(int fd, int peer_port)>& fn) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &fd)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;  // not a connected socket
    }
    if (PortOf(local) == port) fn(fd, PortOf(peer));
  }
}

// Ends the reading side of this server's client connections. httplib 0.11
// keeps a kept-alive connection waiting for its next request until the
// keep-alive timeout, even after stop(); every SDK client holds one, so a
// stop would wait seconds. Requests being answered still get their
// response: only reads end.
void EndReading(int port) {
  ForEachConnection(port, [](int fd, int) { ::shutdown(fd, SHUT_RD); });
}

// Makes httplib close the connection of the client at `peer_port` once
// the current response is written: its next read sees end-of-file. (A
// "Connection: close" response header does not close it in httplib 0.11.)
void CloseAfterResponse(int port, int peer_port) {
  ForEachConnection(port, [peer_port](int fd, int peer) {
    if (peer == peer_port) ::shutdown(fd, SHUT_RD);
  });
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
  const absl::Duration idle = options.keep_alive_timeout + absl::Seconds(1);
  impl->server.new_task_queue = [threads, idle] { return new ElasticPool(threads, idle); };
  // Catch-all routes (not the pre-routing hook, which runs before httplib
  // has read the request body); the gateway's router does the matching.
  // POSTs with a body get a content reader, so the handler decides how much
  // of the body to read, and how (a file upload is never held in memory).
  const httplib::Server::Handler serve = [handler](const httplib::Request& req,
                                                   httplib::Response& res) {
    HttpRequest request = FromHttplib(req);
    HttpResponse response;
    handler(request, &response);
    ToHttplib(std::move(response), res);
  };
  const httplib::Server::HandlerWithContentReader serve_streamed =
      [handler, raw](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) {
        HttpRequest request = FromHttplib(req);
        HideMultipart(req);
        StreamedBody body(reader, req.get_header_value("Content-Length"));
        request.body_reader = &body;
        HttpResponse response;
        handler(request, &response);
        // An unread rest would be parsed as the next request: drop it, or
        // close the connection when it is too large or cut mid-way.
        if (!body.DrainUnread()) CloseAfterResponse(raw->port, req.remote_port);
        ToHttplib(std::move(response), res);
      };
  // Every method with a body gets a content reader, so no body is read
  // before the gateway has routed and authenticated the request, and none
  // past the handler's cap.
  impl->server.Post(".*", serve_streamed).Put(".*", serve_streamed);
  impl->server.Patch(".*", serve_streamed).Delete(".*", serve_streamed);
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
  // Bodies the handler reads itself are capped by it (BodyReader::ReadAll);
  // this cap is for uploads and for bodies the library reads (non-POST).
  impl->server.set_payload_max_length(std::max(options.max_body_bytes, options.max_upload_bytes));
  // Without TCP_NODELAY each kept-alive response stalls on Nagle + delayed ACK.
  impl->server.set_tcp_nodelay(true);
  // httplib listens with a backlog of 5: a burst of clients (a thousand
  // streams opening at once) overflows it, and each dropped SYN costs the
  // client a 1 s, then 3 s, then 7 s retransmit. Note the socket, so the
  // backlog can be raised after the bind.
  std::atomic<int> listen_fd{-1};
  impl->server.set_socket_options([&listen_fd](socket_t sock) {
    ReuseAddress(sock);
    listen_fd = sock;
  });
  const auto& [host, port] = *address;
  impl->port = port == 0 ? impl->server.bind_to_any_port(host)
                         : (impl->server.bind_to_port(host, port) ? port : -1);
  if (impl->port <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot bind HTTP address ", options.addr));
  }
  if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);  // Linux: re-listen sets the backlog
  impl->server.set_socket_options(ReuseAddress);
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
  EndReading(impl_->port);
  impl_->thread.join();
}

}  // namespace assistd::gateway
