#include "sandbox/session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "sandbox/jail/mounts.h"

namespace assistd::sandbox {
namespace {

// The session's end of every channel is closed here once the zygote has
// its copies.
struct Channels {
  int control[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  void CloseChildEnds() {
    for (int* fd : {&control[1], &out[1], &err[1]}) {
      if (*fd >= 0) close(*fd);
      *fd = -1;
    }
  }
  void CloseAll() {
    CloseChildEnds();
    for (int* fd : {&control[0], &out[0], &err[0]}) {
      if (*fd >= 0) close(*fd);
      *fd = -1;
    }
  }
};

absl::Status MakeChannels(Channels* c) {
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->control) != 0 ||
      pipe2(c->out, O_CLOEXEC) != 0 || pipe2(c->err, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("session channels: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

const char* SessionStateName(SessionState state) {
  switch (state) {
    case SessionState::kReady: return "ready";
    case SessionState::kBusy: return "busy";
    case SessionState::kClosed: return "closed";
    case SessionState::kExpired: return "expired";
    case SessionState::kFailed: return "failed";
  }
  return "?";
}

Session::Session(const SessionEnvironment* env, SessionInfo info, SessionLimits limits,
                 Resources resources)
    : env_(env), limits_(limits), resources_(std::move(resources)), info_(std::move(info)) {
  last_used_ = env_->clock->Now();
}

Session::~Session() {
  absl::MutexLock lock(&mu_);
  Release();
}

absl::StatusOr<std::shared_ptr<Session>> Session::Start(const SessionEnvironment* env,
                                                        SessionInfo info, SessionLimits limits,
                                                        Resources resources) {
  std::shared_ptr<Session> session(
      new Session(env, std::move(info), limits, std::move(resources)));
  const Resources& r = session->resources_;
  ASSIGN_OR_RETURN(session->disk_, SessionDisk::Open(r.disk_dir, r.uid_base + 1, r.uid_base + 1));
  absl::MutexLock launch(&session->launch_mu_);
  RETURN_IF_ERROR(session->Launch());
  return session;
}

absl::Status Session::Launch() {
  Channels c;
  absl::Status status = MakeChannels(&c);
  SpawnRequest req;
  req.jail = env_->jail_template;
  req.jail.outside_uid_base = resources_.uid_base;
  req.jail.root.data_dir = resources_.disk_dir;
  req.jail.root.new_root_dir = resources_.root_dir;
  if (resources_.cgroup != nullptr) req.jail.cgroup_procs_files = resources_.cgroup->ProcsFiles();
  absl::StatusOr<pid_t> pid =
      status.ok() ? resources_.zygote->Spawn(req, {c.control[1], c.out[1], c.err[1]})
                  : status;
  c.CloseChildEnds();
  if (!pid.ok()) {
    c.CloseAll();
    return absl::UnavailableError(absl::StrCat("cannot start a sandbox session: ",
                                               pid.status().message()));
  }
  auto process = std::make_unique<SessionProcess>(*pid, c.control[0], c.out[0], c.err[0]);
  {
    absl::MutexLock lock(&mu_);
    pid_ = *pid;
  }
  if (absl::Status ready = process->WaitReady(env_->start_timeout); !ready.ok()) {
    resources_.zygote->Signal(*pid, SIGKILL);
    return absl::UnavailableError(ready.message());
  }
  process_ = std::move(process);
  return absl::OkStatus();
}

void Session::KillProcesses() {
  pid_t pid;
  std::shared_ptr<ZygoteClient> zygote;
  {
    absl::MutexLock lock(&mu_);
    pid = pid_;
    zygote = resources_.zygote;
  }
  // PID 1 of the namespace: its death takes every descendant with it. The
  // cgroup kill also catches anything that got out of the namespace's tree.
  if (pid > 0) zygote->Signal(pid, SIGKILL);
  if (resources_.cgroup != nullptr) {
    absl::Status s = resources_.cgroup->KillAll(absl::Seconds(5));
    if (!s.ok()) LogWarning("sandbox: ", info().id, ": ", s.message());
  }
}

absl::Status Session::Restart() {
  KillProcesses();
  // Asked before launch_mu_ is taken: the pool holds its own lock while it
  // starts sessions.
  std::shared_ptr<ZygoteClient> replacement;
  if (resources_.zygote->dead() && resources_.zygote_source) {
    absl::StatusOr<std::shared_ptr<ZygoteClient>> zygote = resources_.zygote_source();
    if (!zygote.ok()) return absl::UnavailableError(zygote.status().message());
    replacement = *std::move(zygote);
  }
  absl::MutexLock launch(&launch_mu_);
  process_.reset();
  if (replacement != nullptr) {
    absl::MutexLock lock(&mu_);
    resources_.zygote = std::move(replacement);
  }
  return Launch();
}

void Session::Release() {
  if (released_) return;
  released_ = true;
  if (pid_ > 0) resources_.zygote->Signal(pid_, SIGKILL);
  if (resources_.cgroup != nullptr) (void)resources_.cgroup->KillAll(absl::Seconds(5));
  process_.reset();
  disk_.reset();
  if (absl::Status s = UnmountSessionDisk(resources_.disk_dir); !s.ok()) {
    LogWarning("sandbox: ", s.message());
  }
  rmdir(resources_.root_dir.c_str());
  const std::string parent = resources_.disk_dir.substr(0, resources_.disk_dir.rfind('/'));
  rmdir(parent.c_str());
  if (resources_.cgroup != nullptr) {
    if (absl::Status s = resources_.cgroup->Remove(); !s.ok()) LogWarning("sandbox: ", s.message());
  }
  if (resources_.on_release) resources_.on_release();
  resources_.on_release = nullptr;
}

SessionInfo Session::info() const {
  absl::MutexLock lock(&mu_);
  SessionInfo info = info_;
  info.expires_at = absl::ToUnixSeconds(expiry());
  return info;
}

absl::Time Session::expiry() const {
  absl::Time idle = last_used_ + limits_.idle_timeout;
  absl::Time lifetime = absl::FromUnixSeconds(info_.created_at) + env_->max_lifetime;
  return std::min(idle, lifetime);
}

pid_t Session::pid() const {
  absl::MutexLock lock(&mu_);
  return pid_;
}

void Session::Touch() {
  last_used_ = env_->clock->Now();
  info_.last_used_at = absl::ToUnixSeconds(last_used_);
}

absl::Status Session::CheckOpen(bool allow_busy) const {
  switch (info_.state) {
    case SessionState::kReady:
      return absl::OkStatus();
    case SessionState::kBusy:
      if (allow_busy) return absl::OkStatus();
      return absl::FailedPreconditionError(
          absl::StrCat("session ", info_.id, " is executing code"));
    default:
      return absl::FailedPreconditionError(
          absl::StrCat("session ", info_.id, " is ", SessionStateName(info_.state)));
  }
}

absl::Status Session::Freeze() {
  return resources_.cgroup != nullptr ? resources_.cgroup->Freeze() : absl::OkStatus();
}

void Session::Thaw() {
  if (resources_.cgroup != nullptr) (void)resources_.cgroup->Thaw();
}

void Session::CollectFiles(const std::vector<std::string>& paths, ExecuteSink* sink) {
  if (paths.empty()) return;
  // Frozen, nothing in the session can swap a file between the checks and
  // the reads (the descriptor pins the file anyway).
  const bool frozen = Freeze().ok();
  std::vector<SessionFileInfo> files;
  for (const std::string& path : paths) {
    absl::StatusOr<SessionFileInfo> info = disk_->Stat(path, "path");
    if (info.ok()) files.push_back(*std::move(info));
  }
  if (frozen) Thaw();
  for (const SessionFileInfo& f : files) {
    if (!sink->OnFile(f.path, f.bytes, f.sha256, f.modified_at)) break;
  }
}

absl::StatusOr<ExecuteReport> Session::Execute(absl::string_view code, absl::Duration timeout,
                                               ExecuteSink* sink) {
  ExecuteReport report;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckOpen(/*allow_busy=*/false));
    info_.state = SessionState::kBusy;
    report.execution_count = ++executions_;
    Touch();
  }
  sink->OnStart(report.execution_count);
  const absl::Time start = absl::Now();
  const int64_t oom_before = resources_.cgroup ? resources_.cgroup->OomKills() : 0;
  // A process that died while idle (its own doing, or the OOM killer) is
  // replaced before the code runs.
  absl::Status alive = absl::OkStatus();
  if (process_ == nullptr || process_->Dead()) {
    report.session_restarted = true;
    alive = Restart();
  }
  ExecuteOutcome outcome;
  if (alive.ok()) {
    ExecuteLimits limits = env_->execute;
    limits.timeout = timeout;
    const pid_t pid = process_->pid();
    outcome = process_->Execute(code, limits, sink,
                                [this, pid] { resources_.zygote->Signal(pid, SIGINT); });
  }
  bool closed;
  {
    absl::MutexLock lock(&mu_);
    closed = info_.state != SessionState::kBusy;
  }
  if (alive.ok() && !outcome.completed && !closed) {
    // Dead, or still running after the interrupt's grace: kill it all and
    // start a fresh interpreter on the same disk.
    report.session_restarted = true;
    alive = Restart();
    report.memory_exceeded =
        resources_.cgroup != nullptr && resources_.cgroup->OomKills() > oom_before;
    if (report.memory_exceeded) {
      sink->OnError("MemoryError", "the session exceeded its memory limit and was restarted", {});
    } else if (!outcome.timed_out && !outcome.cancelled) {
      sink->OnError("SessionDied", absl::StrCat(outcome.failure, "; the session was restarted"),
                    {});
    }
  } else if (alive.ok() && outcome.completed && !closed) {
    report.memory_exceeded =
        resources_.cgroup != nullptr && resources_.cgroup->OomKills() > oom_before;
    CollectFiles(outcome.changed_files, sink);
  }
  report.timed_out = outcome.timed_out;
  report.truncated = outcome.truncated;
  report.duration = absl::Now() - start;
  absl::MutexLock lock(&mu_);
  Touch();
  if (info_.state == SessionState::kBusy) {
    info_.state = alive.ok() ? SessionState::kReady : SessionState::kFailed;
  } else {
    Release();  // closed or expired while running
  }
  if (!alive.ok() && !report.session_restarted) return alive;
  if (!alive.ok()) LogWarning("sandbox: ", info_.id, ": restart failed: ", alive.message());
  return report;
}

SessionInfo Session::Close(SessionState final_state) {
  bool busy;
  {
    absl::MutexLock lock(&mu_);
    if (info_.state == SessionState::kClosed || info_.state == SessionState::kExpired) {
      SessionInfo info = info_;
      info.expires_at = absl::ToUnixSeconds(expiry());
      return info;
    }
    busy = info_.state == SessionState::kBusy;
    info_.state = final_state;
    if (!busy) Release();
  }
  // The running Execute sees its process die and releases the rest.
  if (busy) KillProcesses();
  return info();
}

absl::StatusOr<std::unique_ptr<SessionDisk::Writer>> Session::BeginWrite(absl::string_view path,
                                                                         int64_t max_bytes) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckOpen(/*allow_busy=*/true));
  Touch();
  return disk_->BeginWrite(path, "header.path", max_bytes);
}

absl::StatusOr<std::unique_ptr<OpenSessionFile>> Session::OpenFile(absl::string_view path) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckOpen(/*allow_busy=*/false));
  Touch();
  // Background processes of the session may still run: frozen while the
  // file is opened and checked.
  const bool frozen = Freeze().ok();
  absl::StatusOr<std::unique_ptr<OpenSessionFile>> file = disk_->OpenForRead(path, "path");
  if (frozen) Thaw();
  return file;
}

absl::StatusOr<std::vector<SessionFileInfo>> Session::ListFiles() {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckOpen(/*allow_busy=*/false));
  const bool frozen = Freeze().ok();
  absl::StatusOr<std::vector<SessionFileInfo>> files = disk_->List();
  if (frozen) Thaw();
  return files;
}

}  // namespace assistd::sandbox
