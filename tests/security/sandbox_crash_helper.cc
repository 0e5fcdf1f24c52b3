// Test helper: starts a session pool on argv[1] with one session, prints
// "session <pid1> <cgroup dir> <disk dir>" and waits to be killed. The
// supervisor-crash tests SIGKILL it and check what survives.

#include <unistd.h>

#include <cstdio>

#include "sandbox/session_pool.h"

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  assistd::sandbox::SessionPoolOptions o;
  o.state_dir = argv[1];
  o.zygote_path = argv[2];
  o.uid_base = static_cast<uint32_t>(std::atoi(argv[3]));
  o.max_sessions = 2;
  o.default_limits.memory_bytes = int64_t{256} << 20;
  o.default_limits.disk_bytes = int64_t{16} << 20;
  o.background_reaper = false;
  auto pool = assistd::sandbox::SessionPool::Create(o);
  if (!pool.ok() || !(*pool)->WaitUntilReady().ok()) return 3;
  auto session = (*pool)->CreateSession("p", "crash", o.default_limits);
  if (!session.ok()) return 4;
  std::printf("session %d %s %s\n", (*session)->pid(),
              (*session)->cgroup() ? (*session)->cgroup()->path().c_str() : "-",
              (*session)->disk_dir().c_str());
  std::fflush(stdout);
  pause();
  return 0;
}
