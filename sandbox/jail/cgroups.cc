#include "sandbox/jail/cgroups.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace assistd::sandbox {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InternalError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status WriteFile(const std::string& path, absl::string_view value) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("open ", path, ": ", std::strerror(errno)));
  const ssize_t n = write(fd, value.data(), value.size());
  const int saved = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    return absl::InternalError(
        absl::StrCat("write '", value, "' to ", path, ": ", std::strerror(saved)));
  }
  return absl::OkStatus();
}

std::vector<pid_t> ReadPids(const std::string& procs_file) {
  std::vector<pid_t> pids;
  absl::StatusOr<std::string> text = ReadFile(procs_file);
  if (!text.ok()) return pids;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    pid_t pid;
    if (absl::SimpleAtoi(line, &pid)) pids.push_back(pid);
  }
  return pids;
}

// "key value" lines (memory.oom_control, memory.events, cgroup.events).
int64_t ReadKey(const std::string& path, absl::string_view key) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, ' ');
    int64_t value;
    if (kv.first == key && absl::SimpleAtoi(kv.second, &value)) return value;
  }
  return 0;
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

absl::Status MakeDir(const std::string& path) {
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::InternalError(absl::StrCat("mkdir ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::vector<std::string> ListDirs(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    if (e->d_type == DT_DIR && e->d_name[0] != '.') names.push_back(e->d_name);
  }
  closedir(d);
  return names;
}

// Polls `done` every millisecond until it holds or `timeout` passes.
template <typename F>
bool WaitFor(F done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

// Kills the processes in `dir` and its sub-cgroups, then removes the
// directories (deepest first).
void KillAndRemoveTree(const std::string& dir) {
  for (const std::string& child : ListDirs(dir)) KillAndRemoveTree(absl::StrCat(dir, "/", child));
  WaitFor(
      [&] {
        std::vector<pid_t> pids = ReadPids(absl::StrCat(dir, "/cgroup.procs"));
        for (pid_t pid : pids) kill(pid, SIGKILL);
        return pids.empty();
      },
      absl::Seconds(2));
  if (rmdir(dir.c_str()) != 0 && errno != ENOENT) {
    LogWarning("sandbox: cannot remove cgroup ", dir, ": ", std::strerror(errno));
  }
}

// The layout of one cgroup version.
struct Layout {
  CgroupVersion version = CgroupVersion::kNone;
  // Controller -> directory of this process's cgroup (v2: one entry "").
  std::map<std::string, std::string> own_dirs;
};

class SessionCgroupImpl final : public SessionCgroup {
 public:
  SessionCgroupImpl(CgroupVersion version, std::map<std::string, std::string> dirs)
      : version_(version), dirs_(std::move(dirs)) {}
  ~SessionCgroupImpl() override { (void)Remove(); }

  std::vector<std::string> ProcsFiles() const override {
    std::vector<std::string> files;
    for (const auto& [controller, dir] : dirs_) files.push_back(dir + "/cgroup.procs");
    return files;
  }
  std::string path() const override { return Main(); }
  std::vector<pid_t> Pids() const override { return ReadPids(Main() + "/cgroup.procs"); }

  int64_t OomKills() const override {
    if (version_ == CgroupVersion::kV2) return ReadKey(Main() + "/memory.events", "oom_kill");
    return ReadKey(Main() + "/memory.oom_control", "oom_kill");
  }

  absl::Status Freeze() override {
    if (version_ == CgroupVersion::kV2) {
      RETURN_IF_ERROR(WriteFile(Main() + "/cgroup.freeze", "1"));
      if (WaitFor([&] { return ReadKey(Main() + "/cgroup.events", "frozen") == 1; },
                  absl::Seconds(1))) {
        return absl::OkStatus();
      }
    } else {
      const std::string state = dirs_.at("freezer") + "/freezer.state";
      RETURN_IF_ERROR(WriteFile(state, "FROZEN"));
      if (WaitFor([&] { return ReadFile(state).value_or("") == "FROZEN\n"; },
                  absl::Seconds(1))) {
        return absl::OkStatus();
      }
    }
    (void)Thaw();
    return absl::InternalError(absl::StrCat("cgroup ", Main(), " did not freeze"));
  }

  absl::Status Thaw() override {
    if (version_ == CgroupVersion::kV2) return WriteFile(Main() + "/cgroup.freeze", "0");
    return WriteFile(dirs_.at("freezer") + "/freezer.state", "THAWED");
  }

  absl::Status KillAll(absl::Duration timeout) override {
    const bool empty = WaitFor(
        [&] {
          std::vector<pid_t> pids = Pids();
          if (pids.empty()) return true;
          if (version_ == CgroupVersion::kV2 && Exists(Main() + "/cgroup.kill")) {
            (void)WriteFile(Main() + "/cgroup.kill", "1");
            return false;
          }
          // Frozen, nothing can fork between the listing and the kills;
          // the kills take effect on thaw.
          const bool frozen = Freeze().ok();
          for (pid_t pid : Pids()) kill(pid, SIGKILL);
          if (frozen) (void)Thaw();
          return false;
        },
        timeout);
    if (empty) return absl::OkStatus();
    return absl::DeadlineExceededError(
        absl::StrCat("processes left in cgroup ", Main(), " after SIGKILL"));
  }

  absl::Status Remove() override {
    if (removed_) return absl::OkStatus();
    absl::Status killed = KillAll(absl::Seconds(5));
    for (const auto& [controller, dir] : dirs_) {
      if (rmdir(dir.c_str()) != 0 && errno != ENOENT && killed.ok()) {
        killed = absl::InternalError(absl::StrCat("rmdir ", dir, ": ", std::strerror(errno)));
      }
    }
    removed_ = killed.ok();
    return killed;
  }

 private:
  const std::string& Main() const {
    auto it = dirs_.find(version_ == CgroupVersion::kV2 ? "" : "memory");
    return it->second;
  }

  const CgroupVersion version_;
  const std::map<std::string, std::string> dirs_;
  bool removed_ = false;
};

// mountinfo: "... <mount point> ... - <fstype> <source> <super options>".
struct CgroupMount {
  std::string mount_point;
  std::string type;
  std::vector<std::string> options;
};

std::vector<CgroupMount> CgroupMounts() {
  std::vector<CgroupMount> mounts;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> halves = absl::StrSplit(line, " - ");
    if (halves.size() != 2) continue;
    std::vector<std::string> left = absl::StrSplit(halves[0], ' ');
    std::vector<std::string> right = absl::StrSplit(halves[1], ' ');
    if (left.size() < 5 || right.size() < 3) continue;
    if (right[0] != "cgroup" && right[0] != "cgroup2") continue;
    mounts.push_back({left[4], right[0], absl::StrSplit(right[2], ',')});
  }
  return mounts;
}

// /proc/self/cgroup: "<id>:<controllers>:<path>" -> controller -> path
// (v2's line has no controllers and is stored under "").
std::map<std::string, std::string> OwnPaths() {
  std::map<std::string, std::string> paths;
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> parts = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (parts.size() != 3) continue;
    if (parts[1].empty()) paths[""] = parts[2];
    for (absl::string_view c : absl::StrSplit(parts[1], ',', absl::SkipEmpty())) {
      paths[std::string(c)] = parts[2];
    }
  }
  return paths;
}

