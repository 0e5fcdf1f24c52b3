#ifndef ASSISTD_SERVICES_SANDBOX_SANDBOX_MODULE_H_
#define ASSISTD_SERVICES_SANDBOX_SANDBOX_MODULE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "sandbox/session_pool.h"
#include "services/common/hosted_service.h"

namespace assistd::sandbox {

struct SandboxModuleOptions {
  // The pool: limits, tiers, state dir (the server sets <data_dir>/sandbox
  // when empty) and zygote path (next to the binary when empty).
  SessionPoolOptions pool;
};

// The sandbox part of assistd: the session pool (started in the background:
// the zygote imports its libraries while the server comes up) and
// SandboxService. If the host cannot run the jail, the server still starts
// and CreateSession answers UNAVAILABLE with the reason.
absl::StatusOr<std::unique_ptr<HostedService>> NewSandboxModule(SandboxModuleOptions options);

}  // namespace assistd::sandbox

#endif  // ASSISTD_SERVICES_SANDBOX_SANDBOX_MODULE_H_
