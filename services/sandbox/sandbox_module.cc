#include "services/sandbox/sandbox_module.h"

#include "common/status_macros.h"
#include "services/sandbox/sandbox_core.h"
#include "services/sandbox/sandbox_service.h"

namespace assistd::sandbox {
namespace {

class SandboxModule final : public HostedService {
 public:
  explicit SandboxModule(std::unique_ptr<SessionPool> pool)
      : pool_(std::move(pool)), core_(pool_.get()), service_(&core_) {}
  std::vector<grpc::Service*> grpc_services() override { return {&service_}; }

 private:
  std::unique_ptr<SessionPool> pool_;
  SandboxCore core_;
  SandboxService service_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HostedService>> NewSandboxModule(SandboxModuleOptions options) {
  options.pool.start_in_background = true;
  ASSIGN_OR_RETURN(auto pool, SessionPool::Create(std::move(options.pool)));
  return std::unique_ptr<HostedService>(new SandboxModule(std::move(pool)));
}

}  // namespace assistd::sandbox
