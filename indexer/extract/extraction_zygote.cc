#include "indexer/extract/extraction_zygote.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <set>

#include "indexer/extract/document_codec.h"
#include "indexer/extract/zygote_protocol.h"

namespace assistd::extract {
namespace {

bool Limit(int resource, rlim_t soft, rlim_t hard) {
  rlimit r{soft, hard};
  return setrlimit(resource, &r) == 0;
}

bool WriteAll(int fd, const std::string& data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

// The forked child: never returns.
[[noreturn]] void RunChild(const ZygoteMessage& req, int result_fd, pid_t zygote,
                           const sigset_t& original_mask, const ExtractHandler& handler) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != zygote) _exit(5);  // the zygote died before the prctl
  sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  // SIGXCPU at the soft limit; the kernel's SIGKILL one second later.
  if (!Limit(RLIMIT_CPU, req.cpu_seconds, req.cpu_seconds + 1) ||
      !Limit(RLIMIT_AS, req.memory_bytes, req.memory_bytes) || !Limit(RLIMIT_CORE, 0, 0) ||
      !Limit(RLIMIT_NOFILE, 64, 64) || dup2(result_fd, STDOUT_FILENO) < 0) {
    _exit(3);
  }
  close(result_fd);
  absl::StatusOr<Document> result;
  try {
    result = handler(req.path, req.filename);
  } catch (const std::bad_alloc&) {
    result = InvalidFile("extracting this file needs more memory than the extraction limit");
  } catch (...) {
    result = InvalidFile("the parser failed on this file");
  }
  _exit(WriteAll(STDOUT_FILENO, EncodeResult(result)) ? 0 : 4);
}

// Serves one Extract or Kill request. False when the server has gone.
bool HandleRequest(int control_fd, int signal_fd, const sigset_t& mask,
                   const ExtractHandler& handler, std::set<pid_t>* live) {
  int passed_fd = -1;
  absl::StatusOr<std::string> packet = ReceivePacket(control_fd, &passed_fd);
  if (!packet.ok()) return false;
  absl::StatusOr<ZygoteMessage> req = DecodeZygoteMessage(*packet, /*from_server=*/true);
  if (req.ok() && req->kind == ZygoteMessage::kKill) {
    if (live->count(req->pid) > 0) kill(req->pid, SIGKILL);  // unreaped: pid is ours
  } else if (req.ok() && passed_fd >= 0) {
    const pid_t self = getpid();
    pid_t pid = fork();
    if (pid == 0) {
      close(control_fd);
      close(signal_fd);
      RunChild(*req, passed_fd, self, mask, handler);
    }
    if (pid < 0) {
      (void)SendPacket(control_fd, EncodeFailed(req->id, errno));
    } else {
      live->insert(pid);
      (void)SendPacket(control_fd, EncodeStarted(req->id, pid));
    }
  }
  if (passed_fd >= 0) close(passed_fd);
  return true;
}

void ReapChildren(int control_fd, int signal_fd, std::set<pid_t>* live) {
  signalfd_siginfo info;
  while (read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
  }
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    live->erase(pid);
    (void)SendPacket(control_fd, EncodeExited(pid, status));
  }
}

}  // namespace

int RunExtractionZygote(int control_fd, const ExtractHandler& handler) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // the server's death ends the zygote
  sigset_t chld, original;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &original);
  const int signal_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd < 0) return 1;
  std::set<pid_t> live;
  while (true) {
    pollfd fds[2] = {{control_fd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLIN) ReapChildren(control_fd, signal_fd, &live);
    if (fds[0].revents & POLLIN) {
      if (!HandleRequest(control_fd, signal_fd, original, handler, &live)) break;
    } else if (fds[0].revents & (POLLHUP | POLLERR)) {
      break;  // the server is gone or shutting down
    }
  }
  for (pid_t pid : live) kill(pid, SIGKILL);
  while (waitpid(-1, nullptr, 0) > 0) {
  }
  return 0;
}

}  // namespace assistd::extract
