// health, services: is assistd up, and what does it serve.

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "cli/commands/commands.h"
#include "cli/output.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace assistd::cli {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using grpc::reflection::v1alpha::ServerReflectionRequest;
using grpc::reflection::v1alpha::ServerReflectionResponse;

absl::Status Health(const CommandEnv& env, const Args&, const std::vector<std::string>& operands) {
  auto stub = grpc::health::v1::Health::NewStub(env.client->channel());
  HealthCheckRequest req;
  req.set_service(operands.empty() ? "" : operands[0]);
  HealthCheckResponse resp;
  grpc::Status status = stub->Check(env.client->UnaryContext().get(), req, &resp);
  if (!status.ok()) return CallError(status, "health");
  const std::string state = HealthCheckResponse::ServingStatus_Name(resp.status());
  if (env.json) {
    PrintJson({{"service", req.service()}, {"status", state}});
  } else {
    std::printf("%s\n", state.c_str());
  }
  if (resp.status() != HealthCheckResponse::SERVING) {
    return absl::UnavailableError(absl::StrCat("health: ", state));
  }
  return absl::OkStatus();
}

absl::Status Services(const CommandEnv& env, const Args&, const std::vector<std::string>&) {
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(env.client->channel());
  std::unique_ptr<grpc::ClientContext> ctx = env.client->UnaryContext();
  auto stream = stub->ServerReflectionInfo(ctx.get());
  ServerReflectionRequest req;
  req.set_list_services("");
  ServerReflectionResponse resp;
  const bool answered = stream->Write(req) && stream->WritesDone() && stream->Read(&resp);
  grpc::Status status = stream->Finish();
  if (!status.ok()) return CallError(status, "services");
  if (!answered) return absl::UnavailableError("services: no answer from server reflection");
  nlohmann::json names = nlohmann::json::array();
  for (const auto& service : resp.list_services_response().service()) {
    names.push_back(service.name());
    if (!env.json) std::printf("%s\n", service.name().c_str());
  }
  if (env.json) PrintJson(names);
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> HealthCommands() {
  return {
      {"health", "[SERVICE]", "check health; exit 0 iff SERVING", {}, 0, 1, false, Health},
      {"services", "", "list the gRPC services", {}, 0, 0, false, Services},
  };
}

}  // namespace assistd::cli