std::string Join(const std::string& mount_point, const std::string& path) {
  return path == "/" ? mount_point : mount_point + path;
}

// v1: memory, pids and freezer are required; cpu is used when present.
Layout ProbeV1(const std::vector<CgroupMount>& mounts,
               const std::map<std::string, std::string>& own, std::string* reason) {
  Layout layout;
  for (const char* controller : {"memory", "pids", "freezer", "cpu"}) {
    for (const CgroupMount& m : mounts) {
      if (m.type != "cgroup") continue;
      bool has = false;
      for (const std::string& o : m.options) has = has || o == controller;
      auto path = own.find(controller);
      if (has && path != own.end()) layout.own_dirs[controller] = Join(m.mount_point, path->second);
    }
  }
  for (const char* required : {"memory", "pids", "freezer"}) {
    if (layout.own_dirs.count(required) == 0) {
      *reason = absl::StrCat("cgroup v1 has no ", required, " hierarchy");
      return Layout();
    }
  }
  if (layout.own_dirs.count("cpu") == 0) *reason = "cgroup v1 has no cpu hierarchy";
  layout.version = CgroupVersion::kV1;
  return layout;
}

Layout ProbeV2(const std::vector<CgroupMount>& mounts,
               const std::map<std::string, std::string>& own, std::string* reason) {
  Layout layout;
  auto path = own.find("");
  if (path == own.end()) return layout;
  for (const CgroupMount& m : mounts) {
    if (m.type != "cgroup2") continue;
    const std::string dir = Join(m.mount_point, path->second);
    const std::string controllers = ReadFile(dir + "/cgroup.controllers").value_or("");
    std::vector<std::string> names = absl::StrSplit(controllers, absl::ByAnyChar(" \n"));
    auto has = [&](const char* c) { return std::find(names.begin(), names.end(), c) != names.end(); };
    if (!has("memory") || !has("pids")) {
      *reason = absl::StrCat("cgroup v2 at ", dir, " does not offer memory and pids");
      continue;
    }
    layout.version = CgroupVersion::kV2;
    layout.own_dirs[""] = dir;
    return layout;
  }
  return layout;
}

