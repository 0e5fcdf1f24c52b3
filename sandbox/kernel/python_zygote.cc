#include "sandbox/kernel/python_zygote.h"

// Python.h must come first (it sets feature macros).
#include <Python.h>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "sandbox/jail/environment.h"
#include "sandbox/jail/jail.h"
#include "sandbox/jail/seccomp_filter.h"
#include "sandbox/kernel/driver_source.h"
#include "sandbox/kernel/zygote_protocol.h"

namespace assistd::sandbox {
namespace {

sigset_t g_original_mask;

void AfterForkInChild() {
  PyOS_AfterFork_Child();
  sigprocmask(SIG_SETMASK, &g_original_mask, nullptr);
}

const ForkHooks kPythonForkHooks = {PyOS_BeforeFork, PyOS_AfterFork_Parent, AfterForkInChild};

constexpr char kPreload[] = R"PY(
import os, sys, io
os.environ['MPLCONFIGDIR'] = MPLCONFIG_HOST_DIR
import numpy, pandas, matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
# Draw once so fonts, the Agg renderer and the PNG writer are loaded and
# shared by every session instead of loaded in each.
_fig = plt.figure()
plt.plot([0, 1], [0, 1])
plt.title('warm-up')
_fig.savefig(io.BytesIO(), format='png')
plt.close('all')
del _fig
os.environ['MPLCONFIGDIR'] = '/var/cache/mplconfig'
import types
_driver = types.ModuleType('assistd_driver')
_driver.__file__ = 'assistd_driver.py'
exec(compile(DRIVER_SOURCE, 'assistd_driver.py', 'exec'), _driver.__dict__)
sys.modules['assistd_driver'] = _driver
del _driver, types
)PY";

std::string PythonError() {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  std::string text = "python error";
  if (value != nullptr) {
    PyObject* s = PyObject_Str(value);
    if (s != nullptr && PyUnicode_Check(s)) text = PyUnicode_AsUTF8(s);
    Py_XDECREF(s);
  }
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
  return text;
}

absl::Status InitPython(const std::string& mplconfig_dir) {
  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.write_bytecode = 0;
  config.install_signal_handlers = 1;
  PyStatus st = PyConfig_SetBytesString(&config, &config.program_name, "/usr/bin/python3");
  if (!PyStatus_Exception(st)) st = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(st)) {
    return absl::InternalError(absl::StrCat("python init: ", st.err_msg ? st.err_msg : "?"));
  }
  PyObject* main = PyImport_AddModule("__main__");
  PyObject* globals = PyModule_GetDict(main);
  PyDict_SetItemString(globals, "MPLCONFIG_HOST_DIR",
                       PyUnicode_FromString(mplconfig_dir.c_str()));
  PyDict_SetItemString(globals, "DRIVER_SOURCE", PyUnicode_FromString(kDriverSource));
  PyObject* r = PyRun_String(kPreload, Py_file_input, globals, globals);
  if (r == nullptr) return absl::InternalError(absl::StrCat("preload: ", PythonError()));
  Py_DECREF(r);
  return absl::OkStatus();
}

int RunKernel() {
  PyObject* module = PyImport_ImportModule("assistd_driver");
  PyObject* r = module ? PyObject_CallMethod(module, "serve", "i", kSessionControlFd) : nullptr;
  if (r == nullptr) {
    PyErr_Print();
    return 1;
  }
  const long code = PyLong_Check(r) ? PyLong_AsLong(r) : 0;
  Py_DECREF(r);
  return static_cast<int>(code);
}

bool SingleThreaded() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return line == "Threads:\t1";
  }
  return false;
}

class Zygote {
 public:
  Zygote(int control_fd, std::string mplconfig_dir, SeccompProgram seccomp)
      : control_fd_(control_fd), mplconfig_dir_(std::move(mplconfig_dir)),
        seccomp_(std::move(seccomp)) {}

  int Serve(int signal_fd);

