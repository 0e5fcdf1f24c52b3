#include "sandbox/jail/environment.h"

#include <cstdlib>
#include <cstring>

namespace assistd::sandbox {

std::vector<std::string> SandboxEnvironment() {
  return {
      "HOME=/tmp",
      "LANG=C.UTF-8",
      "LC_ALL=C.UTF-8",
      "PATH=/usr/local/bin:/usr/bin:/bin",
      "TMPDIR=/tmp",
      "MPLBACKEND=Agg",
      // Read-only, with the font cache the zygote built before any session.
      "MPLCONFIGDIR=/var/cache/mplconfig",
      // BLAS and OpenMP pools would start threads in the zygote, and a fork
      // copies only the forking thread (locks held by the others deadlock).
      "OPENBLAS_NUM_THREADS=1",
      "OMP_NUM_THREADS=1",
      "MKL_NUM_THREADS=1",
      "NUMEXPR_NUM_THREADS=1",
      "PYTHONDONTWRITEBYTECODE=1",
      "PYTHONIOENCODING=utf-8",
  };
}

void ReplaceEnvironment(const std::vector<std::string>& env) {
  clearenv();
  for (const std::string& entry : env) {
    // putenv keeps the pointer: give it a copy that is never freed (the
    // process is a session that lives until it exits).
    putenv(strdup(entry.c_str()));
  }
}

}  // namespace assistd::sandbox
