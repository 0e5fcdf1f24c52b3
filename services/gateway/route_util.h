#ifndef ASSISTD_SERVICES_GATEWAY_ROUTE_UTIL_H_
#define ASSISTD_SERVICES_GATEWAY_ROUTE_UTIL_H_

// What every REST route shares: JSON in (body, query, path ids) -> request
// proto -> one gRPC call -> JSON out, and run streams as SSE. Internal to
// services/gateway.

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "assistd/v1/runs.pb.h"
#include "google/protobuf/message.h"
#include "nlohmann/json.hpp"
#include "services/common/channel_registry.h"
#include "services/common/grpc_status.h"
#include "services/common/service_names.h"
#include "services/gateway/router.h"

namespace assistd::gateway {

// The gRPC contexts of open streams, so that Stop() can end them (a stream
// holds an HTTP worker until its gRPC stream ends). Thread-safe.
class StreamTracker final {
 public:
  // False once CancelAll() ran: the caller must not start the stream.
  bool Add(grpc::ClientContext* ctx);
  void Remove(grpc::ClientContext* ctx);
  void CancelAll();
  // Waits until every stream is removed, at most `timeout`. After
  // CancelAll(), this lets streams send their last event before the HTTP
  // server stops (which cuts responses still being written).
  void AwaitEmpty(absl::Duration timeout);
  // True once CancelAll() ran (the server is stopping).
  bool stopped();

 private:
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::set<grpc::ClientContext*> open_ ABSL_GUARDED_BY(mu_);
};

// Shared by the routes; outlives them.
struct RouteEnv {
  ChannelRegistry* channels = nullptr;
  StreamTracker* streams = nullptr;
  // Deeper request JSON is refused before it is parsed.
  int max_json_depth = 64;
  // Time limit of one unary gRPC call.
  absl::Duration call_timeout = absl::Seconds(60);
  // Largest upload spooled to disk while a form's `purpose` is awaited (the
  // file store applies its own limit to what it receives).
  size_t max_spool_bytes = size_t{513} << 20;
};

// The request body as JSON (null when empty). InvalidArgument in OpenAI's
// wording for malformed JSON or nesting deeper than `max_depth`.
absl::StatusOr<nlohmann::json> ParseBody(const std::string& body, int max_depth);

// Query parameters as a JSON object of strings; `key[]` collects an array.
nlohmann::json QueryJson(const HttpRequest& request);

// Fills `message`: `body` (the parsed POST body, or null) and the query
// parameters through FromJson, then each path parameter into the string
// field of the same name.
absl::Status RequestFromJson(const nlohmann::json& body, const HttpRequest& request,
                             google::protobuf::Message* message);
// The same, parsing the body of a POST first.
absl::Status RequestFromHttp(const RouteEnv& env, const HttpRequest& request,
                             google::protobuf::Message* message);

// True when a body asks for `"stream": true`.
bool StreamRequested(const nlohmann::json& body);

// 200 with ToJson(message), plus openai-poll-after-ms on pollable objects.
void ReplyJson(const google::protobuf::Message& message, HttpResponse* response);
// The OpenAI error body for `status`.
void ReplyError(const absl::Status& status, HttpResponse* response);

// The ClientContext of a call for `ctx`: project and, unless zero, deadline.
void PrepareClient(const RequestContext& ctx, absl::Duration timeout,
                   grpc::ClientContext* client);

// Makes the ClientContext (project, deadline), calls `service` and converts
// the status.
absl::Status CallUnary(
    const RouteEnv& env, const RequestContext& ctx,
    const std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&, grpc::ClientContext*)>&
        call,
    ServiceId service = ServiceId::kOrchestrator);

// The route: request -> call `service` -> 200 JSON or an error body.
template <typename Request, typename Response, typename Call>
RouteHandler UnaryRoute(const RouteEnv* env, Call call,
                        ServiceId service = ServiceId::kOrchestrator) {
  return [env, call, service](const RequestContext& ctx, const HttpRequest& http,
                              HttpResponse* out) {
    Request request;
    Response response;
    absl::Status status = RequestFromHttp(*env, http, &request);
    if (status.ok()) {
      status = CallUnary(*env, ctx, [&](const std::shared_ptr<grpc::Channel>& channel,
                                        grpc::ClientContext* client) {
        return call(channel, client, request, &response);
      }, service);
    }
    if (!status.ok()) return ReplyError(status, out);
    ReplyJson(response, out);
  };
}

// A gRPC server stream that the HTTP worker forwards after the handler has
// returned. Shared, because the response body callback must be copyable;
// the last owner cancels the call if it did not finish.
template <typename Event>
struct ServerStream {
  ~ServerStream() {
    if (reader != nullptr && !finished) {
      client.TryCancel();
      reader->Finish();
    }
    if (tracker != nullptr) tracker->Remove(&client);
  }
  grpc::ClientContext client;  // declared before reader: outlives it
  std::unique_ptr<grpc::ClientReaderInterface<Event>> reader;
  StreamTracker* tracker = nullptr;
  // The first event, if has_first.
  Event first;
  bool has_first = false;
  bool finished = false;
};

template <typename Event>
using OpenStream = std::function<std::unique_ptr<grpc::ClientReaderInterface<Event>>(
    const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* client)>;

// Opens a stream of `service` with `open` (no deadline; tracked, so Stop()
// ends it) and reads the first event. An error before the first event is
// returned as the status; a stream that ends cleanly without events has
// !has_first.
template <typename Event>
absl::StatusOr<std::shared_ptr<ServerStream<Event>>> OpenServerStream(
    const RouteEnv& env, const RequestContext& ctx, ServiceId service,
    const OpenStream<Event>& open) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = env.channels->ChannelFor(service);
  if (!channel.ok()) return channel.status();
  auto state = std::make_shared<ServerStream<Event>>();
  PrepareClient(ctx, absl::ZeroDuration(), &state->client);
  if (!env.streams->Add(&state->client)) {
    return absl::UnavailableError("The server is shutting down.");
  }
  state->tracker = env.streams;
  state->reader = open(*channel, &state->client);
  state->has_first = state->reader->Read(&state->first);
  if (!state->has_first) {
    state->finished = true;
    absl::Status status = FromGrpcStatus(state->reader->Finish());
    if (!status.ok()) return status;
  }
  return state;
}

// Opens a run stream with `open` and answers with SSE. An error before the
// first event is an ordinary JSON error response; later ones are an
// in-stream error event. A client that goes away cancels the gRPC stream.
using OpenRunStream = OpenStream<v1::RunEvent>;
void ReplyRunStream(const RouteEnv& env, const RequestContext& ctx, const OpenRunStream& open,
                    HttpResponse* out);

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_ROUTE_UTIL_H_
