#include "sandbox/session_pool.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "sandbox/jail/mounts.h"

namespace assistd::sandbox {
namespace {

// Discards everything; the probe session only needs to run.
class NullSink final : public ExecuteSink {
 public:
  bool OnStdout(absl::string_view) override { return true; }
  bool OnStderr(absl::string_view text) override {
    stderr_.append(text.data(), text.size());
    return true;
  }
  bool OnResult(absl::string_view text) override {
    result_ = std::string(text);
    return true;
  }
  bool OnError(absl::string_view ename, absl::string_view evalue,
               const std::vector<std::string>&) override {
    error_ = absl::StrCat(ename, ": ", evalue);
    return true;
  }
  bool OnImage(absl::string_view, absl::string_view, absl::string_view) override { return true; }
  bool OnFile(absl::string_view, int64_t, absl::string_view, int64_t) override { return true; }
  std::string result_, error_, stderr_;
};

absl::Status MakeDir(const std::string& path, mode_t mode) {
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// Each directory from `path` up to / must be searchable by others.
absl::Status CheckSearchable(const std::string& path) {
  char resolved[PATH_MAX];
  if (realpath(path.c_str(), resolved) == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("cannot resolve ", path));
  }
  std::string dir = resolved;
  while (!dir.empty()) {
    struct stat st;
    if (stat(dir.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the sandbox state dir ", path, " is below ", dir,
          ", which others cannot search (chmod o+x it, or choose another dir)"));
    }
    dir = dir.substr(0, dir.rfind('/'));
  }
  return absl::OkStatus();
}

}  // namespace

std::string DefaultStateDir(const std::string& data_dir) {
  if (CheckSearchable(data_dir).ok()) return data_dir + "/sandbox";
  // e.g. a data dir under /root (mode 700): sessions could not reach their
  // disks there. Their disks are tmpfs mounts that do not outlive the
  // process anyway, so /run (searchable, cleared at boot) serves, one
  // directory per data dir.
  char resolved[PATH_MAX];
  const std::string key = realpath(data_dir.c_str(), resolved) != nullptr ? resolved : data_dir;
  return absl::StrCat("/run/assistd-sandbox-", absl::Hex(std::hash<std::string>()(key)));
}

namespace {

bool IsLive(SessionState s) {
  return s == SessionState::kReady || s == SessionState::kBusy || s == SessionState::kFailed;
}

}  // namespace

std::string DefaultZygotePath() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "assistd-sandbox-zygote";
  std::string self(buf, static_cast<size_t>(n));
  return self.substr(0, self.rfind('/') + 1) + "assistd-sandbox-zygote";
}

SessionPool::SessionPool(SessionPoolOptions options) : options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = RealClock();
  env_.clock = options_.clock;
  env_.jail_template.use_namespaces = true;
  env_.jail_template.rlimits = options_.rlimits;
  env_.jail_template.root.tmp_bytes = options_.tmp_bytes;
  env_.cgroup_limits = options_.cgroup;
  env_.execute = options_.execute;
  env_.max_lifetime = options_.max_lifetime;
  slot_used_.assign(static_cast<size_t>(std::max(1, options_.max_sessions)), false);
}

absl::StatusOr<std::unique_ptr<SessionPool>> SessionPool::Create(SessionPoolOptions options) {
  std::unique_ptr<SessionPool> pool(new SessionPool(std::move(options)));
  RETURN_IF_ERROR(pool->PrepareStateDir());
  pool->cgroups_ = CgroupManager::Create(pool->options_.cgroups);
  if (const int n = pool->cgroups_->ReapLeftovers(); n > 0) {
    LogInfo("sandbox: removed the cgroups of ", n, " earlier run(s)");
  }
  SessionPool* p = pool.get();
  if (pool->options_.start_in_background) {
    pool->startup_thread_ = std::thread([p] { p->StartUp(); });
  } else {
    pool->StartUp();
  }
  if (pool->options_.background_reaper) {
    pool->reaper_thread_ = std::thread([p] { p->ReaperLoop(); });
  }
  return pool;
}

