// The only file that includes cpp-httplib.

#include "tests/fakes/scripted_http_server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <deque>
#include <set>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace assistd::testing {

std::string ReceivedRequest::Header(absl::string_view name) const {
  const auto it = headers.find(absl::AsciiStrToLower(name));
  return it == headers.end() ? "" : it->second;
}

ScriptedResponse ScriptedResponse::Json(absl::string_view json, int status) {
  ScriptedResponse response;
  response.status = status;
  response.body = std::string(json);
  return response;
}

ScriptedResponse ScriptedResponse::WithStatus(
    int status, std::map<std::string, std::string> headers,
    absl::string_view body) {
  ScriptedResponse response;
  response.status = status;
  response.headers = std::move(headers);
  response.body = std::string(body);
  return response;
}

ScriptedResponse ScriptedResponse::Chunked(std::vector<std::string> chunks,
                                           absl::Duration gap,
                                           absl::string_view content_type) {
  ScriptedResponse response;
  response.content_type = std::string(content_type);
  response.stream = [chunks = std::move(chunks), gap](ChunkWriter& writer) {
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (i > 0 && !writer.Sleep(gap)) return false;
      if (!writer.Write(chunks[i])) return false;
    }
    return true;
  };
  return response;
}

ScriptedResponse ScriptedResponse::DropMidBody() {
  ScriptedResponse response = Json(
      R"({"data":[{"index":0,"embedding":[0.1,0.2,0.3]}],"truncated":"here"})");
  response.drop_after = response.body.size() / 2;
  return response;
}

namespace {

using RouteKey = std::pair<std::string, std::string>;  // method, path

struct Route {
  std::deque<ScriptedResponse> queue;
  ScriptedHandler handler;
};

ReceivedRequest FromHttplib(const httplib::Request& req) {
  ReceivedRequest r;
  r.method = req.method;
  r.path = req.path;
  r.target = req.target;
  r.body = req.body;
  r.remote_port = req.remote_port;
  for (const auto& [name, value] : req.headers) {
    r.headers[absl::AsciiStrToLower(name)] = value;
  }
  return r;
}

ScriptedResponse NotFound(const ReceivedRequest& request) {
  return ScriptedResponse::Json(
      absl::StrCat(R"({"error":{"message":"no scripted response for )",
                   request.method, " ", request.path, R"("}})"),
      404);
}

// Tells waiting responses that the server is stopping. Thread-safe.
class StopSignal {
 public:
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  bool Stopping() const {
    absl::MutexLock lock(&mu_);
    return stopping_;
  }
  // Waits `duration`, or until Stop(); false if stopping.
  bool Sleep(absl::Duration duration) const {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), duration);
    return !stopping_;
  }

 private:
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

// Writes straight to httplib's chunked encoder.
class SinkWriter final : public ChunkWriter {
 public:
  SinkWriter(const StopSignal* stop, httplib::DataSink* sink)
      : stop_(stop), sink_(sink) {}
  bool Write(absl::string_view data) override {
    if (stop_->Stopping() || !sink_->is_writable()) return false;
    return sink_->write(data.data(), data.size());
  }
  bool Sleep(absl::Duration duration) override {
    return stop_->Sleep(duration);
  }

 private:
  const StopSignal* const stop_;  // outlives every response
  httplib::DataSink* const sink_;
};

}  // namespace

// Routes and records are guarded by mu.
struct ScriptedHttpServer::Impl {
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
  int port = 0;
  StopSignal stop;

  mutable absl::Mutex mu;
  std::map<RouteKey, Route> routes ABSL_GUARDED_BY(mu);
  std::vector<ReceivedRequest> requests ABSL_GUARDED_BY(mu);

  // Records the request and picks its answer.
  ScriptedResponse Next(const ReceivedRequest& request);
  void Serve(const httplib::Request& req, httplib::Response& res);
};

ScriptedResponse ScriptedHttpServer::Impl::Next(
    const ReceivedRequest& request) {
  ScriptedHandler handler;
  {
    absl::MutexLock lock(&mu);
    requests.push_back(request);
    const auto it = routes.find({request.method, request.path});
    if (it == routes.end()) return NotFound(request);
    if (!it->second.queue.empty()) {
      ScriptedResponse response = std::move(it->second.queue.front());
      it->second.queue.pop_front();
      return response;
    }
    handler = it->second.handler;
  }
  // Handlers may block (on a test's gate): never under the lock.
  return handler ? handler(request) : NotFound(request);
}

