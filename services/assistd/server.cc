#include "services/assistd/server.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>
#include <tuple>

#include <grpcpp/create_channel.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/strings/str_join.h"
#include "assistd/v1/assistants.grpc.pb.h"
#include "assistd/v1/files.grpc.pb.h"
#include "assistd/v1/runs.grpc.pb.h"
#include "assistd/v1/sandbox.grpc.pb.h"
#include "assistd/v1/threads.grpc.pb.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "services/common/auth_interceptor.h"
#include "services/common/metrics_interceptor.h"
#include "services/retrieval/retrieval_module.h"

namespace assistd {
namespace {

// A part that is not built yet: the generated base classes answer
// UNIMPLEMENTED to every RPC.
template <typename... Services>
class UnimplementedModule final : public HostedService {
 public:
  std::vector<grpc::Service*> grpc_services() override {
    return std::apply([](auto&... s) { return std::vector<grpc::Service*>{&s...}; },
                      services_);
  }

 private:
  std::tuple<Services...> services_;
};

absl::StatusOr<std::unique_ptr<HostedService>> MakeModule(
    ServiceId id, const ServerOptions& options, ChannelRegistry* channels) {
  switch (id) {
    case ServiceId::kFiles: {
      files::FilesModuleOptions files = options.files;
      files.data_dir = options.data_dir;
      if (files.extraction.worker_path.empty()) {
        files.extraction.worker_path = extract::DefaultWorkerPath();
      }
      return files::NewFilesModule(std::move(files), channels);
    }
    case ServiceId::kRetrieval: {
      retrieval::RetrievalModuleOptions retrieval;
      retrieval.data_dir = options.data_dir;
      return retrieval::NewRetrievalModule(std::move(retrieval), channels);
    }
    case ServiceId::kSandbox: {
      sandbox::SandboxModuleOptions sandbox = options.sandbox;
      if (sandbox.pool.state_dir.empty()) {
        sandbox.pool.state_dir = sandbox::DefaultStateDir(options.data_dir);
      }
      if (sandbox.pool.zygote_path.empty()) sandbox.pool.zygote_path = sandbox::DefaultZygotePath();
      return sandbox::NewSandboxModule(std::move(sandbox));
    }
    case ServiceId::kOrchestrator: {
      orchestrator::OrchestratorModuleOptions orchestrator = options.orchestrator;
      orchestrator.data_dir = options.data_dir;
      return orchestrator::NewOrchestratorModule(std::move(orchestrator), channels);
    }
  }
  return absl::InternalError("unknown service");
}

std::string HostedNames(const std::set<ServiceId>& services) {
  return absl::StrJoin(services, ",", [](std::string* out, ServiceId id) {
    absl::StrAppend(out, ServiceIdName(id));
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<AssistdServer>> AssistdServer::Start(
    ServerOptions options) {
  std::unique_ptr<AssistdServer> server(new AssistdServer());
  server->options_ = std::move(options);
  RETURN_IF_ERROR(server->PrepareDataDir());
  RETURN_IF_ERROR(server->SetUpAuth());
  ASSIGN_OR_RETURN(server->channels_,
                   ChannelRegistry::Create(server->options_.services,
                                           server->options_.remote_addrs));
  RETURN_IF_ERROR(server->CreateModules());
  RETURN_IF_ERROR(server->BuildAndStart());
  RETURN_IF_ERROR(server->StartMetrics());
  return server;
}

absl::Status AssistdServer::PrepareDataDir() {
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--data_dir=", options_.data_dir, ": cannot create: ", ec.message()));
  }
  const std::string lock_path = absl::StrCat(options_.data_dir, "/LOCK");
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--data_dir=", options_.data_dir, ": cannot open ", lock_path, ": ",
        std::strerror(errno)));
  }
  // Two processes writing one data dir would corrupt nothing in SQLite but
  // would race on blobs and indexes; refuse instead.
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--data_dir=", options_.data_dir,
        " is in use by another assistd process (", lock_path, " is locked)"));
  }
  return absl::OkStatus();
}

