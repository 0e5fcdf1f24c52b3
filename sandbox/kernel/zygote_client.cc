#include "sandbox/kernel/zygote_client.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sandbox/jail/environment.h"

namespace assistd::sandbox {
namespace {

constexpr int kZygoteControlFd = 3;
// Exit records kept for callers that ask late; older ones are dropped.
constexpr size_t kMaxExitRecords = 4096;

absl::StatusOr<pid_t> SpawnZygote(const ZygoteClientOptions& options, int child_end) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, child_end, kZygoteControlFd);
  // Nothing of the service's (sockets, databases, keys) reaches Python.
  posix_spawn_file_actions_addclosefrom_np(&actions, kZygoteControlFd + 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own session: a terminal's ^C must not reach the zygote.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  const std::string flag = absl::StrCat("--mplconfig_dir=", options.mplconfig_dir);
  const char* argv[] = {options.zygote_path.c_str(), flag.c_str(), nullptr};
  std::vector<std::string> env = SandboxEnvironment();
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, options.zygote_path.c_str(), &actions, &attr,
                             const_cast<char**>(argv), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot start ", options.zygote_path, ": ", std::strerror(rc)));
  }
  return pid;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ZygoteClient>> ZygoteClient::Start(
    const ZygoteClientOptions& options) {
  if (access(options.zygote_path.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("sandbox zygote ", options.zygote_path, " is missing or not executable"));
  }
  if (mkdir(options.mplconfig_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", options.mplconfig_dir, ": ", std::strerror(errno)));
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return absl::InternalError(absl::StrCat("socketpair: ", std::strerror(errno)));
  }
  // Keep the child's end off fd 3 so the dup2 really copies it.
  const int child_end = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
  close(sv[1]);
  absl::StatusOr<pid_t> pid = SpawnZygote(options, child_end);
  close(child_end);
  if (!pid.ok()) {
    close(sv[0]);
    return pid.status();
  }
  std::unique_ptr<ZygoteClient> client(new ZygoteClient(*pid, sv[0]));
  client->dispatcher_ = std::thread([c = client.get()] { c->DispatchLoop(); });
  absl::MutexLock lock(&client->mu_);
  auto settled = [c = client.get()]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) {
    return c->ready_ || c->dead_;
  };
  if (!client->mu_.AwaitWithTimeout(absl::Condition(&settled), options.start_timeout)) {
    return absl::DeadlineExceededError("the sandbox zygote did not finish loading in time");
  }
  if (client->dead_) {
    return absl::UnavailableError(absl::StrCat("the sandbox zygote failed to start: ",
                                               client->failure_));
  }
  return client;
}

ZygoteClient::~ZygoteClient() {
  shutdown(sock_, SHUT_RDWR);
  if (dispatcher_.joinable()) dispatcher_.join();
  close(sock_);
  kill(zygote_pid_, SIGKILL);
  waitpid(zygote_pid_, nullptr, 0);
}

bool ZygoteClient::dead() const {
  absl::MutexLock lock(&mu_);
  return dead_;
}

void ZygoteClient::DispatchLoop() {
  while (true) {
    absl::StatusOr<ZygotePacket> packet = ReceivePacket(sock_);
    if (packet.ok()) {
      for (int fd : packet->fds) close(fd);  // the zygote never sends any
    }
    absl::MutexLock lock(&mu_);
    if (!packet.ok()) {
      dead_ = true;
      if (failure_.empty()) failure_ = std::string(packet.status().message());
      return;
    }
    const std::vector<std::string>& f = packet->fields;
    uint64_t id = 0;
    int64_t value = 0;
    if (f[0] == "ready") {
      ready_ = true;
    } else if (f[0] == "started" && f.size() == 3 && absl::SimpleAtoi(f[1], &id) &&
               absl::SimpleAtoi(f[2], &value)) {
      started_[id] = static_cast<pid_t>(value);
    } else if (f[0] == "failed" && f.size() == 3 && absl::SimpleAtoi(f[1], &id)) {
      if (id == 0) failure_ = f[2];
      started_[id] = absl::InternalError(f[2]);
    } else if (f[0] == "exited" && f.size() == 3 && absl::SimpleAtoi(f[1], &id) &&
               absl::SimpleAtoi(f[2], &value)) {
      if (exited_.size() >= kMaxExitRecords) exited_.erase(exited_.begin());
      exited_[static_cast<pid_t>(id)] = static_cast<int>(value);
    }
  }
}

absl::StatusOr<pid_t> ZygoteClient::Spawn(const SpawnRequest& request,
                                          const std::array<int, kSpawnFdCount>& fds) {
  SpawnRequest r = request;
  {
    absl::MutexLock lock(&mu_);
    if (dead_) return absl::UnavailableError("the sandbox zygote is not running");
    r.id = next_id_++;
  }
  {
    absl::MutexLock lock(&send_mu_);
    absl::Status sent = SendPacket(sock_, EncodeSpawn(r), {fds.begin(), fds.end()});
    if (!sent.ok()) return absl::UnavailableError(sent.message());
  }
  absl::MutexLock lock(&mu_);
  auto replied = [this, id = r.id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return dead_ || started_.count(id) > 0;
  };
  mu_.Await(absl::Condition(&replied));
  auto it = started_.find(r.id);
  if (it == started_.end()) return absl::UnavailableError("the sandbox zygote died");
  absl::StatusOr<pid_t> pid = it->second;
  started_.erase(it);
  return pid;
}

void ZygoteClient::Signal(pid_t pid, int signo) {
  absl::MutexLock lock(&send_mu_);
  (void)SendPacket(sock_, {"signal", absl::StrCat(pid), absl::StrCat(signo)});
}

std::optional<int> ZygoteClient::ExitStatus(pid_t pid) const {
  absl::MutexLock lock(&mu_);
  auto it = exited_.find(pid);
  if (it == exited_.end()) return std::nullopt;
  return it->second;
}

}  // namespace assistd::sandbox
