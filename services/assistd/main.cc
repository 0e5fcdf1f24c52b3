// assistd: the composition root. Flags (with ASSISTD_* environment
// fallbacks) -> ServerOptions -> AssistdServer -> wait for SIGTERM/SIGINT.

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/env_flags.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "services/assistd/keys_command.h"
#include "services/assistd/server.h"
#include "services/auth/auth_mode.h"
#include "services/gateway/gateway.h"

ABSL_FLAG(std::string, data_dir, "./data", "Directory for databases, blobs and indexes.");
ABSL_FLAG(std::string, grpc_addr, "127.0.0.1:50051", "gRPC listen address (port 0: any free port).");
ABSL_FLAG(std::string, auth, "auto",
          "API keys on external calls: 'keys' (authorization: Bearer <key>; see "
          "`assistd keys`), 'none' (loopback --grpc_addr only), or 'auto' (none on "
          "loopback while no key exists, keys otherwise).");
ABSL_FLAG(std::string, keys_addr, "",
          "Check API keys with the assistd at this host:port (the one whose --data_dir holds "
          "the deployment's keys.db) instead of this --data_dir's keys.db; implies --auth=keys. "
          "For split deployments.");
ABSL_FLAG(std::string, metrics_addr, "",
          "Prometheus /metrics listen address, e.g. 0.0.0.0:9464 (port 0: any free port); "
          "empty: no metrics endpoint.");
ABSL_FLAG(std::string, services, "all",
          "Services this process hosts: 'all' or a list of files,retrieval,sandbox,orchestrator "
          "(and gateway, the REST API, which runs whenever --http_addr is set).");
ABSL_FLAG(std::string, http_addr, "",
          "REST API (OpenAI-compatible, under /v1) listen address, e.g. 127.0.0.1:8080 "
          "(port 0: any free port); empty: no REST API.");
ABSL_FLAG(int, http_max_connections, 4096,
          "REST connections served at once (each open connection, e.g. a run stream, holds a "
          "thread); more wait. Needs as many file descriptors (assistd raises its soft limit "
          "to the hard one).");
ABSL_FLAG(std::string, files_addr, "", "Address of a remote files service.");
ABSL_FLAG(std::string, retrieval_addr, "", "Address of a remote retrieval service.");
ABSL_FLAG(std::string, sandbox_addr, "", "Address of a remote sandbox service.");
ABSL_FLAG(std::string, orchestrator_addr, "", "Address of a remote orchestrator service.");
ABSL_FLAG(int64_t, max_upload_mb, 512, "Largest file accepted by FileService.Upload, in MiB.");
ABSL_FLAG(absl::Duration, extract_timeout, absl::Seconds(120),
          "Wall-clock limit for extracting one file's text.");
ABSL_FLAG(absl::Duration, extract_cpu, absl::Seconds(60), "CPU-time limit for one extraction.");
ABSL_FLAG(int64_t, extract_memory_mb, 2048, "Memory limit of one extraction worker, in MiB.");
ABSL_FLAG(int, extract_workers, 0, "Extractions run at once; 0 = number of cores.");
ABSL_FLAG(std::string, extract_worker, "",
          "Path of assistd-extract-worker; empty = next to this binary.");
ABSL_FLAG(std::string, model_endpoints, "",
          "Model routing table: name=http://host:port/v1[|API_KEY_ENV];prefix*=...;*=... "
          "(see docs/orchestrator.md).");
ABSL_FLAG(int, max_model_calls, 16, "Model calls one run may make before it fails.");
ABSL_FLAG(int, run_workers, 1024, "Runs driven at once (each in-flight model call holds one).");
ABSL_FLAG(absl::Duration, requires_action_timeout, absl::Minutes(10),
          "How long a run waits for tool outputs before it expires.");
ABSL_FLAG(absl::Duration, model_timeout, absl::Minutes(5),
          "Time limit of one model call, retries included.");
ABSL_FLAG(int, sandbox_max_sessions, 32,
          "Sandbox sessions alive at once; the least recently used idle one is evicted past it.");
ABSL_FLAG(int64_t, sandbox_memory_mb, 1024, "Default memory limit of a sandbox session, in MiB.");
ABSL_FLAG(int64_t, sandbox_max_memory_mb, 8192, "Largest memory limit a session may ask for.");
ABSL_FLAG(int64_t, sandbox_disk_mb, 512, "Default size of a session's /mnt/data, in MiB.");
ABSL_FLAG(int64_t, sandbox_pids, 128, "Processes and threads per sandbox session.");
ABSL_FLAG(absl::Duration, sandbox_timeout, absl::Seconds(30),
          "Default wall-clock limit of one Execute.");
ABSL_FLAG(absl::Duration, sandbox_max_timeout, absl::Minutes(10),
          "Largest wall-clock limit an Execute may ask for.");
