#include "services/common/channel_registry.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/auth_interceptor.h"

namespace assistd {

absl::StatusOr<std::unique_ptr<ChannelRegistry>> ChannelRegistry::Create(
    std::set<ServiceId> local, std::map<ServiceId, std::string> remote) {
  for (const auto& [id, addr] : remote) {
    if (local.count(id) > 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", ServiceIdName(id), "_addr=", addr, " is set but '",
          ServiceIdName(id), "' is also hosted here (--services)"));
    }
  }
  return std::unique_ptr<ChannelRegistry>(
      new ChannelRegistry(std::move(local), std::move(remote)));
}

void ChannelRegistry::SetLocalServer(grpc::Server* server) {
  absl::MutexLock lock(&mu_);
  server_ = server;
  in_process_.reset();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelRegistry::ChannelFor(
    ServiceId id) {
  absl::MutexLock lock(&mu_);
  if (IsLocal(id)) {
    if (server_ == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "service '", ServiceIdName(id), "' is local but the server has not started"));
    }
    if (in_process_ == nullptr) {
      // The internal token lets these calls keep their caller's project
      // when API keys are on (auth_interceptor.h).
      std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
      creators.push_back(NewInternalCallInterceptorFactory());
      in_process_ = server_->experimental().InProcessChannelWithInterceptors(
          grpc::ChannelArguments(), std::move(creators));
    }
    return in_process_;
  }
  auto it = remote_.find(id);
  if (it == remote_.end()) {
    return absl::UnavailableError(absl::StrCat(
        "service '", ServiceIdName(id), "' is not hosted by this process and --",
        ServiceIdName(id), "_addr is not set"));
  }
  std::shared_ptr<grpc::Channel>& channel = network_[id];
  if (channel == nullptr) {
    if (InternalTokenIsShared()) {
      // A split deployment: the peer trusts the shared internal token.
      std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
          creators;
      creators.push_back(NewInternalCallInterceptorFactory());
      channel = grpc::experimental::CreateCustomChannelWithInterceptors(
          it->second, grpc::InsecureChannelCredentials(), grpc::ChannelArguments(),
          std::move(creators));
    } else {
      channel = grpc::CreateChannel(it->second, grpc::InsecureChannelCredentials());
    }
  }
  return channel;
}

}  // namespace assistd
