#include "services/common/channel_registry.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"

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
      in_process_ = server_->InProcessChannel(grpc::ChannelArguments());
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
    channel = grpc::CreateChannel(it->second, grpc::InsecureChannelCredentials());
  }
  return channel;
}

}  // namespace assistd