ABSL_FLAG(absl::Duration, sandbox_idle_timeout, absl::Hours(1),
          "Default idle timeout of a sandbox session.");
ABSL_FLAG(absl::Duration, sandbox_lifetime, absl::Hours(1), "Maximum lifetime of a session.");
ABSL_FLAG(bool, sandbox_allow_no_cgroups, false,
          "Opt down: run sandbox sessions without per-session cgroups (rlimits only).");
ABSL_FLAG(bool, sandbox_allow_no_namespaces, false,
          "Opt down: if namespaces are unavailable, run sessions in the process tier "
          "(seccomp, rlimits, uid; the host filesystem stays visible).");
ABSL_FLAG(std::string, sandbox_zygote, "",
          "Path of assistd-sandbox-zygote; empty = next to this binary.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(30),
          "On SIGTERM, how long in-flight calls may take before they are cancelled.");

namespace assistd {
namespace {

const std::vector<std::string> kEnvFlags = {
    "data_dir",      "grpc_addr",     "services",          "files_addr",
    "retrieval_addr", "sandbox_addr", "orchestrator_addr", "drain_timeout",
    "max_upload_mb", "extract_timeout", "extract_cpu", "extract_memory_mb",
    "extract_workers", "extract_worker", "model_endpoints", "max_model_calls",
    "run_workers", "requires_action_timeout", "model_timeout",
    "sandbox_max_sessions", "sandbox_memory_mb", "sandbox_max_memory_mb", "sandbox_disk_mb",
    "sandbox_pids", "sandbox_timeout", "sandbox_max_timeout", "sandbox_idle_timeout",
    "sandbox_lifetime", "sandbox_allow_no_cgroups", "sandbox_allow_no_namespaces",
    "sandbox_zygote", "metrics_addr", "auth", "http_addr", "http_max_connections", "keys_addr"};

void SandboxFromFlags(sandbox::SessionPoolOptions* p) {
  p->max_sessions = absl::GetFlag(FLAGS_sandbox_max_sessions);
  p->default_limits.memory_bytes = absl::GetFlag(FLAGS_sandbox_memory_mb) << 20;
  p->max_limits.memory_bytes = absl::GetFlag(FLAGS_sandbox_max_memory_mb) << 20;
  p->default_limits.disk_bytes = absl::GetFlag(FLAGS_sandbox_disk_mb) << 20;
  p->cgroup.pids = absl::GetFlag(FLAGS_sandbox_pids);
  p->default_timeout = absl::GetFlag(FLAGS_sandbox_timeout);
  p->max_timeout = absl::GetFlag(FLAGS_sandbox_max_timeout);
  p->default_limits.idle_timeout = absl::GetFlag(FLAGS_sandbox_idle_timeout);
  p->max_lifetime = absl::GetFlag(FLAGS_sandbox_lifetime);
  p->allow_without_cgroups = absl::GetFlag(FLAGS_sandbox_allow_no_cgroups);
  p->allow_without_namespaces = absl::GetFlag(FLAGS_sandbox_allow_no_namespaces);
  p->zygote_path = absl::GetFlag(FLAGS_sandbox_zygote);
}

// --services, where "gateway" (not a gRPC service) only asks for --http_addr.
absl::StatusOr<std::set<ServiceId>> ParseHostedServices(const std::string& list) {
  std::vector<std::string> names = absl::StrSplit(list, ',', absl::SkipWhitespace());
  const size_t before = names.size();
  names.erase(std::remove_if(names.begin(), names.end(),
                             [](absl::string_view name) {
                               return absl::StripAsciiWhitespace(name) == "gateway";
                             }),
              names.end());
  if (names.size() != before && absl::GetFlag(FLAGS_http_addr).empty()) {
    return absl::InvalidArgumentError("--services=gateway needs --http_addr");
  }
  if (names.empty() && before > 0) return std::set<ServiceId>();
  return ParseServiceList(absl::StrJoin(names, ","));
}

// The REST gateway in front of this process's channels; null without
// --http_addr. API keys as on gRPC; without them only on loopback.
absl::StatusOr<std::unique_ptr<gateway::Gateway>> StartGateway(AssistdServer& server) {
  const std::string addr = absl::GetFlag(FLAGS_http_addr);
  if (addr.empty()) return nullptr;
  gateway::GatewayOptions options;
  options.http.addr = addr;
  options.http.threads = absl::GetFlag(FLAGS_http_max_connections);
  if (server.auth_mode() == auth::AuthMode::kKeys) {
    options.project_resolver = gateway::KeyProjectResolver(server.key_resolver());
  } else if (!auth::IsLoopbackAddress(addr)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http_addr=", addr, " is not a loopback address and API keys are off (--auth)"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<gateway::Gateway> gw,
                   gateway::Gateway::Start(std::move(options), server.channels()));
  LogInfo("assistd: HTTP listening on ", addr.substr(0, addr.rfind(':')), ":", gw->port(),
          " (REST API under /v1)");
  return gw;
}

absl::StatusOr<ServerOptions> OptionsFromFlags() {
  ServerOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.grpc_addr = absl::GetFlag(FLAGS_grpc_addr);
  options.metrics_addr = absl::GetFlag(FLAGS_metrics_addr);
  ASSIGN_OR_RETURN(options.auth, auth::ParseAuthMode(absl::GetFlag(FLAGS_auth)));
  options.keys_addr = absl::GetFlag(FLAGS_keys_addr);
  ASSIGN_OR_RETURN(options.services, ParseHostedServices(absl::GetFlag(FLAGS_services)));
  const std::map<ServiceId, std::string> addrs = {
      {ServiceId::kFiles, absl::GetFlag(FLAGS_files_addr)},
      {ServiceId::kRetrieval, absl::GetFlag(FLAGS_retrieval_addr)},
      {ServiceId::kSandbox, absl::GetFlag(FLAGS_sandbox_addr)},
      {ServiceId::kOrchestrator, absl::GetFlag(FLAGS_orchestrator_addr)}};
  for (const auto& [id, addr] : addrs) {
    if (!addr.empty()) options.remote_addrs[id] = addr;
  }
  options.files.max_upload_bytes = absl::GetFlag(FLAGS_max_upload_mb) << 20;
  extract::ExtractionRunnerOptions& x = options.files.extraction;
  x.wall_limit = absl::GetFlag(FLAGS_extract_timeout);
  x.cpu_limit = absl::GetFlag(FLAGS_extract_cpu);
  x.memory_limit_bytes = absl::GetFlag(FLAGS_extract_memory_mb) << 20;
  x.max_concurrent = absl::GetFlag(FLAGS_extract_workers);
  x.worker_path = absl::GetFlag(FLAGS_extract_worker);
  orchestrator::OrchestratorModuleOptions& o = options.orchestrator;
  o.model_endpoints = absl::GetFlag(FLAGS_model_endpoints);
  o.max_model_calls = absl::GetFlag(FLAGS_max_model_calls);
  o.max_workers = absl::GetFlag(FLAGS_run_workers);
  o.requires_action_timeout = absl::GetFlag(FLAGS_requires_action_timeout);
  o.model_timeout = absl::GetFlag(FLAGS_model_timeout);
  SandboxFromFlags(&options.sandbox.pool);
  return options;
}

// Every connection, model call and stream holds a descriptor: take the
// hard limit (as nginx and Go programs do) instead of a 1,024 soft limit.
void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) == 0) {
    LogInfo("assistd: open file limit raised from ", before, " to ", limit.rlim_cur);
  }
}

