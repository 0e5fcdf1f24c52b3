#include "indexer/extract/zygote_client.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "indexer/extract/zygote_protocol.h"

namespace assistd::extract {
namespace {

constexpr int kZygoteControlFd = 3;

// Reads `fd` to EOF into `out`, unless the deadline passes or `max` bytes
// are exceeded first.
void ReadResult(int fd, const ZygoteJob& job, ZygoteOutcome* out) {
  char buf[65536];
  while (true) {
    const int64_t ms = absl::ToInt64Milliseconds(job.deadline - absl::Now());
    if (ms <= 0) {
      out->timed_out = true;
      return;
    }
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(std::min<int64_t>(ms, 1 << 30)));
    if (ready <= 0) continue;  // EINTR or time to re-check the deadline
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    out->output.append(buf, static_cast<size_t>(n));
    if (static_cast<int64_t>(out->output.size()) > job.max_output_bytes) {
      out->too_large = true;
      return;
    }
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<ZygoteClient>> ZygoteClient::Start(
    const std::string& worker_path) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return absl::InternalError(absl::StrCat("socketpair: ", std::strerror(errno)));
  }
  // Keep the child's end clear of fd 3, so the dup2 below really copies it
  // (and drops close-on-exec).
  int child_end = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
  close(sv[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, child_end, kZygoteControlFd);
  // Nothing of the server's (sockets, databases) reaches the parsers.
  posix_spawn_file_actions_addclosefrom_np(&actions, kZygoteControlFd + 1);
  const char* argv[] = {worker_path.c_str(), "--zygote", nullptr};
  char* empty_env[] = {nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, worker_path.c_str(), &actions, nullptr,
                       const_cast<char**>(argv), empty_env);
  posix_spawn_file_actions_destroy(&actions);
  close(child_end);
  if (rc != 0) {
    close(sv[0]);
    return absl::InternalError(absl::StrCat("cannot start ", worker_path, ": ", std::strerror(rc)));
  }
  std::unique_ptr<ZygoteClient> client(new ZygoteClient(pid, sv[0]));
  client->dispatcher_ = std::thread([c = client.get()] { c->DispatchLoop(); });
  return client;
}

ZygoteClient::~ZygoteClient() {
  shutdown(sock_, SHUT_RDWR);
  if (dispatcher_.joinable()) dispatcher_.join();
  close(sock_);
  waitpid(zygote_pid_, nullptr, 0);
}

bool ZygoteClient::dead() const {
  absl::MutexLock lock(&mu_);
  return dead_;
}

void ZygoteClient::DispatchLoop() {
  while (true) {
    int fd = -1;
    absl::StatusOr<std::string> packet = ReceivePacket(sock_, &fd);
    if (fd >= 0) close(fd);  // the zygote never sends descriptors
    absl::StatusOr<ZygoteMessage> m =
        packet.ok() ? DecodeZygoteMessage(*packet, /*from_server=*/false) : packet.status();
    absl::MutexLock lock(&mu_);
    if (!m.ok()) {
      dead_ = true;  // EOF, socket error or garbage: stop trusting it
      return;
    }
    if (m->kind == ZygoteMessage::kStarted) started_[m->id] = m->pid;
    if (m->kind == ZygoteMessage::kFailed) started_[m->id] = -int64_t{std::max(1, m->value)};
    if (m->kind == ZygoteMessage::kExited) exited_[m->pid] = m->value;
  }
}

template <typename K, typename V>
absl::StatusOr<V> ZygoteClient::AwaitReply(std::map<K, V>* replies, K key) {
  absl::MutexLock lock(&mu_);
  auto ready = [this, replies, key]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return dead_ || replies->count(key) > 0;
  };
  mu_.Await(absl::Condition(&ready));
  auto it = replies->find(key);
  if (it == replies->end()) return absl::UnavailableError("extraction zygote died");
  V value = it->second;
  replies->erase(it);
  return value;
}

absl::StatusOr<ZygoteOutcome> ZygoteClient::Run(const ZygoteJob& job) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
  }
  uint64_t id;
  {
    absl::MutexLock lock(&mu_);
    if (dead_) {
      close(pipe_fds[0]);
      close(pipe_fds[1]);
      return absl::UnavailableError("extraction zygote died");
    }
    id = next_id_++;
  }
  ZygoteMessage req;
  req.id = id;
  req.cpu_seconds = job.cpu_seconds;
  req.memory_bytes = job.memory_bytes;
  req.path = job.path;
  req.filename = job.filename;
  absl::Status sent = SendPacket(sock_, EncodeExtractRequest(req), pipe_fds[1]);
  close(pipe_fds[1]);  // the child holds the only write end now
  // Started carries the child's pid, or -errno if fork failed.
  absl::StatusOr<int64_t> started = sent.ok() ? AwaitReply(&started_, id) : sent;
  if (started.ok() && *started < 0) {
    started = absl::InternalError(
        absl::StrCat("fork failed: ", std::strerror(static_cast<int>(-*started))));
  }
  if (!started.ok()) {
    close(pipe_fds[0]);
    return started.status();
  }
  const pid_t pid = static_cast<pid_t>(*started);
  ZygoteOutcome out;
  ReadResult(pipe_fds[0], job, &out);
  close(pipe_fds[0]);
  if (out.timed_out || out.too_large) (void)SendPacket(sock_, EncodeKillRequest(pid));
  absl::StatusOr<int> status = AwaitReply(&exited_, pid);
  if (!status.ok()) return status.status();
  out.wait_status = *status;
  return out;
}

}  // namespace assistd::extract