// Enables the controllers below `dir` (v2 only).
absl::Status Delegate(const std::string& dir) {
  RETURN_IF_ERROR(WriteFile(dir + "/cgroup.subtree_control", "+memory +pids"));
  (void)WriteFile(dir + "/cgroup.subtree_control", "+cpu");
  return absl::OkStatus();
}

std::atomic<int> instance_counter{0};

class CgroupManagerImpl final : public CgroupManager {
 public:
  CgroupManagerImpl(Layout layout, std::string parent_name, std::string reason)
      : layout_(std::move(layout)), parent_name_(std::move(parent_name)),
        reason_(std::move(reason)),
        instance_(absl::StrCat("pool-", getpid(), "-", instance_counter++)) {}

  ~CgroupManagerImpl() override {
    for (const auto& [controller, dir] : layout_.own_dirs) KillAndRemoveTree(InstanceDir(dir));
  }

  CgroupVersion version() const override { return layout_.version; }
  std::string reason() const override { return reason_; }

  absl::Status Prepare() {
    for (const auto& [controller, dir] : layout_.own_dirs) {
      RETURN_IF_ERROR(MakeDir(ParentDir(dir)));
      if (layout_.version == CgroupVersion::kV2) RETURN_IF_ERROR(Delegate(dir));
      if (layout_.version == CgroupVersion::kV2) RETURN_IF_ERROR(Delegate(ParentDir(dir)));
      RETURN_IF_ERROR(MakeDir(InstanceDir(dir)));
      if (layout_.version == CgroupVersion::kV2) RETURN_IF_ERROR(Delegate(InstanceDir(dir)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<SessionCgroup>> CreateSession(
      const std::string& name, const CgroupLimits& limits) override {
    if (layout_.version == CgroupVersion::kNone) {
      return absl::FailedPreconditionError(absl::StrCat("no usable cgroups: ", reason_));
    }
    std::map<std::string, std::string> dirs;
    for (const auto& [controller, dir] : layout_.own_dirs) {
      dirs[controller] = absl::StrCat(InstanceDir(dir), "/", name);
    }
    auto cgroup = std::make_unique<SessionCgroupImpl>(layout_.version, dirs);
    for (const auto& [controller, dir] : dirs) RETURN_IF_ERROR(MakeDir(dir));
    RETURN_IF_ERROR(ApplyLimits(dirs, limits));
    return std::unique_ptr<SessionCgroup>(std::move(cgroup));
  }

  int ReapLeftovers() override {
    int reaped = 0;
    for (const auto& [controller, dir] : layout_.own_dirs) {
      for (const std::string& name : ListDirs(ParentDir(dir))) {
        std::vector<std::string> parts = absl::StrSplit(name, '-');
        pid_t pid;
        if (parts.size() != 3 || parts[0] != "pool" || !absl::SimpleAtoi(parts[1], &pid)) continue;
        if (pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH) continue;
        KillAndRemoveTree(absl::StrCat(ParentDir(dir), "/", name));
        ++reaped;
      }
    }
    return reaped;
  }

 private:
  std::string ParentDir(const std::string& own) const { return own + "/" + parent_name_; }
  std::string InstanceDir(const std::string& own) const {
    return ParentDir(own) + "/" + instance_;
  }

  absl::Status ApplyLimits(const std::map<std::string, std::string>& dirs,
                           const CgroupLimits& limits) {
    const std::string memory = std::to_string(limits.memory_bytes);
    const std::string pids = std::to_string(limits.pids);
    if (layout_.version == CgroupVersion::kV2) {
      const std::string& dir = dirs.at("");
      RETURN_IF_ERROR(WriteFile(dir + "/memory.max", memory));
      if (Exists(dir + "/memory.swap.max")) RETURN_IF_ERROR(WriteFile(dir + "/memory.swap.max", "0"));
      RETURN_IF_ERROR(WriteFile(dir + "/pids.max", pids));
      if (Exists(dir + "/cpu.max")) {
        RETURN_IF_ERROR(WriteFile(dir + "/cpu.max", absl::StrCat(limits.cpu_millicores * 100, " 100000")));
      }
      return absl::OkStatus();
    }
    const std::string& mem = dirs.at("memory");
    RETURN_IF_ERROR(WriteFile(mem + "/memory.limit_in_bytes", memory));
    if (Exists(mem + "/memory.memsw.limit_in_bytes")) {
      RETURN_IF_ERROR(WriteFile(mem + "/memory.memsw.limit_in_bytes", memory));
    }
    (void)WriteFile(mem + "/memory.swappiness", "0");
    RETURN_IF_ERROR(WriteFile(dirs.at("pids") + "/pids.max", pids));
    if (dirs.count("cpu") > 0) {
      const std::string& cpu = dirs.at("cpu");
      RETURN_IF_ERROR(WriteFile(cpu + "/cpu.cfs_period_us", "100000"));
      RETURN_IF_ERROR(WriteFile(cpu + "/cpu.cfs_quota_us", std::to_string(limits.cpu_millicores * 100)));
    }
    return absl::OkStatus();
  }

  const Layout layout_;
  const std::string parent_name_;
  const std::string reason_;
  const std::string instance_;
};

}  // namespace

const char* CgroupVersionName(CgroupVersion version) {
  switch (version) {
    case CgroupVersion::kV1: return "v1";
    case CgroupVersion::kV2: return "v2";
    case CgroupVersion::kNone: break;
  }
  return "none";
}

std::unique_ptr<CgroupManager> CgroupManager::Create(const CgroupOptions& options) {
  std::string reason = "disabled by the operator";
  Layout layout;
  if (!options.disable) {
    reason.clear();
    const std::vector<CgroupMount> mounts = CgroupMounts();
    const std::map<std::string, std::string> own = OwnPaths();
    layout = ProbeV2(mounts, own, &reason);
    if (layout.version == CgroupVersion::kNone) {
      std::string v1_reason;
      layout = ProbeV1(mounts, own, &v1_reason);
      if (!v1_reason.empty()) reason = reason.empty() ? v1_reason : reason + "; " + v1_reason;
    }
    if (layout.version == CgroupVersion::kNone && reason.empty()) reason = "no cgroup mounts";
  }
  auto manager = std::make_unique<CgroupManagerImpl>(layout, options.parent_name, reason);
  if (layout.version != CgroupVersion::kNone) {
    if (absl::Status s = manager->Prepare(); !s.ok()) {
      return std::make_unique<CgroupManagerImpl>(Layout(), options.parent_name,
                                                 std::string(s.message()));
    }
  }
  return manager;
}

}  // namespace assistd::sandbox
