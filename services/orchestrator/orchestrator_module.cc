#include "services/orchestrator/orchestrator_module.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "services/orchestrator/assistant_store.h"
#include "services/orchestrator/model/extractive_model.h"
#include "services/orchestrator/model/model_router.h"
#include "services/orchestrator/orchestrator_schema.h"
#include "services/orchestrator/orchestrator_service.h"
#include "services/orchestrator/run_engine.h"
#include "services/orchestrator/thread_store.h"
#include "services/orchestrator/tools/server_builtin_tools.h"
#include "services/orchestrator/tools/service_calls.h"

namespace assistd::orchestrator {
namespace {

constexpr int kThreadStoreExpiryDays = 7;
constexpr absl::Duration kIngestWait = absl::Seconds(60);

// assistd-extractive under its own name, and as the default route when no
// model endpoint is configured at all.
absl::Status RegisterBuiltinModels(const std::string& endpoints, model::ModelRouter* router) {
  auto extractive = std::make_shared<model::ExtractiveModel>();
  absl::Status named = router->Register(model::ExtractiveModel::kName, extractive);
  if (!named.ok() && !absl::IsAlreadyExists(named)) return named;
  if (!endpoints.empty()) return absl::OkStatus();
  LogInfo("orchestrator: no --model_endpoints: every model name is served by ",
          model::ExtractiveModel::kName, " (the built-in model without weights)");
  return router->Register("*", extractive);
}

// VectorStoreOps over the retrieval service.
class RetrievalOps final : public VectorStoreOps {
 public:
  explicit RetrievalOps(ChannelRegistry* channels) : calls_(channels) {}

  absl::Status CreateHelperStore(const std::string& project, bool for_thread,
                                 v1::ToolResources* resources) override;
  absl::Status AddFiles(const std::string& project, const std::string& store_id,
                        const std::vector<std::string>& file_ids) override {
    absl::Status status = calls_.AddFilesToStore(project, store_id, file_ids);
    if (status.ok()) return status;
    return absl::Status(status.code(), absl::StrCat("attachments: ", status.message()));
  }
  absl::Status CheckStore(const std::string& project, const std::string& store_id) override {
    return calls_.GetVectorStore(project, store_id).status();
  }
  absl::Status CheckFile(const std::string& project, const std::string& file_id) override {
    return calls_.GetFile(project, file_id).status();
  }

 private:
  ServiceCalls calls_;
};

absl::Status RetrievalOps::CreateHelperStore(const std::string& project, bool for_thread,
                                             v1::ToolResources* resources) {
  v1::FileSearchResources* fs = resources->mutable_file_search();
  const v1::ToolResourcesVectorStore& spec = fs->vector_stores(0);
  v1::CreateVectorStoreRequest req;
  *req.mutable_file_ids() = spec.file_ids();
  if (spec.has_chunking_strategy()) *req.mutable_chunking_strategy() = spec.chunking_strategy();
  if (spec.has_metadata()) *req.mutable_metadata() = spec.metadata();
  if (for_thread) {
    req.mutable_expires_after()->set_anchor(v1::EXPIRES_AFTER_ANCHOR_LAST_ACTIVE_AT);
    req.mutable_expires_after()->set_days(kThreadStoreExpiryDays);
  }
  absl::StatusOr<v1::VectorStore> store = calls_.CreateVectorStore(project, req);
  if (!store.ok()) {
    return absl::Status(store.status().code(),
                        absl::StrCat("tool_resources.file_search.vector_stores[0]: ",
                                     store.status().message()));
  }
  fs->clear_vector_stores();
  fs->add_vector_store_ids(store->id());
  return absl::OkStatus();
}

class OrchestratorModule final : public HostedService {
 public:
  OrchestratorModule(std::unique_ptr<sqlite::Database> db,
                     std::unique_ptr<model::ModelRouter> router, ChannelRegistry* channels)
      : db_(std::move(db)),
        router_(std::move(router)),
        stores_(channels),
        tools_(channels, kIngestWait),
        assistants_(db_.get(), RealClock()),
        threads_(db_.get(), RealClock()),
        assistant_service_(&assistants_, &stores_),
        thread_service_(&threads_, &stores_) {}

  absl::Status Start(const OrchestratorModuleOptions& options) {
    RunEngineOptions engine;
    model::ModelRouter* router = router_.get();
    engine.models = [router](const std::string& name) { return router->Resolve(name); };
    engine.max_workers = options.max_workers;
    engine.max_model_calls = options.max_model_calls;
    engine.requires_action_timeout = options.requires_action_timeout;
    engine.model_timeout = options.model_timeout;
    engine.builtins = &tools_;
    ASSIGN_OR_RETURN(engine_, RunEngine::Create(db_.get(), std::move(engine)));
    run_service_ = std::make_unique<RunServiceImpl>(engine_.get(), &threads_, &stores_);
    return absl::OkStatus();
  }

  std::vector<grpc::Service*> grpc_services() override {
    return {&assistant_service_, &thread_service_, run_service_.get()};
  }
  void Stop() override { engine_->Stop(); }

 private:
  std::unique_ptr<sqlite::Database> db_;
  std::unique_ptr<model::ModelRouter> router_;
  RetrievalOps stores_;
  ServerBuiltinTools tools_;
  AssistantStore assistants_;
  ThreadStore threads_;
  AssistantServiceImpl assistant_service_;
  ThreadServiceImpl thread_service_;
  std::unique_ptr<RunEngine> engine_;
  std::unique_ptr<RunServiceImpl> run_service_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HostedService>> NewOrchestratorModule(
    OrchestratorModuleOptions options, ChannelRegistry* channels) {
  sqlite::DatabaseOptions db_options;
  db_options.path = absl::StrCat(options.data_dir, "/orchestrator.db");
  db_options.migrations = OrchestratorMigrations();
  ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Database> db, sqlite::Database::Open(db_options));
  ASSIGN_OR_RETURN(std::unique_ptr<model::ModelRouter> router,
                   model::ModelRouter::Create(options.model_endpoints));
  RETURN_IF_ERROR(RegisterBuiltinModels(options.model_endpoints, router.get()));
  auto module = std::make_unique<OrchestratorModule>(std::move(db), std::move(router), channels);
  RETURN_IF_ERROR(module->Start(options));
  return std::unique_ptr<HostedService>(std::move(module));
}

}  // namespace assistd::orchestrator