void ScriptedHttpServer::Impl::Serve(const httplib::Request& req,
                                     httplib::Response& res) {
  ScriptedResponse scripted = Next(FromHttplib(req));
  if (scripted.delay > absl::ZeroDuration() && !stop.Sleep(scripted.delay)) {
    res.status = 503;
    return;
  }
  res.status = scripted.status;
  for (const auto& [name, value] : scripted.headers)
    res.set_header(name, value);
  if (scripted.stream) {
    res.set_chunked_content_provider(
        scripted.content_type, [this, stream = std::move(scripted.stream)](
                                   size_t, httplib::DataSink& sink) {
          SinkWriter writer(&stop, &sink);
          if (!stream(writer)) return false;  // httplib closes the connection
          sink.done();
          return true;
        });
  } else if (scripted.drop_after.has_value()) {
    const size_t size = scripted.body.size();
    const size_t keep = std::min(*scripted.drop_after, size);
    res.set_content_provider(
        size, scripted.content_type,
        [body = std::move(scripted.body), keep](size_t offset, size_t,
                                                httplib::DataSink& sink) {
          if (offset == 0 && keep > 0) sink.write(body.data(), keep);
          return false;  // httplib closes the connection mid-body
        });
  } else {
    res.set_content(scripted.body, scripted.content_type);
  }
}

ScriptedHttpServer::ScriptedHttpServer(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<ScriptedHttpServer>>
ScriptedHttpServer::Start(int worker_threads) {
  std::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>();
  Impl* raw = impl.get();
  const size_t threads = static_cast<size_t>(std::max(worker_threads, 1));
  impl->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Catch-all routes (not the pre-routing hook, which runs before httplib
  // has read the request body).
  const httplib::Server::Handler serve = [raw](const httplib::Request& req,
                                               httplib::Response& res) {
    raw->Serve(req, res);
  };
  impl->server.Get(".*", serve).Post(".*", serve).Put(".*", serve);
  impl->server.Patch(".*", serve).Delete(".*", serve).Options(".*", serve);
  impl->server.set_keep_alive_max_count(1000);
  // httplib writes headers and body separately; without TCP_NODELAY (which
  // accepted sockets inherit from the listening one) each kept-alive
  // response stalls 40 ms on Nagle + delayed ACK.
  impl->server.set_tcp_nodelay(true);
  impl->port = impl->server.bind_to_any_port("127.0.0.1");
  if (impl->port <= 0) return absl::InternalError("cannot bind 127.0.0.1");
  impl->thread = std::thread([raw] {
    raw->server.listen_after_bind();
    raw->listen_returned = true;
  });
  // The socket already listens, but stop() is a no-op until the accept loop
  // runs, so wait for it (httplib 0.11 has no wait_until_ready()).
  while (!impl->server.is_running() && !impl->listen_returned)
    std::this_thread::yield();
  if (!impl->server.is_running()) {
    impl->thread.join();
    return absl::InternalError("the HTTP server stopped at once");
  }
  return std::unique_ptr<ScriptedHttpServer>(
      new ScriptedHttpServer(std::move(impl)));
}

ScriptedHttpServer::~ScriptedHttpServer() {
  impl_->stop.Stop();
  impl_->server.stop();
  impl_->thread.join();
}

int ScriptedHttpServer::port() const { return impl_->port; }

std::string ScriptedHttpServer::Url(absl::string_view path) const {
  return absl::StrCat("http://127.0.0.1:", impl_->port, path);
}

void ScriptedHttpServer::Handle(absl::string_view method,
                                absl::string_view path,
                                ScriptedHandler handler) {
  absl::MutexLock lock(&impl_->mu);
  impl_->routes[{std::string(method), std::string(path)}].handler =
      std::move(handler);
}

void ScriptedHttpServer::Enqueue(absl::string_view method,
                                 absl::string_view path,
                                 ScriptedResponse response) {
  absl::MutexLock lock(&impl_->mu);
  impl_->routes[{std::string(method), std::string(path)}].queue.push_back(
      std::move(response));
}

std::vector<ReceivedRequest> ScriptedHttpServer::Requests() const {
  absl::MutexLock lock(&impl_->mu);
  return impl_->requests;
}

int ScriptedHttpServer::CountRequests(absl::string_view path) const {
  absl::MutexLock lock(&impl_->mu);
  return static_cast<int>(std::count_if(
      impl_->requests.begin(), impl_->requests.end(),
      [path](const ReceivedRequest& r) { return r.path == path; }));
}

int ScriptedHttpServer::ConnectionCount() const {
  absl::MutexLock lock(&impl_->mu);
  std::set<int> ports;
  for (const ReceivedRequest& r : impl_->requests) ports.insert(r.remote_port);
  return static_cast<int>(ports.size());
}

}  // namespace assistd::testing
