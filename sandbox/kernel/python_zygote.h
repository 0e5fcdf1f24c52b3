#ifndef ASSISTD_SANDBOX_KERNEL_PYTHON_ZYGOTE_H_
#define ASSISTD_SANDBOX_KERNEL_PYTHON_ZYGOTE_H_

#include <string>

namespace assistd::sandbox {

struct PythonZygoteOptions {
  // The SOCK_SEQPACKET socket to the pool (zygote_protocol.h).
  int control_fd = 3;
  // Host directory where matplotlib's font cache is built once; sessions
  // see it read-only at /var/cache/mplconfig.
  std::string mplconfig_dir;
};

// The body of assistd-sandbox-zygote: an embedded CPython that imports
// numpy, pandas and matplotlib (Agg, one warm-up figure) and the kernel
// (driver.py, compiled in), then forks one jailed session process per spawn
// request (jail.h) and reports their exits. Single-threaded by design: it
// checks "Threads: 1" before every fork, because a fork copies only the
// calling thread and user namespaces refuse multi-threaded callers.
// Returns when the pool closes the socket, after killing every session it
// started. Run it from a clean exec, never from a fork of the service.
int RunPythonZygote(const PythonZygoteOptions& options);

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_KERNEL_PYTHON_ZYGOTE_H_
