#ifndef ASSISTD_SANDBOX_JAIL_ENVIRONMENT_H_
#define ASSISTD_SANDBOX_JAIL_ENVIRONMENT_H_

#include <string>
#include <vector>

namespace assistd::sandbox {

// The whole environment of the zygote and of every session, as KEY=VALUE:
// an allowlist (HOME, LANG, PATH, MPLBACKEND, MPLCONFIGDIR, the BLAS thread
// counts, PYTHONDONTWRITEBYTECODE, ...). Nothing of the service's own
// environment (keys, addresses) is ever passed on.
std::vector<std::string> SandboxEnvironment();

// Replaces the calling process's environment with `env` (clearenv, then
// putenv of copies that live until exit). Call in a forked child.
void ReplaceEnvironment(const std::vector<std::string>& env);

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_JAIL_ENVIRONMENT_H_
