#ifndef ASSISTD_SERVICES_GATEWAY_GATEWAY_H_
#define ASSISTD_SERVICES_GATEWAY_GATEWAY_H_

// The OpenAI-compatible REST gateway: HTTP/1.1 under /v1, each call
// translated into the gRPC call of the service that owns it (reached through
// the ChannelRegistry, so it works in-process and split alike) and back.
// Every response carries x-request-id; errors are OpenAI error bodies
// (http_status.h); `stream: true` runs answer with SSE (sse.h).
//
// Endpoints: every one of spec section 1 (docs/api.md): files (uploads
// streamed), assistants, threads, messages, runs (incl. streams and
// create-thread-and-run), run steps, vector stores with their files,
// batches and search.

#include <memory>

#include "absl/status/statusor.h"
#include "services/common/channel_registry.h"
#include "services/gateway/http_server.h"
#include "services/gateway/request_context.h"

namespace assistd::gateway {

struct GatewayOptions {
  // Listener, threads, timeouts, body cap.
  HttpServerOptions http;
  // Authorization header -> project; unset = NoAuthProjectResolver() (every
  // request acts for "default", as with --auth=none).
  ProjectResolver project_resolver;
  // Request JSON nested deeper is refused (400).
  int max_json_depth = 64;
  // Time limit of one unary gRPC call behind a request.
  absl::Duration call_timeout = absl::Seconds(60);
};

// Thread-safe.
class Gateway final {
 public:
  // Starts listening. `channels` must outlive the Gateway. InvalidArgument
  // for a malformed address; Unavailable if it cannot be bound.
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(GatewayOptions options,
                                                        ChannelRegistry* channels);
  ~Gateway();  // Stop()s.
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // The bound port (the chosen one when the address said port 0).
  int port() const;
  // Ends open streams, stops accepting and waits for in-flight requests.
  // Call before the gRPC server shuts down. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_GATEWAY_H_