absl::Status AssistdServer::SetUpAuth() {
  RETURN_IF_ERROR(CheckInternalToken());
  auth::KeyStoreOptions key_options;
  key_options.path = absl::StrCat(options_.data_dir, "/keys.db");
  ASSIGN_OR_RETURN(key_store_, auth::KeyStore::Open(std::move(key_options)));
  key_service_ = std::make_unique<auth::KeyServiceImpl>(key_store_.get());
  if (!options_.keys_addr.empty()) return SetUpRemoteKeys();
  ASSIGN_OR_RETURN(const bool keys_exist, key_store_->HasKeys());
  ASSIGN_OR_RETURN(auth_mode_,
                   auth::ResolveAuthMode(options_.auth, options_.grpc_addr, keys_exist));
  if (auth_mode_ == auth::AuthMode::kNone) {
    LogInfo("assistd: auth: none (loopback only; projects come from x-assistd-project)");
    return absl::OkStatus();
  }
  auth::KeyStore* keys = key_store_.get();
  key_resolver_ = [keys](absl::string_view key) { return keys->Lookup(key); };
  if (!keys_exist) {
    LogWarning("assistd: auth: keys, but ", options_.data_dir,
               "/keys.db has no key yet, so every call will be refused; create one with "
               "`assistd keys create --project NAME`");
  } else {
    LogInfo("assistd: auth: keys (", options_.data_dir, "/keys.db)");
  }
  return absl::OkStatus();
}

absl::Status AssistdServer::SetUpRemoteKeys() {
  if (options_.auth == auth::AuthMode::kNone) {
    return absl::InvalidArgumentError("--keys_addr checks API keys; it contradicts --auth=none");
  }
  auth_mode_ = auth::AuthMode::kKeys;
  remote_keys_ = std::make_unique<auth::RemoteKeyResolver>(
      grpc::CreateChannel(options_.keys_addr, grpc::InsecureChannelCredentials()),
      auth::RemoteKeyResolverOptions());
  auth::RemoteKeyResolver* keys = remote_keys_.get();
  key_resolver_ = [keys](absl::string_view key) { return keys->Lookup(key); };
  LogInfo("assistd: auth: keys, checked by the key store at --keys_addr=", options_.keys_addr);
  return absl::OkStatus();
}

absl::Status AssistdServer::CreateModules() {
  for (ServiceId id : options_.services) {
    absl::StatusOr<std::unique_ptr<HostedService>> module =
        MakeModule(id, options_, channels_.get());
    if (!module.ok()) {
      return absl::Status(module.status().code(),
                          absl::StrCat(ServiceIdName(id), ": ", module.status().message()));
    }
    modules_.push_back(*std::move(module));
  }
  return absl::OkStatus();
}

absl::Status AssistdServer::BuildAndStart() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.grpc_addr, grpc::InsecureServerCredentials(),
                           &grpc_port_);
  // gRPC sets SO_REUSEPORT by default, which would let a second assistd
  // bind the same port and silently take half the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(NewMetricsInterceptorFactory());
  if (auth_mode_ == auth::AuthMode::kKeys) {
    interceptors.push_back(NewAuthInterceptorFactory(key_resolver_));
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  // Always served: other processes may use this data dir's keys.db.
  builder.RegisterService(key_service_.get());
  for (const auto& module : modules_) {
    for (grpc::Service* service : module->grpc_services()) {
      builder.RegisterService(service);
    }
  }
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on --grpc_addr=", options_.grpc_addr,
        " (address in use or not valid?)"));
  }
  channels_->SetLocalServer(server_.get());
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  for (ServiceId id : options_.services) {
    for (const std::string& name : GrpcServiceNames(id)) {
      health->SetServingStatus(name, true);
    }
  }
  health->SetServingStatus("", true);
  LogInfo("assistd: gRPC listening on ", options_.grpc_addr.substr(
              0, options_.grpc_addr.rfind(':')),
          ":", grpc_port_, " (services: ", HostedNames(options_.services),
          "; data_dir: ", options_.data_dir, ")");
  return absl::OkStatus();
}

absl::Status AssistdServer::StartMetrics() {
  if (options_.metrics_addr.empty()) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<metrics::Exposer>> exposer =
      metrics::Exposer::Start(options_.metrics_addr);
  if (!exposer.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "cannot serve metrics on --metrics_addr=", options_.metrics_addr,
        " (address in use or not valid?)"));
  }
  metrics_ = *std::move(exposer);
  LogInfo("assistd: metrics listening on ",
          options_.metrics_addr.substr(0, options_.metrics_addr.rfind(':')), ":",
          metrics_->port(), " (/metrics)");
  return absl::OkStatus();
}

void AssistdServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  // Stopping the endpoint takes civetweb up to 2 s: overlap it with the drain.
  std::thread stop_metrics([this] { metrics_.reset(); });
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->Shutdown();
    // Background threads call other services through the server's
    // in-process channel; they must finish while it still answers.
    for (const auto& module : modules_) module->Stop();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }
  stop_metrics.join();
}

AssistdServer::~AssistdServer() {
  Shutdown(absl::ZeroDuration());
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace assistd
