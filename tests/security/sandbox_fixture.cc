#include "tests/security/sandbox_fixture.h"

#include <signal.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace assistd::testing {

bool RecordingSink::OnStdout(absl::string_view text) {
  out_->stdout_text.append(text.data(), text.size());
  return cancel_after_stdout < 0 || --cancel_after_stdout > 0;
}
bool RecordingSink::OnStderr(absl::string_view text) {
  out_->stderr_text.append(text.data(), text.size());
  return true;
}
bool RecordingSink::OnResult(absl::string_view text) {
  out_->results.emplace_back(text);
  return true;
}
bool RecordingSink::OnError(absl::string_view ename, absl::string_view evalue,
                            const std::vector<std::string>& traceback) {
  out_->errors.push_back(absl::StrCat(ename, ": ", evalue));
  out_->tracebacks.push_back(absl::StrJoin(traceback, ""));
  return true;
}
bool RecordingSink::OnImage(absl::string_view name, absl::string_view, absl::string_view data) {
  out_->images.emplace_back(std::string(name), std::string(data));
  return true;
}
bool RecordingSink::OnFile(absl::string_view path, int64_t, absl::string_view, int64_t) {
  out_->files.emplace_back(path);
  return true;
}

bool HostSupportsJail(std::string* why) {
  if (geteuid() != 0) {
    *why = "the sandbox needs root (to map session uids and mount their disks)";
    return false;
  }
  const pid_t pid = fork();
  if (pid == 0) _exit(unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET) == 0 ? 0 : 1);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    *why = "this host does not allow user/mount/PID/network namespaces";
    return false;
  }
  return true;
}

sandbox::SessionPoolOptions TestPoolOptions(const TempDir& dir) {
  sandbox::SessionPoolOptions o;
  o.state_dir = dir.File("sandbox");
  o.zygote_path = SANDBOX_ZYGOTE_PATH;
  o.max_sessions = 8;
  o.default_limits.memory_bytes = int64_t{512} << 20;
  o.default_limits.disk_bytes = int64_t{64} << 20;
  o.tmp_bytes = int64_t{16} << 20;
  o.execute.interrupt_grace = absl::Seconds(1);
  o.background_reaper = false;
  // Each test binary gets its own uid range, so parallel tests never share
  // a uid between sessions.
  o.uid_base = 300000 + static_cast<uint32_t>(getpid() % 1000) * 64;
  return o;
}

absl::StatusOr<std::unique_ptr<SandboxHarness>> SandboxHarness::Create(
    sandbox::SessionPoolOptions options) {
  auto h = std::make_unique<SandboxHarness>();
  h->dir_ = std::make_unique<TempDir>();
  // Sessions resolve their disk's path as an unprivileged uid.
  chmod(h->dir_->path().c_str(), 0711);
  if (options.state_dir.empty()) {
    sandbox::SessionPoolOptions defaults = TestPoolOptions(*h->dir_);
    options.state_dir = defaults.state_dir;
  }
  auto pool = sandbox::SessionPool::Create(std::move(options));
  if (!pool.ok()) return pool.status();
  h->pool_ = *std::move(pool);
  if (absl::Status s = h->pool_->WaitUntilReady(); !s.ok()) return s;
  return h;
}

absl::StatusOr<std::unique_ptr<SandboxHarness>> SandboxHarness::Create() {
  TempDir probe;
  sandbox::SessionPoolOptions o = TestPoolOptions(probe);
  o.state_dir.clear();
  return Create(std::move(o));
}

absl::StatusOr<std::shared_ptr<sandbox::Session>> SandboxHarness::NewSession(
    const std::string& owner) {
  return pool_->CreateSession(owner, "test", pool_->options().default_limits);
}

Recorded SandboxHarness::Run(sandbox::Session* s, const std::string& code,
                             absl::Duration timeout) {
  Recorded out;
  RecordingSink sink(&out);
  absl::StatusOr<sandbox::ExecuteReport> report = s->Execute(code, timeout, &sink);
  out.status = report.status();
  if (report.ok()) out.report = *report;
  return out;
}

bool ProcessGone(pid_t pid) {
  if (pid <= 0) return true;
  if (kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(in, line);
  const size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

std::vector<pid_t> SurvivingPids(sandbox::Session* s, pid_t pid1) {
  std::vector<pid_t> pids;
  if (s->cgroup() != nullptr) pids = s->cgroup()->Pids();
  if (!ProcessGone(pid1)) pids.push_back(pid1);
  return pids;
}

}  // namespace assistd::testing
