#include "services/orchestrator/orchestrator_module.h"

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "assistd/v1/vector_stores.grpc.pb.h"
#include "common/status_macros.h"
#include "services/common/grpc_status.h"
#include "services/common/project.h"
#include "services/orchestrator/assistant_store.h"
#include "services/orchestrator/model/model_router.h"
#include "services/orchestrator/orchestrator_schema.h"
#include "services/orchestrator/orchestrator_service.h"
#include "services/orchestrator/run_engine.h"
#include "services/orchestrator/thread_store.h"

namespace assistd::orchestrator {
namespace {

constexpr absl::Duration kHelperDeadline = absl::Seconds(60);
constexpr int kThreadStoreExpiryDays = 7;

class OrchestratorModule final : public HostedService {
 public:
  OrchestratorModule(std::unique_ptr<sqlite::Database> db,
                     std::unique_ptr<model::ModelRouter> router, VectorStoreHelper helper)
      : db_(std::move(db)),
        router_(std::move(router)),
        assistants_(db_.get(), RealClock()),
        threads_(db_.get(), RealClock()),
        assistant_service_(&assistants_, helper),
        thread_service_(&threads_, helper),
        helper_(std::move(helper)) {}

  absl::Status Start(const OrchestratorModuleOptions& options) {
    RunEngineOptions engine;
    model::ModelRouter* router = router_.get();
    engine.models = [router](const std::string& name) { return router->Resolve(name); };
    engine.max_workers = options.max_workers;
    engine.max_model_calls = options.max_model_calls;
    engine.requires_action_timeout = options.requires_action_timeout;
    engine.model_timeout = options.model_timeout;
    ASSIGN_OR_RETURN(engine_, RunEngine::Create(db_.get(), std::move(engine)));
    run_service_ = std::make_unique<RunServiceImpl>(engine_.get(), helper_);
    return absl::OkStatus();
  }

  std::vector<grpc::Service*> grpc_services() override {
    return {&assistant_service_, &thread_service_, run_service_.get()};
  }
  void Stop() override { engine_->Stop(); }

 private:
  std::unique_ptr<sqlite::Database> db_;
  std::unique_ptr<model::ModelRouter> router_;
  AssistantStore assistants_;
  ThreadStore threads_;
  AssistantServiceImpl assistant_service_;
  ThreadServiceImpl thread_service_;
  VectorStoreHelper helper_;
  std::unique_ptr<RunEngine> engine_;
  std::unique_ptr<RunServiceImpl> run_service_;
};

// Creates the store of a `vector_stores` helper through VectorStoreService.
absl::Status CreateHelperStore(ChannelRegistry* channels, const std::string& project,
                               bool for_thread, v1::ToolResources* resources) {
  v1::FileSearchResources* fs = resources->mutable_file_search();
  const v1::ToolResourcesVectorStore& spec = fs->vector_stores(0);
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                   channels->ChannelFor(ServiceId::kRetrieval));
  auto stub = v1::VectorStoreService::NewStub(channel);
  grpc::ClientContext ctx;
  SetProject(&ctx, project);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + kHelperDeadline));
  v1::CreateVectorStoreRequest req;
  *req.mutable_file_ids() = spec.file_ids();
  if (spec.has_chunking_strategy()) *req.mutable_chunking_strategy() = spec.chunking_strategy();
  if (spec.has_metadata()) *req.mutable_metadata() = spec.metadata();
  if (for_thread) {
    req.mutable_expires_after()->set_anchor(v1::EXPIRES_AFTER_ANCHOR_LAST_ACTIVE_AT);
    req.mutable_expires_after()->set_days(kThreadStoreExpiryDays);
  }
  v1::VectorStore store;
  absl::Status status = FromGrpcStatus(stub->CreateVectorStore(&ctx, req, &store));
  if (!status.ok()) {
    return absl::Status(status.code(), absl::StrCat("tool_resources.file_search.vector_stores[0]: ",
                                                    status.message()));
  }
  fs->clear_vector_stores();
  fs->add_vector_store_ids(store.id());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<HostedService>> NewOrchestratorModule(
    OrchestratorModuleOptions options, ChannelRegistry* channels) {
  sqlite::DatabaseOptions db_options;
  db_options.path = absl::StrCat(options.data_dir, "/orchestrator.db");
  db_options.migrations = OrchestratorMigrations();
  ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Database> db, sqlite::Database::Open(db_options));
  ASSIGN_OR_RETURN(std::unique_ptr<model::ModelRouter> router,
                   model::ModelRouter::Create(options.model_endpoints));
  VectorStoreHelper helper = [channels](const std::string& project, bool for_thread,
                                        v1::ToolResources* resources) {
    return CreateHelperStore(channels, project, for_thread, resources);
  };
  auto module = std::make_unique<OrchestratorModule>(std::move(db), std::move(router),
                                                     std::move(helper));
  RETURN_IF_ERROR(module->Start(options));
  return std::unique_ptr<HostedService>(std::move(module));
}

}  // namespace assistd::orchestrator
