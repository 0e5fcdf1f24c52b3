#include "cli/client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/grpc_status.h"
#include "services/common/project.h"

namespace assistd::cli {

absl::Status CallError(const grpc::Status& status, absl::string_view what) {
  const absl::Status converted = FromGrpcStatus(status);
  return absl::Status(converted.code(), absl::StrCat(what, ": ", converted.message()));
}

Client::Client(ClientOptions options)
    : options_(std::move(options)),
      channel_(grpc::CreateChannel(options_.addr, grpc::InsecureChannelCredentials())),
      files_(v1::FileService::NewStub(channel_)),
      stores_(v1::VectorStoreService::NewStub(channel_)),
      assistants_(v1::AssistantService::NewStub(channel_)),
      threads_(v1::ThreadService::NewStub(channel_)),
      runs_(v1::RunService::NewStub(channel_)) {}

std::unique_ptr<grpc::ClientContext> Client::UnaryContext() const {
  std::unique_ptr<grpc::ClientContext> ctx = StreamContext();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  return ctx;
}

std::unique_ptr<grpc::ClientContext> Client::StreamContext() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  SetProject(ctx.get(), options_.project);
  if (!options_.api_key.empty()) ctx->AddMetadata("authorization", "Bearer " + options_.api_key);
  return ctx;
}

}  // namespace assistd::cli
