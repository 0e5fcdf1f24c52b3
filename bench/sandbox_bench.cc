// Sandbox latency and density, with a bubblewrap cold start side by side.
//
//   sandbox_bench [--sessions=60] [--execs=500] [--plots=20] [--idle=20]
//                 [--bwrap_runs=20] [--state_dir=/var/tmp/assistd-sandbox-bench]
//
// Runs the real pool (zygote + namespaces + cgroups + seccomp) in-process,
// so the figures are service-internal (no gRPC). Needs root.

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "sandbox/session_pool.h"

ABSL_FLAG(int, sessions, 60, "New sessions to time (and tear down).");
ABSL_FLAG(int, execs, 500, "Trivial executions to time.");
ABSL_FLAG(int, plots, 20, "Plot-to-PNG executions to time.");
ABSL_FLAG(int, idle, 20, "Idle sessions held at once for the memory figure.");
ABSL_FLAG(int, bwrap_runs, 20, "bwrap cold starts per variant.");
ABSL_FLAG(std::string, state_dir, "/var/tmp/assistd-sandbox-bench", "Pool state dir.");

namespace assistd::sandbox {
namespace {

class NullSink final : public ExecuteSink {
 public:
  bool OnStdout(absl::string_view) override { return true; }
  bool OnStderr(absl::string_view) override { return true; }
  bool OnResult(absl::string_view) override { return true; }
  bool OnError(absl::string_view e, absl::string_view v, const std::vector<std::string>&) override {
    errors++;
    return true;
  }
  bool OnImage(absl::string_view, absl::string_view, absl::string_view) override {
    images++;
    return true;
  }
  bool OnFile(absl::string_view, int64_t, absl::string_view, int64_t) override { return true; }
  int errors = 0, images = 0;
};

struct Stats {
  double p50, p99, mean;
};

Stats Summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))]; };
  return {at(0.5), at(0.99), sum / ms.size()};
}

void Print(const char* what, const Stats& s, const char* unit = "ms") {
  std::printf("%-44s p50 %8.3f %s   p99 %8.3f %s   mean %8.3f %s\n", what, s.p50, unit, s.p99,
              unit, s.mean, unit);
}

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

// Private memory of a session: what its cgroup has been charged (pages it
// wrote itself; the zygote's shared pages are charged to the zygote).
int64_t CgroupBytes(Session* s) {
  for (const char* file : {"/memory.usage_in_bytes", "/memory.current"}) {
    std::ifstream in(s->cgroup()->path() + file);
    int64_t v = 0;
    if (in >> v) return v;
  }
  return 0;
}

int64_t PrivateBytes(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/smaps_rollup"));
  std::string line;
  int64_t total = 0;
  while (std::getline(in, line)) {
    long long kb = 0;
    if (std::sscanf(line.c_str(), "Private_Clean: %lld kB", &kb) == 1 ||
        std::sscanf(line.c_str(), "Private_Dirty: %lld kB", &kb) == 1) {
      total += static_cast<int64_t>(kb) << 10;
    }
  }
  return total;
}

double RunCommand(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  char* env[] = {const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};
  const absl::Time start = absl::Now();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return Ms(absl::Now() - start);
}

std::vector<std::string> Bwrap(const std::string& python_args) {
  return {"/usr/bin/bwrap", "--unshare-all", "--die-with-parent", "--clearenv",
          "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib",
          "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
          "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache",
          "--ro-bind", "/etc/matplotlibrc", "/etc/matplotlibrc",
          "--ro-bind", "/etc/alternatives", "/etc/alternatives",
          "--ro-bind", "/etc/fonts", "/etc/fonts",
          "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/mnt/data",
          "--setenv", "MPLBACKEND", "Agg", "--setenv", "HOME", "/tmp",
          "/bin/sh", "-c", "exec /usr/bin/python3 " + python_args};
}

void BenchBwrap(int runs) {
  if (access("/usr/bin/bwrap", X_OK) != 0) {
    std::printf("bwrap not installed: baseline skipped\n");
    return;
  }
  struct Variant {
    const char* name;
    std::string args;
    int runs;
  } variants[] = {
      {"bwrap + python3 -S -c pass (cold start)", "-S -c pass", runs},
      {"bwrap + python3 import numpy,pandas,mpl", "-c 'import numpy, pandas, matplotlib.pyplot'",
       std::max(3, runs / 4)},
  };
  for (const Variant& v : variants) {
    std::vector<double> ms;
    for (int i = 0; i < v.runs; ++i) {
      const double t = RunCommand(Bwrap(v.args));
      if (t >= 0) ms.push_back(t);
    }
    if (ms.empty()) {
      std::printf("%s: failed\n", v.name);
      continue;
    }
    Print(v.name, Summarize(ms));
  }
}

