// assistctl: the command-line client for assistd over gRPC.
//
//   assistctl [--addr=127.0.0.1:50051] health [SERVICE]   exit 0 iff SERVING
//   assistctl [--addr=...] services                       list gRPC services

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

ABSL_FLAG(std::string, addr, "127.0.0.1:50051", "assistd gRPC address.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "Deadline per call.");

namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using grpc::reflection::v1alpha::ServerReflectionRequest;
using grpc::reflection::v1alpha::ServerReflectionResponse;

void SetDeadline(grpc::ClientContext* ctx) {
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_timeout)));
}

int Health(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  HealthCheckRequest req;
  req.set_service(service);
  HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "assistctl: health: %s\n", s.error_message().c_str());
    return 1;
  }
  std::printf("%s\n", HealthCheckResponse::ServingStatus_Name(resp.status()).c_str());
  return resp.status() == HealthCheckResponse::SERVING ? 0 : 1;
}

int Services(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  auto stream = stub->ServerReflectionInfo(&ctx);
  ServerReflectionRequest req;
  req.set_list_services("");
  ServerReflectionResponse resp;
  if (!stream->Write(req) || !stream->WritesDone() || !stream->Read(&resp)) {
    grpc::Status s = stream->Finish();
    std::fprintf(stderr, "assistctl: services: %s\n", s.error_message().c_str());
    return 1;
  }
  for (const auto& service : resp.list_services_response().service()) {
    std::printf("%s\n", service.name().c_str());
  }
  return stream->Finish().ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "assistctl [--addr=HOST:PORT] health [SERVICE] | services");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::fprintf(stderr, "usage: %s\n", absl::ProgramUsageMessage().data());
    return 2;
  }
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_addr),
                                     grpc::InsecureChannelCredentials());
  const std::string command = args[1];
  if (command == "health") return Health(channel, args.size() > 2 ? args[2] : "");
  if (command == "services") return Services(channel);
  std::fprintf(stderr, "assistctl: unknown command '%s'\nusage: %s\n",
               command.c_str(), absl::ProgramUsageMessage().data());
  return 2;
}