int Fail(const absl::Status& status) {
  LogError("assistd: ", status.message());
  return 1;
}

int Run(int argc, char** argv) {
  absl::SetProgramUsageMessage("assistd: self-hosted OpenAI Assistants API server.");
  if (absl::Status env = ApplyEnvironmentToFlags("ASSISTD_", kEnvFlags); !env.ok()) {
    return Fail(env);
  }
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<ServerOptions> options = OptionsFromFlags();
  if (!options.ok()) return Fail(options.status());

  // Block the stop signals before gRPC starts threads, so only sigwait
  // below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  RaiseFileLimit();
  absl::StatusOr<std::unique_ptr<AssistdServer>> server =
      AssistdServer::Start(*std::move(options));
  if (!server.ok()) return Fail(server.status());
  absl::StatusOr<std::unique_ptr<gateway::Gateway>> http = StartGateway(**server);
  if (!http.ok()) {
    (*server)->Shutdown(absl::ZeroDuration());
    return Fail(http.status());
  }
  LogInfo("assistd: ready; try: assistctl --addr=<host>:", (*server)->grpc_port(),
          " health   (assistctl is in build/bin/)");

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  const absl::Duration grace = absl::GetFlag(FLAGS_drain_timeout);
  LogInfo("assistd: received ", strsignal(signal_number), "; draining for up to ",
          absl::FormatDuration(grace));
  if (*http != nullptr) (*http)->Stop();  // ends its streams before gRPC drains
  (*server)->Shutdown(grace);
  LogInfo("assistd: stopped");
  return 0;
}

}  // namespace
}  // namespace assistd

int main(int argc, char** argv) {
  // `assistd keys ...` manages API keys without starting the server.
  if (argc > 1 && std::string(argv[1]) == "keys") {
    return assistd::RunKeysCommand(argc - 1, argv + 1);
  }
  return assistd::Run(argc, argv);
}