int Run() {
  SessionPoolOptions o;
  o.state_dir = absl::GetFlag(FLAGS_state_dir);
  o.zygote_path = ASSISTD_ZYGOTE;
  o.max_sessions = std::max(absl::GetFlag(FLAGS_idle), 8) + 2;
  o.default_limits.memory_bytes = int64_t{512} << 20;
  o.default_limits.disk_bytes = int64_t{64} << 20;
  o.background_reaper = false;
  mkdir("/var/tmp", 01777);
  const absl::Time t0 = absl::Now();
  auto pool = SessionPool::Create(o);
  if (!pool.ok() || !(*pool)->WaitUntilReady().ok()) {
    std::fprintf(stderr, "pool: %s\n", pool.ok() ? "not ready" : pool.status().ToString().c_str());
    return 1;
  }
  std::printf("tier: %s; zygote start + probe: %.0f ms\n", (*pool)->tier().c_str(),
              Ms(absl::Now() - t0));
  SessionPool* p = pool->get();
  NullSink sink;

  std::vector<double> create, teardown;
  for (int i = 0; i < absl::GetFlag(FLAGS_sessions); ++i) {
    absl::Time start = absl::Now();
    auto s = p->CreateSession("bench", "", o.default_limits);
    if (!s.ok()) return 1;
    create.push_back(Ms(absl::Now() - start));
    start = absl::Now();
    (*s)->Close();
    teardown.push_back(Ms(absl::Now() - start));
  }
  Print("new session (fork+namespaces+mounts+cgroup)", Summarize(create));
  Print("teardown (kill, cgroup empty, unmount)", Summarize(teardown));

  auto s = *p->CreateSession("bench", "", o.default_limits);
  std::vector<double> exec;
  for (int i = 0; i < absl::GetFlag(FLAGS_execs); ++i) {
    const absl::Time start = absl::Now();
    (void)s->Execute("pass", absl::Seconds(10), &sink);
    exec.push_back(Ms(absl::Now() - start));
  }
  Print("trivial execute round trip ('pass')", Summarize(exec));
  exec.clear();
  for (int i = 0; i < absl::GetFlag(FLAGS_execs); ++i) {
    const absl::Time start = absl::Now();
    (void)s->Execute("1 + 1", absl::Seconds(10), &sink);
    exec.push_back(Ms(absl::Now() - start));
  }
  Print("trivial execute round trip ('1 + 1')", Summarize(exec));

  std::vector<double> plot;
  (void)s->Execute("import matplotlib.pyplot as plt", absl::Seconds(10), &sink);
  for (int i = 0; i < absl::GetFlag(FLAGS_plots); ++i) {
    const absl::Time start = absl::Now();
    (void)s->Execute("plt.plot([1, 3, 2]); plt.title('t')", absl::Seconds(30), &sink);
    plot.push_back(Ms(absl::Now() - start));
  }
  Print("plot + PNG collected", Summarize(plot));
  std::printf("(images returned: %d, errors: %d)\n", sink.images, sink.errors);
  s->Close();

  std::vector<std::shared_ptr<Session>> idle;
  for (int i = 0; i < absl::GetFlag(FLAGS_idle); ++i) {
    auto n = p->CreateSession("bench", "", o.default_limits);
    if (!n.ok()) break;
    (void)(*n)->Execute("import numpy, pandas\nx = 1", absl::Seconds(10), &sink);
    idle.push_back(*n);
  }
  double charged = 0, priv = 0;
  for (auto& n : idle) {
    charged += static_cast<double>(CgroupBytes(n.get()));
    priv += static_cast<double>(PrivateBytes(n->pid()));
  }
  charged /= idle.size();
  priv /= idle.size();
  std::printf("%zu idle sessions: cgroup charge %.1f MiB each, private (smaps) %.1f MiB each\n",
              idle.size(), charged / (1 << 20), priv / (1 << 20));
  std::printf("=> sessions in 24 GiB: %.0f (by cgroup charge), %.0f (by private memory)\n",
              24.0 * (1 << 30) / charged, 24.0 * (1 << 30) / priv);
  for (auto& n : idle) n->Close();
  idle.clear();
  pool->reset();
  BenchBwrap(absl::GetFlag(FLAGS_bwrap_runs));
  return 0;
}

}  // namespace
}  // namespace assistd::sandbox

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return assistd::sandbox::Run();
}
