// assistd-sandbox-zygote: the pre-initialised Python that sessions are
// forked from. Started by the sandbox pool with a clean environment and its
// control socket as fd 3; not meant to be run by hand.
//
//   assistd-sandbox-zygote --mplconfig_dir=<dir>

#include <cstring>
#include <string>

#include "sandbox/kernel/python_zygote.h"

int main(int argc, char** argv) {
  assistd::sandbox::PythonZygoteOptions options;
  constexpr char kFlag[] = "--mplconfig_dir=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], kFlag, sizeof(kFlag) - 1) == 0) {
      options.mplconfig_dir = argv[i] + sizeof(kFlag) - 1;
    }
  }
  if (options.mplconfig_dir.empty()) return 2;
  return assistd::sandbox::RunPythonZygote(options);
}
