#ifndef ASSISTD_SERVICES_GATEWAY_HTTP_SERVER_H_
#define ASSISTD_SERVICES_GATEWAY_HTTP_SERVER_H_

// An HTTP/1.1 server (cpp-httplib underneath): a fixed worker pool, keep-alive,
// read/write timeouts and a request body cap. Every request, including the
// ones the library itself rejects (oversized body or headers), goes through
// the handler or the error hook, so every response can carry the gateway's
// headers.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/http_message.h"

namespace assistd::gateway {

struct HttpServerOptions {
  // "host:port"; port 0 picks a free port (see port()).
  std::string addr = "127.0.0.1:8080";
  // Most worker threads. Each open connection holds one (a kept-alive one
  // between requests too, a streaming response for the whole stream); more
  // clients wait for a thread. Threads are made on demand and exit after
  // idling past the keep-alive timeout.
  int threads = 4096;
  // Idle and slow-client limits: a request must arrive within read_timeout,
  // each write must progress within write_timeout.
  absl::Duration read_timeout = absl::Seconds(30);
  absl::Duration write_timeout = absl::Seconds(30);
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  int keep_alive_max_count = 1000;
  // Larger request bodies get 413 (the handler reads POST bodies through
  // HttpRequest::body_reader and applies its own cap). Headers are capped
  // at 8 KiB by the library (request line and each header line).
  size_t max_body_bytes = 32 << 20;
  // Streamed uploads with a larger Content-Length get 413 before they are
  // read.
  size_t max_upload_bytes = size_t{513} << 20;
};

using HttpHandler = std::function<void(HttpRequest& request, HttpResponse* response)>;
// Decorates a response the library made itself (413, 400 for bad syntax, ...).
using HttpErrorHook = std::function<void(int status, HttpResponse* response)>;

// Thread-safe; the handler runs on the worker threads concurrently.
class HttpServer final {
 public:
  // Binds and starts serving. InvalidArgument for a malformed address;
  // Unavailable if it cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           HttpHandler handler,
                                                           HttpErrorHook on_error);
  ~HttpServer();  // Stop()s.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Stops accepting, waits for the workers (streams must have been ended by
  // then, e.g. by cancelling their source). Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_HTTP_SERVER_H_