SessionPool::~SessionPool() {
  stopping_.Notify();
  if (startup_thread_.joinable()) startup_thread_.join();
  if (reaper_thread_.joinable()) reaper_thread_.join();
  std::map<std::string, Entry> sessions;
  {
    absl::MutexLock lock(&mu_);
    sessions.swap(sessions_);
  }
  for (auto& [id, entry] : sessions) entry.session->Close();
  sessions.clear();
  absl::MutexLock lock(&create_mu_);
  zygote_.reset();
}

absl::Status SessionPool::PrepareStateDir() {
  if (options_.state_dir.empty()) return absl::InvalidArgumentError("sandbox state_dir is empty");
  RETURN_IF_ERROR(MakeDir(options_.state_dir, 0711));
  const std::string sessions = options_.state_dir + "/sessions";
  // Sessions resolve their disk's path inside their own mount namespace,
  // as an unprivileged uid: every directory on the way must be searchable.
  RETURN_IF_ERROR(MakeDir(sessions, 0711));
  chmod(options_.state_dir.c_str(), 0711);
  chmod(sessions.c_str(), 0711);
  // A previous run's disks: still mounted if it crashed.
  DIR* dir = opendir(sessions.c_str());
  if (dir == nullptr) return absl::FailedPreconditionError(absl::StrCat("cannot read ", sessions));
  int removed = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const std::string path = absl::StrCat(sessions, "/", e->d_name);
    (void)UnmountSessionDisk(path + "/data");
    rmdir((path + "/root").c_str());
    if (rmdir(path.c_str()) == 0) ++removed;
  }
  closedir(dir);
  if (removed > 0) LogInfo("sandbox: removed ", removed, " session dir(s) of an earlier run");
  return MakeDir(options_.state_dir + "/mplconfig", 0755);
}

std::string SessionPool::tier() const {
  std::string t = env_.jail_template.use_namespaces ? "namespaces" : "process";
  absl::StrAppend(&t, "+cgroup-", CgroupVersionName(cgroups_->version()));
  return t;
}

absl::Status SessionPool::StartZygoteLocked() {
  if (zygote_ != nullptr && !zygote_->dead()) return absl::OkStatus();
  ZygoteClientOptions z;
  z.zygote_path = options_.zygote_path.empty() ? DefaultZygotePath() : options_.zygote_path;
  z.mplconfig_dir = options_.state_dir + "/mplconfig";
  ASSIGN_OR_RETURN(std::unique_ptr<ZygoteClient> zygote, ZygoteClient::Start(z));
  zygote_ = std::move(zygote);
  return absl::OkStatus();
}

// Runs one tiny session through the whole jail, so a host that cannot run
// it is found at startup, not at the first user's request.
absl::Status SessionPool::Probe() {
  ASSIGN_OR_RETURN(std::shared_ptr<Session> s, StartSession("", "probe", options_.default_limits));
  NullSink sink;
  absl::StatusOr<ExecuteReport> r = s->Execute("1 + 1", absl::Seconds(30), &sink);
  s->Close();
  if (!r.ok()) return r.status();
  if (sink.result_ != "2") {
    return absl::UnavailableError(absl::StrCat("the probe session failed: ", sink.error_,
                                               sink.stderr_));
  }
  return absl::OkStatus();
}

void SessionPool::StartUp() {
  absl::MutexLock lock(&create_mu_);
  absl::Status status = CheckSearchable(options_.state_dir);
  if (status.ok() && cgroups_->version() == CgroupVersion::kNone) {
    if (!options_.allow_without_cgroups) {
      status = absl::UnavailableError(absl::StrCat(
          "the sandbox needs per-session cgroups, which this host does not allow (",
          cgroups_->reason(), "); start with --sandbox_allow_no_cgroups to run without them"));
    } else {
      LogWarning("sandbox: running without cgroups (", cgroups_->reason(), "): rlimits only");
    }
  }
  if (status.ok()) status = StartZygoteLocked();
  if (status.ok()) status = Probe();
  if (!status.ok() && zygote_ != nullptr && options_.allow_without_namespaces) {
    LogWarning("sandbox: the namespace jail failed (", status.message(),
               "); falling back to the process tier as allowed");
    env_.jail_template.use_namespaces = false;
    status = Probe();
  }
  if (status.ok()) {
    LogInfo("sandbox: ready (", tier(), ")");
  } else {
    LogError("sandbox: disabled: ", status.message());
  }
  startup_status_ = status.ok() ? status : absl::UnavailableError(status.message());
  started_.Notify();
}

