#ifndef ASSISTD_SERVICES_COMMON_CHANNEL_REGISTRY_H_
#define ASSISTD_SERVICES_COMMON_CHANNEL_REGISTRY_H_

#include <grpcpp/channel.h>
#include <grpcpp/server.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/common/service_names.h"

namespace assistd {

// Hands each service the channel to reach another: an in-process channel
// to this server when the peer is hosted here, a network channel to
// --<name>_addr otherwise. Callers make stubs on it and never know which,
// so co-located and split deployments run one code path. Thread-safe.
class ChannelRegistry {
 public:
  // `local` are the services this process hosts; `remote` maps the others
  // to "host:port". InvalidArgument if a service is both.
  static absl::StatusOr<std::unique_ptr<ChannelRegistry>> Create(
      std::set<ServiceId> local, std::map<ServiceId, std::string> remote);

  // Called once the server has started; local channels need it. `server`
  // must outlive every channel handed out.
  void SetLocalServer(grpc::Server* server);

  // The channel to `id`. FailedPrecondition if it is local and the server
  // has not started; Unavailable if it is neither local nor configured.
  // Channels are created once and shared.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelFor(ServiceId id);

  bool IsLocal(ServiceId id) const { return local_.count(id) > 0; }

 private:
  ChannelRegistry(std::set<ServiceId> local,
                  std::map<ServiceId, std::string> remote)
      : local_(std::move(local)), remote_(std::move(remote)) {}

  const std::set<ServiceId> local_;
  const std::map<ServiceId, std::string> remote_;
  absl::Mutex mu_;
  grpc::Server* server_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Channels are shared by every stub made on them (gRPC's own model).
  std::shared_ptr<grpc::Channel> in_process_ ABSL_GUARDED_BY(mu_);
  std::map<ServiceId, std::shared_ptr<grpc::Channel>> network_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace assistd

#endif  // ASSISTD_SERVICES_COMMON_CHANNEL_REGISTRY_H_