 private:
  void Spawn(ZygotePacket packet);
  void Reap(int signal_fd);

  const int control_fd_;
  const std::string mplconfig_dir_;
  const SeccompProgram seccomp_;
  std::set<pid_t> live_;
};

void Zygote::Spawn(ZygotePacket packet) {
  absl::StatusOr<SpawnRequest> req = DecodeSpawn(packet.fields);
  absl::StatusOr<pid_t> pid = absl::InternalError("not spawned");
  if (!req.ok()) {
    pid = req.status();
  } else if (packet.fds.size() != kSpawnFdCount) {
    pid = absl::InvalidArgumentError("spawn needs 3 descriptors");
  } else if (!SingleThreaded()) {
    pid = absl::InternalError("zygote is not single-threaded");
  } else {
    req->jail.root.mplconfig_dir = mplconfig_dir_;
    req->jail.env = SandboxEnvironment();
    const int err_fd = packet.fds[kSpawnStderrFd];
    pid = SpawnJailed(req->jail, seccomp_,
                      {{packet.fds[kSpawnControlFd], kSessionControlFd},
                       {packet.fds[kSpawnStdoutFd], STDOUT_FILENO},
                       {err_fd, STDERR_FILENO}},
                      err_fd, kPythonForkHooks, RunKernel);
  }
  for (int fd : packet.fds) close(fd);
  const std::string id = req.ok() ? absl::StrCat(req->id) : "0";
  if (pid.ok()) {
    live_.insert(*pid);
    (void)SendPacket(control_fd_, {"started", id, absl::StrCat(*pid)});
  } else {
    (void)SendPacket(control_fd_, {"failed", id, std::string(pid.status().message())});
  }
}

void Zygote::Reap(int signal_fd) {
  signalfd_siginfo info;
  while (read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
  }
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    live_.erase(pid);
    (void)SendPacket(control_fd_, {"exited", absl::StrCat(pid), absl::StrCat(status)});
  }
}

int Zygote::Serve(int signal_fd) {
  while (true) {
    pollfd fds[2] = {{control_fd_, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLIN) Reap(signal_fd);
    if (fds[0].revents & POLLIN) {
      absl::StatusOr<ZygotePacket> packet = ReceivePacket(control_fd_);
      if (!packet.ok()) break;  // the pool is gone
      const std::string& kind = packet->fields[0];
      if (kind == "spawn") {
        Spawn(*std::move(packet));
      } else if (kind == "signal" && packet->fields.size() == 3) {
        const pid_t pid = std::atoi(packet->fields[1].c_str());
        // Only unreaped children: the pid cannot have been reused.
        if (live_.count(pid) > 0) kill(pid, std::atoi(packet->fields[2].c_str()));
      }
      for (int fd : packet.ok() ? packet->fds : std::vector<int>()) close(fd);
    } else if (fds[0].revents & (POLLHUP | POLLERR)) {
      break;
    }
  }
  for (pid_t pid : live_) kill(pid, SIGKILL);
  while (waitpid(-1, nullptr, 0) > 0) {
  }
  return 0;
}

}  // namespace

int RunPythonZygote(const PythonZygoteOptions& options) {
  // Sessions inherit no supplementary groups (root's would be kept on the
  // host side of the user namespace).
  (void)setgroups(0, nullptr);
  absl::StatusOr<SeccompProgram> seccomp = SeccompProgram::Build();
  absl::Status init = seccomp.ok() ? InitPython(options.mplconfig_dir) : seccomp.status();
  if (!init.ok()) {
    (void)SendPacket(options.control_fd, {"failed", "0", std::string(init.message())});
    return 1;
  }
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &g_original_mask);
  const int signal_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd < 0 || !SendPacket(options.control_fd, {"ready"}).ok()) return 1;
  Zygote zygote(options.control_fd, options.mplconfig_dir, *std::move(seccomp));
  return zygote.Serve(signal_fd);
}

}  // namespace assistd::sandbox
