#ifndef ASSISTD_TESTS_UNIT_SERVICES_ORCHESTRATOR_ORCHESTRATOR_TEST_ENV_H_
#define ASSISTD_TESTS_UNIT_SERVICES_ORCHESTRATOR_ORCHESTRATOR_TEST_ENV_H_

// The orchestrator core over a real orchestrator.db in a temp dir, driven
// by the scripted OpenAI-compatible server through the real model router.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/orchestrator/assistant_store.h"
#include "services/orchestrator/model/model_router.h"
#include "services/orchestrator/orchestrator_schema.h"
#include "services/orchestrator/run_engine.h"
#include "services/orchestrator/thread_store.h"
#include "tests/fakes/scripted_chat_server.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::orchestrator {

inline constexpr char kProject[] = "default";

class OrchestratorTestEnv {
 public:
  explicit OrchestratorTestEnv(RunEngineOptions options = {}) { Open(std::move(options)); }

  // (Re)opens the database and engine (a "restart" keeps the files).
  void Open(RunEngineOptions options = {}) {
    engine.reset();
    db.reset();
    sqlite::DatabaseOptions db_options;
    db_options.path = dir.File("orchestrator.db");
    db_options.migrations = OrchestratorMigrations();
    auto opened = sqlite::Database::Open(db_options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    db = *std::move(opened);
    if (server == nullptr) {
      auto started = testing::ScriptedChatServer::Start();
      ASSERT_TRUE(started.ok()) << started.status();
      server = *std::move(started);
      auto routed = model::ModelRouter::Create(absl::StrCat("*=", server->Url()));
      ASSERT_TRUE(routed.ok()) << routed.status();
      router = *std::move(routed);
    }
    assistants = std::make_unique<AssistantStore>(db.get(), options.clock);
    threads = std::make_unique<ThreadStore>(db.get(), options.clock);
    model::ModelRouter* r = router.get();
    if (!options.models) {
      options.models = [r](const std::string& name) { return r->Resolve(name); };
    }
    auto engine_or = RunEngine::Create(db.get(), std::move(options));
    ASSERT_TRUE(engine_or.ok()) << engine_or.status();
    engine = *std::move(engine_or);
  }

  ~OrchestratorTestEnv() {
    if (engine) engine->Stop();
  }

  v1::Assistant MakeAssistant(std::vector<v1::AssistantTool> tools = {}) {
    v1::CreateAssistantRequest req;
    req.set_model("test-model");
    req.set_instructions("You are a test.");
    for (auto& t : tools) *req.add_tools() = t;
    auto a = assistants->Create(kProject, req);
    EXPECT_TRUE(a.ok()) << a.status();
    return *a;
  }

  v1::Thread MakeThread(const std::string& user_text = "Hello?") {
    v1::CreateThreadRequest req;
    v1::MessageCreate* m = req.add_messages();
    m->set_role(v1::MESSAGE_ROLE_USER);
    m->set_text(user_text);
    auto t = threads->Create(kProject, req);
    EXPECT_TRUE(t.ok()) << t.status();
    return *t;
  }

  // Events of a stream segment: from `from` until the run stops or waits.
  static std::vector<v1::RunEvent> Segment(RunEventLog* log, size_t from = 0) {
    std::vector<v1::RunEvent> events;
    while (events.empty() || !EndsStreamSegment(events.back())) {
      if (log->Read(from + events.size(), absl::Seconds(30), &events) == 0) {
        ADD_FAILURE() << "no event within 30 s";
        break;
      }
    }
    return events;
  }

  static std::vector<std::string> Names(const std::vector<v1::RunEvent>& events) {
    std::vector<std::string> names;
    for (const auto& e : events) names.push_back(e.event());
    return names;
  }

  static v1::AssistantTool Function(const std::string& name, const std::string& params =
                                        R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})") {
    v1::AssistantTool t;
    t.mutable_function()->set_name(name);
    t.mutable_function()->set_parameters_json(params);
    return t;
  }

  testing::TempDir dir;
  std::unique_ptr<testing::ScriptedChatServer> server;
  std::unique_ptr<model::ModelRouter> router;
  std::unique_ptr<sqlite::Database> db;
  std::unique_ptr<AssistantStore> assistants;
  std::unique_ptr<ThreadStore> threads;
  std::unique_ptr<RunEngine> engine;
};

}  // namespace assistd::orchestrator

#endif  // ASSISTD_TESTS_UNIT_SERVICES_ORCHESTRATOR_ORCHESTRATOR_TEST_ENV_H_