absl::Status SessionPool::WaitUntilReady() {
  started_.WaitForNotification();
  absl::MutexLock lock(&create_mu_);
  return startup_status_;
}

SessionLimits SessionPool::Clamp(const SessionLimits& r) const {
  SessionLimits out;
  out.memory_bytes = std::min(r.memory_bytes, options_.max_limits.memory_bytes);
  out.disk_bytes = std::min(r.disk_bytes, options_.max_limits.disk_bytes);
  out.idle_timeout = std::min(r.idle_timeout, options_.max_limits.idle_timeout);
  return out;
}

absl::StatusOr<int> SessionPool::TakeSlot() {
  absl::MutexLock lock(&slot_mu_);
  for (size_t i = 0; i < slot_used_.size(); ++i) {
    if (!slot_used_[i]) {
      slot_used_[i] = true;
      return static_cast<int>(i);
    }
  }
  return absl::ResourceExhaustedError("no free sandbox uid slot");
}

void SessionPool::ReturnSlot(int slot) {
  absl::MutexLock lock(&slot_mu_);
  slot_used_[static_cast<size_t>(slot)] = false;
}

absl::StatusOr<std::shared_ptr<Session>> SessionPool::StartSession(const std::string& owner,
                                                                   const std::string& label,
                                                                   const SessionLimits& limits) {
  ASSIGN_OR_RETURN(const int slot, TakeSlot());
  const std::string id = NewId(IdKind::kSession);
  const std::string dir = absl::StrCat(options_.state_dir, "/sessions/", id);
  Session::Resources r;
  r.zygote = zygote_;
  r.disk_dir = dir + "/data";
  r.root_dir = dir + "/root";
  r.uid_base = options_.uid_base + 2 * static_cast<uint32_t>(slot);
  absl::Status status = MakeDir(dir, 0711);
  if (status.ok()) status = MakeDir(r.disk_dir, 0700);
  if (status.ok()) status = MakeDir(r.root_dir, 0711);
  if (status.ok()) {
    status = MountSessionDisk(r.disk_dir, limits.disk_bytes, r.uid_base + 1, r.uid_base + 1);
  }
  if (status.ok() && cgroups_->version() != CgroupVersion::kNone) {
    CgroupLimits cl = env_.cgroup_limits;
    // tmpfs pages (/mnt/data, /tmp, /dev/shm) are charged to the session's
    // memory cgroup as they are written.
    cl.memory_bytes = limits.memory_bytes + limits.disk_bytes + 2 * options_.tmp_bytes;
    absl::StatusOr<std::unique_ptr<SessionCgroup>> cgroup = cgroups_->CreateSession(id, cl);
    if (cgroup.ok()) r.cgroup = *std::move(cgroup);
    status = cgroup.status();
  }
  if (!status.ok()) {
    if (r.cgroup != nullptr) (void)r.cgroup->Remove();
    (void)UnmountSessionDisk(r.disk_dir);
    rmdir(r.root_dir.c_str());
    rmdir(dir.c_str());
    ReturnSlot(slot);
    return absl::UnavailableError(absl::StrCat("cannot prepare a session: ", status.message()));
  }
  r.on_release = [this, slot] { ReturnSlot(slot); };
  r.zygote_source = [this]() -> absl::StatusOr<std::shared_ptr<ZygoteClient>> {
    absl::MutexLock lock(&create_mu_);
    RETURN_IF_ERROR(StartZygoteLocked());
    return zygote_;
  };
  SessionInfo info;
  info.id = id;
  info.owner = owner;
  info.label = label;
  info.created_at = info.last_used_at = options_.clock->NowUnixSeconds();
  return Session::Start(&env_, std::move(info), limits, std::move(r));
}

