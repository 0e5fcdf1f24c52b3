#include "services/gateway/gateway.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/metrics/metrics.h"
#include "services/gateway/http_status.h"
#include "services/gateway/route_util.h"
#include "services/gateway/router.h"
#include "services/gateway/routes.h"
#include "services/gateway/sse.h"

namespace assistd::gateway {
namespace {

void ReplyHttpError(const HttpError& error, HttpResponse* response) {
  response->status = error.status;
  response->content_type = "application/json";
  response->body = DumpJson(error.body);
}

// The message for a response the HTTP library refused by itself.
std::string LibraryErrorMessage(int status, const HttpServerOptions& http) {
  switch (status) {
    case 413:
      return absl::StrCat("Request body too large; the limit is ",
                          std::max(http.max_body_bytes, http.max_upload_bytes), " bytes.");
    case 414:
    case 431:
      return "Request header fields too large.";
    case 404:
      return "Invalid URL.";
    default:
      return absl::StrCat("Malformed HTTP request (", status, ").");
  }
}

}  // namespace

struct Gateway::Impl {
  GatewayOptions options;
  StreamTracker streams;
  RouteEnv env;
  Router router;  // filled before the server starts, then read-only
  std::unique_ptr<HttpServer> server;

  // Serves one request and records its metrics.
  void Handle(HttpRequest& request, HttpResponse* response) const;
  void Serve(const Router::Match& match, HttpRequest& request, HttpResponse* response) const;
};

void Gateway::Impl::Handle(HttpRequest& request, HttpResponse* response) const {
  const absl::Time start = absl::Now();
  const Router::Match match = router.Find(&request);
  Serve(match, request, response);
  // A stream counts until its headers: its length is the run's, not ours.
  metrics::HttpRequestFinished(match.handler != nullptr ? match.pattern : "unmatched",
                               response->status, absl::Now() - start);
}

void Gateway::Impl::Serve(const Router::Match& match, HttpRequest& request,
                          HttpResponse* response) const {
  RequestContext ctx;
  ctx.request_id = NewRequestId();
  response->SetHeader("x-request-id", ctx.request_id);
  if (match.handler == nullptr) {
    // OpenAI's wording for an unknown path or method.
    return ReplyHttpError(
        HttpErrorFor(match.path_known ? 405 : 404,
                     absl::StrCat("Invalid URL (", request.method, " ", request.path, ")")),
        response);
  }
  absl::StatusOr<std::string> project =
      options.project_resolver(request.Header("authorization"));
  if (!project.ok()) return ReplyError(project.status(), response);
  ctx.project = *std::move(project);
  if (match.options.assistants_beta) {
    if (absl::Status beta = CheckAssistantsBeta(request); !beta.ok()) {
      return ReplyError(beta, response);
    }
  }
  // Read only now, so an unauthenticated or misrouted client cannot make
  // the server read its body.
  if (request.body_reader != nullptr && !match.options.stream_body) {
    absl::Status read = request.body_reader->ReadAll(options.http.max_body_bytes, &request.body);
    if (!read.ok()) return ReplyError(read, response);
  }
  (*match.handler)(ctx, request, response);
}

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(GatewayOptions options,
                                                        ChannelRegistry* channels) {
  auto impl = std::make_unique<Impl>();
  if (!options.project_resolver) options.project_resolver = NoAuthProjectResolver();
  impl->options = std::move(options);
  impl->env.channels = channels;
  impl->env.streams = &impl->streams;
  impl->env.max_json_depth = impl->options.max_json_depth;
  impl->env.call_timeout = impl->options.call_timeout;
  impl->env.max_spool_bytes = impl->options.http.max_upload_bytes;
  AddAssistantRoutes(&impl->env, &impl->router);
  AddThreadRoutes(&impl->env, &impl->router);
  AddRunRoutes(&impl->env, &impl->router);
  AddFileRoutes(&impl->env, &impl->router);
  AddVectorStoreRoutes(&impl->env, &impl->router);
  const Impl* raw = impl.get();
  const HttpServerOptions http = impl->options.http;
  absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(
      http, [raw](HttpRequest& request, HttpResponse* response) { raw->Handle(request, response); },
      [http](int status, HttpResponse* response) {
        response->SetHeader("x-request-id", NewRequestId());
        ReplyHttpError(HttpErrorFor(status, LibraryErrorMessage(status, http)), response);
      });
  if (!server.ok()) return server.status();
  impl->server = *std::move(server);
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

Gateway::~Gateway() { Stop(); }

int Gateway::port() const { return impl_->server->port(); }

void Gateway::Stop() {
  impl_->streams.CancelAll();
  impl_->streams.AwaitEmpty(absl::Seconds(2));
  impl_->server->Stop();
}

}  // namespace assistd::gateway
