#include "tests/util/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace assistd::testing {

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(
    const std::vector<std::string>& argv,
    const std::map<std::string, std::string>& env) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError("pipe2");
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    if (env.count(key) == 0) env_strings.push_back(kv);
  }
  for (const auto& [k, v] : env) env_strings.push_back(absl::StrCat(k, "=", v));
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : env_strings) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return absl::InternalError(absl::StrCat("spawn ", argv[0], ": ", std::strerror(rc)));
  }
  return std::unique_ptr<Subprocess>(new Subprocess(pid, fds[0]));
}

Subprocess::~Subprocess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(fd_);
}

bool Subprocess::ReadSome(absl::Duration timeout) {
  if (eof_) return false;
  pollfd p{fd_, POLLIN, 0};
  int ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  if (poll(&p, 1, ms < 0 ? 0 : ms) <= 0) return true;
  char buf[4096];
  ssize_t n = read(fd_, buf, sizeof(buf));
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return true;
    eof_ = true;
    return false;
  }
  output_.append(buf, static_cast<size_t>(n));
  return true;
}

absl::StatusOr<std::string> Subprocess::WaitForLine(const std::string& needle,
                                                    absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    size_t nl;
    while ((nl = output_.find('\n', scanned_)) != std::string::npos) {
      std::string line = output_.substr(scanned_, nl - scanned_);
      scanned_ = nl + 1;
      if (line.find(needle) != std::string::npos) return line;
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no line with '", needle, "' within ", absl::FormatDuration(timeout),
          "; output so far:\n", output_));
    }
    if (!ReadSome(left)) {
      return absl::NotFoundError(absl::StrCat("output ended without '", needle,
                                              "':\n", output_));
    }
  }
}

void Subprocess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

absl::StatusOr<int> Subprocess::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!eof_ && absl::Now() < deadline) ReadSome(deadline - absl::Now());
  if (!eof_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return absl::DeadlineExceededError(
        absl::StrCat("child did not exit; output:\n", output_));
  }
  // EOF means every holder of the pipe closed it; the child is exiting.
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

namespace {

// The loopback port of the first line containing `needle`; 0 if none.
int PortOfLine(Subprocess& proc, const std::string& needle, absl::Duration timeout) {
  absl::StatusOr<std::string> line = proc.WaitForLine(needle, timeout);
  if (!line.ok()) return 0;
  const size_t at = line->find("127.0.0.1:");
  if (at == std::string::npos) return 0;
  const std::string rest = line->substr(at + 10);
  int port = 0;
  return absl::SimpleAtoi(rest.substr(0, rest.find(' ')), &port) ? port : 0;
}

}  // namespace

int ListeningPort(Subprocess& proc, absl::Duration timeout) {
  return PortOfLine(proc, "gRPC listening on", timeout);
}

int MetricsPort(Subprocess& proc, absl::Duration timeout) {
  return PortOfLine(proc, "metrics listening on", timeout);
}

int HttpPort(Subprocess& proc, absl::Duration timeout) {
  return PortOfLine(proc, "HTTP listening on", timeout);
}

}  // namespace assistd::testing