absl::Status SessionPool::MakeRoom(const std::string& owner) {
  std::shared_ptr<Session> victim;
  {
    absl::MutexLock lock(&mu_);
    int total = 0, mine = 0;
    std::vector<std::pair<int64_t, std::shared_ptr<Session>>> idle, idle_mine;
    for (const auto& [id, entry] : sessions_) {
      const SessionInfo info = entry.session->info();
      if (!IsLive(info.state)) continue;
      ++total;
      if (info.owner == owner) ++mine;
      if (info.state == SessionState::kBusy) continue;
      idle.emplace_back(info.last_used_at, entry.session);
      if (info.owner == owner) idle_mine.emplace_back(info.last_used_at, entry.session);
    }
    const bool owner_full =
        options_.max_sessions_per_owner > 0 && mine >= options_.max_sessions_per_owner;
    if (total < options_.max_sessions && !owner_full) return absl::OkStatus();
    auto& candidates = owner_full ? idle_mine : idle;
    if (candidates.empty()) {
      return absl::ResourceExhaustedError(absl::StrCat(
          owner_full ? "the project's" : "the sandbox's", " sessions are all busy (at most ",
          owner_full ? options_.max_sessions_per_owner : options_.max_sessions, ")"));
    }
    victim = std::min_element(candidates.begin(), candidates.end(),
                              [](const auto& a, const auto& b) { return a.first < b.first; })
                 ->second;
  }
  // Least recently used first: its files are lost, as with an idle expiry.
  victim->Close(SessionState::kExpired);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Session>> SessionPool::CreateSession(const std::string& owner,
                                                                    const std::string& label,
                                                                    const SessionLimits& limits) {
  started_.WaitForNotification();
  absl::MutexLock lock(&create_mu_);
  RETURN_IF_ERROR(startup_status_);
  if (absl::Status z = StartZygoteLocked(); !z.ok()) return absl::UnavailableError(z.message());
  RETURN_IF_ERROR(MakeRoom(owner));
  ASSIGN_OR_RETURN(std::shared_ptr<Session> session, StartSession(owner, label, Clamp(limits)));
  absl::MutexLock map_lock(&mu_);
  sessions_[session->info().id] = Entry{session, absl::InfiniteFuture()};
  return session;
}

absl::StatusOr<std::shared_ptr<Session>> SessionPool::Find(const std::string& owner,
                                                           const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.session->info().owner != owner) {
    return absl::NotFoundError(absl::StrCat("No session found with id '", id, "'."));
  }
  return it->second.session;
}

void SessionPool::ReapExpired() {
  const absl::Time now = options_.clock->Now();
  std::vector<std::shared_ptr<Session>> expire;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      const SessionInfo info = it->second.session->info();
      const bool past_lifetime =
          now >= absl::FromUnixSeconds(info.created_at) + options_.max_lifetime;
      if (IsLive(info.state)) {
        if (now >= it->second.session->expiry() &&
            (info.state != SessionState::kBusy || past_lifetime)) {
          expire.push_back(it->second.session);
        }
      } else if (it->second.closed_seen == absl::InfiniteFuture()) {
        it->second.closed_seen = now;
      } else if (now - it->second.closed_seen > options_.retention) {
        it = sessions_.erase(it);
        continue;
      }
      ++it;
    }
  }
  for (const auto& s : expire) s->Close(SessionState::kExpired);
}

pid_t SessionPool::zygote_pid() {
  absl::MutexLock lock(&create_mu_);
  return zygote_ != nullptr ? zygote_->pid() : 0;
}

int SessionPool::live_sessions() const {
  absl::MutexLock lock(&mu_);
  int n = 0;
  for (const auto& [id, entry] : sessions_) n += IsLive(entry.session->info().state) ? 1 : 0;
  return n;
}

void SessionPool::ReaperLoop() {
  while (!stopping_.WaitForNotificationWithTimeout(absl::Seconds(1))) ReapExpired();
}

}  // namespace assistd::sandbox
