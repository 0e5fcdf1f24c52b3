#ifndef ASSISTD_SERVICES_ASSISTD_SERVER_H_
#define ASSISTD_SERVICES_ASSISTD_SERVER_H_

#include <grpcpp/server.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/metrics/metrics.h"
#include "services/auth/auth_mode.h"
#include "services/auth/key_service.h"
#include "services/auth/key_store.h"
#include "services/common/auth_interceptor.h"
#include "services/common/channel_registry.h"
#include "services/common/hosted_service.h"
#include "services/files/files_module.h"
#include "services/orchestrator/orchestrator_module.h"
#include "services/sandbox/sandbox_module.h"
#include "services/common/service_names.h"

namespace assistd {

struct ServerOptions {
  // Holds one database per service, blobs and indexes. Created if missing;
  // one assistd process at a time (a lock file guards it).
  std::string data_dir = "./data";
  // gRPC listen address; port 0 picks a free port (see grpc_port()).
  std::string grpc_addr = "127.0.0.1:50051";
  // API keys (<data_dir>/keys.db) on external calls; see auth/auth_mode.h.
  // kNone on a non-loopback grpc_addr fails Start with InvalidArgument.
  auth::AuthMode auth = auth::AuthMode::kAuto;
  // When set ("host:port"), API keys are checked with the KeyService of the
  // assistd there (the process whose data dir holds the deployment's
  // keys.db) instead of this data dir's keys.db; implies kKeys.
  std::string keys_addr;
  // The services this process hosts.
  std::set<ServiceId> services = {AllServices().begin(), AllServices().end()};
  // Prometheus /metrics listen address ("host:port"; port 0 picks a free
  // port, see metrics_port()); empty serves no metrics.
  std::string metrics_addr;
  // Where the services not hosted here are ("host:port").
  std::map<ServiceId, std::string> remote_addrs;
  // Largest gRPC message accepted (uploads arrive in smaller chunks).
  int max_message_bytes = 16 << 20;
  // The files part; its data_dir is set from `data_dir`, and an empty
  // extraction.worker_path means the worker installed next to this binary.
  files::FilesModuleOptions files;
  // The orchestrator part; its data_dir is set from `data_dir`.
  orchestrator::OrchestratorModuleOptions orchestrator;
  // The sandbox part; an empty pool.state_dir means <data_dir>/sandbox, an
  // empty pool.zygote_path the zygote installed next to this binary.
  sandbox::SandboxModuleOptions sandbox;
};

// The assistd process: the hosted services on one gRPC server, with health
// checking (grpc.health.v1) and server reflection. Thread-safe.
class AssistdServer {
 public:
  // Prepares the data dir, wires the services and starts listening.
  // FailedPrecondition if the data dir is unusable or locked by another
  // process; InvalidArgument for contradictory options; Unavailable if the
  // address can't be bound.
  static absl::StatusOr<std::unique_ptr<AssistdServer>> Start(
      ServerOptions options);
  ~AssistdServer();
  AssistdServer(const AssistdServer&) = delete;
  AssistdServer& operator=(const AssistdServer&) = delete;

  // The bound gRPC port (the chosen one when the address said port 0).
  int grpc_port() const { return grpc_port_; }
  // The bound /metrics port; 0 when metrics_addr is empty.
  int metrics_port() const { return metrics_ != nullptr ? metrics_->port() : 0; }
  // The mode in force (kKeys or kNone, never kAuto).
  auth::AuthMode auth_mode() const { return auth_mode_; }
  // How this process checks API keys (with its own keys.db, or the one at
  // keys_addr); for the REST gateway. Set when auth_mode() is kKeys.
  const KeyResolver& key_resolver() const { return key_resolver_; }
  // Channels to every service, for in-process callers and tests.
  ChannelRegistry* channels() const { return channels_.get(); }

  // Reports NOT_SERVING on health, stops accepting calls, lets in-flight
  // calls finish for up to `grace`, then cancels the rest. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  AssistdServer() = default;
  absl::Status PrepareDataDir();
  absl::Status SetUpAuth();
  absl::Status SetUpRemoteKeys();
  absl::Status CreateModules();
  absl::Status BuildAndStart();
  absl::Status StartMetrics();

  ServerOptions options_;
  int lock_fd_ = -1;
  int grpc_port_ = 0;
  auth::AuthMode auth_mode_ = auth::AuthMode::kNone;
  std::unique_ptr<auth::KeyStore> key_store_;
  std::unique_ptr<auth::KeyServiceImpl> key_service_;
  std::unique_ptr<auth::RemoteKeyResolver> remote_keys_;
  KeyResolver key_resolver_;
  std::unique_ptr<ChannelRegistry> channels_;
  // Declared before server_: destroyed after it has stopped.
  std::vector<std::unique_ptr<HostedService>> modules_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<metrics::Exposer> metrics_;
  bool shut_down_ = false;
};

}  // namespace assistd

#endif  // ASSISTD_SERVICES_ASSISTD_SERVER_H_
