#ifndef ASSISTD_SERVICES_ORCHESTRATOR_ORCHESTRATOR_MODULE_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_ORCHESTRATOR_MODULE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/channel_registry.h"
#include "services/common/hosted_service.h"

namespace assistd::orchestrator {

struct OrchestratorModuleOptions {
  std::string data_dir;  // orchestrator.db
  // Model routing table (see model/model_router.h for the syntax), e.g.
  // "*=http://127.0.0.1:8000/v1". Empty: no endpoint is configured.
  std::string model_endpoints;
  int max_workers = 1024;        // runs driven at once
  int max_model_calls = 16;      // per run
  absl::Duration requires_action_timeout = absl::Minutes(10);
  absl::Duration model_timeout = absl::Minutes(5);  // per model call
};

// The orchestrator part of assistd: orchestrator.db, the run engine and
// its workers, and the Assistant/Thread/Run services. The `vector_stores`
// helpers call the retrieval service through `channels`, which must
// outlive the module.
absl::StatusOr<std::unique_ptr<HostedService>> NewOrchestratorModule(
    OrchestratorModuleOptions options, ChannelRegistry* channels);

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_ORCHESTRATOR_MODULE_H_
