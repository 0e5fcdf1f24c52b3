// REST -> assistd.v1.RunService (runs, tool outputs, steps), with SSE for
// `stream: true`.
#include "assistd/v1/runs.grpc.pb.h"
#include "services/gateway/routes.h"

namespace assistd::gateway {
namespace {

#define ASSISTD_GATEWAY_STREAM(Method)                                                 \
  [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* client,       \
     const auto& request) -> std::unique_ptr<grpc::ClientReaderInterface<v1::RunEvent>> { \
    return v1::RunService::NewStub(channel)->Method(client, request);                 \
  }

// A POST answered with the Run, or with the run's events as SSE when the body
// says `"stream": true`.
template <typename Request, typename Unary, typename Stream>
RouteHandler StreamableRoute(const RouteEnv* env, Unary unary, Stream stream) {
  return [env, unary, stream](const RequestContext& ctx, const HttpRequest& http,
                              HttpResponse* out) {
    absl::StatusOr<nlohmann::json> body = ParseBody(http.body, env->max_json_depth);
    if (!body.ok()) return ReplyError(body.status(), out);
    Request request;
    if (absl::Status status = RequestFromJson(*body, http, &request); !status.ok()) {
      return ReplyError(status, out);
    }
    if (StreamRequested(*body)) {
      return ReplyRunStream(
          *env, ctx,
          [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* client) {
            return stream(channel, client, request);
          },
          out);
    }
    v1::Run run;
    absl::Status status = CallUnary(
        *env, ctx,
        [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* client) {
          return unary(channel, client, request, &run);
        });
    if (!status.ok()) return ReplyError(status, out);
    ReplyJson(run, out);
  };
}

void AddStepRoutes(const RouteEnv* env, Router* router) {
  const std::string steps = "/v1/threads/{thread_id}/runs/{run_id}/steps";
  router->Add("GET", steps,
              UnaryRoute<v1::ListRunStepsRequest, v1::ListRunStepsResponse>(
                  env, ASSISTD_GATEWAY_RPC(RunService, ListRunSteps)));
  router->Add("GET", steps + "/{step_id}",
              UnaryRoute<v1::GetRunStepRequest, v1::RunStep>(
                  env, ASSISTD_GATEWAY_RPC(RunService, GetRunStep)));
}

}  // namespace

void AddRunRoutes(const RouteEnv* env, Router* router) {
  const std::string runs = "/v1/threads/{thread_id}/runs";
  const std::string run = runs + "/{run_id}";
  router->Add("POST", "/v1/threads/runs",
              StreamableRoute<v1::CreateThreadAndRunRequest>(
                  env, ASSISTD_GATEWAY_RPC(RunService, CreateThreadAndRun),
                  ASSISTD_GATEWAY_STREAM(CreateThreadAndRunStream)));
  router->Add("POST", runs,
              StreamableRoute<v1::CreateRunRequest>(env, ASSISTD_GATEWAY_RPC(RunService, CreateRun),
                                                    ASSISTD_GATEWAY_STREAM(CreateRunStream)));
  router->Add("GET", runs,
              UnaryRoute<v1::ListRunsRequest, v1::ListRunsResponse>(
                  env, ASSISTD_GATEWAY_RPC(RunService, ListRuns)));
  router->Add("GET", run,
              UnaryRoute<v1::GetRunRequest, v1::Run>(env, ASSISTD_GATEWAY_RPC(RunService, GetRun)));
  router->Add("POST", run,
              UnaryRoute<v1::UpdateRunRequest, v1::Run>(
                  env, ASSISTD_GATEWAY_RPC(RunService, UpdateRun)));
  router->Add("POST", run + "/cancel",
              UnaryRoute<v1::CancelRunRequest, v1::Run>(
                  env, ASSISTD_GATEWAY_RPC(RunService, CancelRun)));
  router->Add("POST", run + "/submit_tool_outputs",
              StreamableRoute<v1::SubmitToolOutputsRequest>(
                  env, ASSISTD_GATEWAY_RPC(RunService, SubmitToolOutputs),
                  ASSISTD_GATEWAY_STREAM(SubmitToolOutputsStream)));
  AddStepRoutes(env, router);
}

}  // namespace assistd::gateway
