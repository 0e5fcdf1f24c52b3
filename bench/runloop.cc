// Run-loop benchmark (issue 6): orchestration overhead of a two-step run
// (function call + answer) against an instant scripted model, with the
// model calls alone measured in the same process as the baseline; runs per
// second; time to the first event; and runs held in flight against a model
// that takes --model_delay per call, with their memory.
//
//   build/bench/runloop --runs=300 --concurrent=500 --model_delay=1s

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/orchestrator/assistant_store.h"
#include "services/orchestrator/model/model_router.h"
#include "services/orchestrator/orchestrator_schema.h"
#include "services/orchestrator/run_engine.h"
#include "services/orchestrator/thread_store.h"
#include "tests/fakes/scripted_chat_server.h"

ABSL_FLAG(int, runs, 300, "Two-step runs for the overhead measurement.");
ABSL_FLAG(int, clients, 8, "Concurrent clients for the throughput measurement.");
ABSL_FLAG(int, concurrent, 500, "Runs held in flight against the slow model.");
ABSL_FLAG(absl::Duration, model_delay, absl::Seconds(1), "Slow model: time per call.");
ABSL_FLAG(std::string, dir, ".",
          "Where the benchmark's orchestrator.db goes (a real disk: /tmp may be tmpfs, "
          "where fsync is free).");

namespace assistd::orchestrator {
namespace {

using testing::ChatTurn;
constexpr char kProject[] = "bench";

void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

template <typename T>
T Take(absl::StatusOr<T> v, const char* what) {
  Check(v.status(), what);
  return *std::move(v);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

int64_t RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return 0;
}

v1::RunEvent WaitSegmentEnd(RunEventLog* log, size_t from) {
  std::vector<v1::RunEvent> events;
  while (events.empty() || !EndsStreamSegment(events.back())) {
    if (log->Read(from + events.size(), absl::Seconds(60), &events) == 0) {
      std::fprintf(stderr, "no event for 60 s\n");
      std::exit(1);
    }
  }
  return events.back();
}

struct Env {
  std::string dir;
  std::unique_ptr<testing::ScriptedChatServer> server;
  std::unique_ptr<model::ModelRouter> router;
  std::unique_ptr<sqlite::Database> db;
  std::unique_ptr<AssistantStore> assistants;
  std::unique_ptr<ThreadStore> threads;
  std::unique_ptr<RunEngine> engine;
  v1::Assistant assistant;
};

std::unique_ptr<Env> MakeEnv(int server_threads) {
  auto env = std::make_unique<Env>();
  std::string tmpl = absl::GetFlag(FLAGS_dir) + "/assistd_runloop_XXXXXX";
  env->dir = mkdtemp(tmpl.data());
  env->server = Take(testing::ScriptedChatServer::Start(server_threads), "server");
  env->router = Take(model::ModelRouter::Create(absl::StrCat("*=", env->server->Url())), "router");
  sqlite::DatabaseOptions db;
  db.path = env->dir + "/orchestrator.db";
  db.migrations = OrchestratorMigrations();
  env->db = Take(sqlite::Database::Open(db), "db");
  env->assistants = std::make_unique<AssistantStore>(env->db.get(), RealClock());
  env->threads = std::make_unique<ThreadStore>(env->db.get(), RealClock());
  RunEngineOptions options;
  model::ModelRouter* router = env->router.get();
  options.models = [router](const std::string& name) { return router->Resolve(name); };
  env->engine = Take(RunEngine::Create(env->db.get(), options), "engine");
  v1::CreateAssistantRequest a;
  a.set_model("bench");
  a.set_instructions("Answer briefly.");
  auto* fn = a.add_tools()->mutable_function();
  fn->set_name("lookup");
  fn->set_parameters_json(R"({"type":"object","properties":{"q":{"type":"string"}}})");
  env->assistant = Take(env->assistants->Create(kProject, a), "assistant");
  return env;
}

std::string NewThread(Env& env) {
  v1::CreateThreadRequest t;
  auto* m = t.add_messages();
  m->set_role(v1::MESSAGE_ROLE_USER);
  m->set_text("What is in the report?");
  return Take(env.threads->Create(kProject, t), "thread").id();
}

// One two-step run; returns {total seconds, seconds until CreateRun returned
// (its first event is published by then)}.
std::pair<double, double> TwoStepRun(Env& env, const std::string& thread_id) {
  v1::CreateRunRequest req;
  req.set_thread_id(thread_id);
  req.set_assistant_id(env.assistant.id());
  std::shared_ptr<RunEventLog> log;
  const absl::Time t0 = absl::Now();
  v1::Run run = Take(env.engine->CreateRun(kProject, req, &log), "create run");
  const absl::Time created = absl::Now();
  v1::RunEvent last = WaitSegmentEnd(log.get(), 0);
  if (last.event() != "thread.run.requires_action") Check(absl::InternalError(last.event()), "run");
  v1::SubmitToolOutputsRequest submit;
  submit.set_thread_id(thread_id);
  submit.set_run_id(run.id());
  auto* out = submit.add_tool_outputs();
  out->set_tool_call_id(last.run().required_action().submit_tool_outputs().tool_calls(0).id());
  out->set_output("page 3: revenue grew 12%");
  size_t from = 0;
  Take(env.engine->SubmitToolOutputs(kProject, submit, &log, &from), "submit");
  last = WaitSegmentEnd(log.get(), from);
  if (last.event() != "thread.run.completed") Check(absl::InternalError(last.event()), "run");
  return {absl::ToDoubleSeconds(absl::Now() - t0), absl::ToDoubleSeconds(created - t0)};
}

class NullObserver final : public model::ChatStreamObserver {
 public:
  bool OnText(absl::string_view) override { return true; }
  bool OnToolCallDelta(int, absl::string_view, absl::string_view, absl::string_view) override {
    return true;
  }
};

// The same two model calls, without the orchestrator.
double ModelPair(Env& env) {
  model::ChatRequest req;
  req.model = "bench";
  req.messages.push_back({model::ChatMessage::Role::kUser, "What is in the report?", {}, ""});
  req.tools.push_back({"lookup", "", R"({"type":"object","properties":{"q":{"type":"string"}}})",
                       false});
  NullObserver observer;
  const absl::Time t0 = absl::Now();
  model::ChatResult first = Take(env.router->Complete(req, &observer), "model call 1");
  model::ChatMessage call{model::ChatMessage::Role::kAssistant, "", first.tool_calls, ""};
  req.messages.push_back(call);
  req.messages.push_back({model::ChatMessage::Role::kTool, "page 3", {}, first.tool_calls[0].id});
  Take(env.router->Complete(req, &observer), "model call 2");
  return absl::ToDoubleSeconds(absl::Now() - t0);
}

void TwoStepScript(testing::ScriptedChatServer& server) {
  server.SetHandler([](const testing::ChatRequestRecord& r) {
    if (r.messages().back().value("role", "") == "tool") {
      return ChatTurn::Text("Revenue grew 12% (page 3).", 4);
    }
    return ChatTurn::ToolCalls({{"lookup", R"({"q":"revenue"})"}}, 2);
  });
  server.SetInstant(true);
}

void Overhead(int runs, int clients) {
  auto env = MakeEnv(16);
  TwoStepScript(*env->server);
  for (int i = 0; i < 20; ++i) {  // warm up connections, caches
    TwoStepRun(*env, NewThread(*env));
    ModelPair(*env);
  }
  std::vector<double> total, create, model, overhead;
  for (int i = 0; i < runs; ++i) {
    const std::string thread = NewThread(*env);
    auto [t, c] = TwoStepRun(*env, thread);
    const double m = ModelPair(*env);
    total.push_back(t);
    create.push_back(c);
    model.push_back(m);
    overhead.push_back(t - m);
  }
  std::printf("two-step run, instant model, %d runs (ms):\n", runs);
  std::printf("  run total            p50 %.2f  p99 %.2f\n", 1e3 * Percentile(total, .5),
              1e3 * Percentile(total, .99));
  std::printf("  model calls alone    p50 %.2f  p99 %.2f\n", 1e3 * Percentile(model, .5),
              1e3 * Percentile(model, .99));
  std::printf("  overhead (paired)    p50 %.2f  p99 %.2f\n", 1e3 * Percentile(overhead, .5),
              1e3 * Percentile(overhead, .99));
  std::printf("  create -> first event p50 %.2f  p99 %.2f\n", 1e3 * Percentile(create, .5),
              1e3 * Percentile(create, .99));

  std::vector<std::string> threads;
  for (int i = 0; i < runs; ++i) threads.push_back(NewThread(*env));
  std::atomic<int> next{0};
  const absl::Time t0 = absl::Now();
  std::vector<std::thread> pool;
  for (int c = 0; c < clients; ++c) {
    pool.emplace_back([&] {
      for (int i = next++; i < runs; i = next++) TwoStepRun(*env, threads[i]);
    });
  }
  for (auto& t : pool) t.join();
  std::printf("  throughput, %d clients: %.0f two-step runs/s\n", clients,
              runs / absl::ToDoubleSeconds(absl::Now() - t0));
  env->engine->Stop();
  std::system(("rm -rf " + env->dir).c_str());
}

void InFlight(int n, absl::Duration delay) {
  auto env = MakeEnv(n + 16);
  env->server->SetDefaultTurn(ChatTurn::Text("slow answer", 2).WithInitialDelay(delay));
  std::vector<std::string> threads;
  for (int i = 0; i < n; ++i) threads.push_back(NewThread(*env));
  const int64_t rss0 = RssKb();
  std::atomic<bool> done{false};
  std::atomic<int> peak{0};
  std::atomic<int64_t> peak_rss{0};
  std::thread monitor([&] {
    while (!done) {
      peak = std::max(peak.load(), env->engine->InFlight());
      peak_rss = std::max(peak_rss.load(), RssKb());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::vector<std::shared_ptr<RunEventLog>> logs(n);
  const absl::Time t0 = absl::Now();
  for (int i = 0; i < n; ++i) {
    v1::CreateRunRequest req;
    req.set_thread_id(threads[i]);
    req.set_assistant_id(env->assistant.id());
    Take(env->engine->CreateRun(kProject, req, &logs[i]), "create");
  }
  const double create_s = absl::ToDoubleSeconds(absl::Now() - t0);
  int completed = 0;
  for (auto& log : logs) completed += WaitSegmentEnd(log.get(), 0).event() == "thread.run.completed";
  const double all_s = absl::ToDoubleSeconds(absl::Now() - t0);
  done = true;
  monitor.join();
  std::printf("in flight, model %s per call, %d runs:\n", absl::FormatDuration(delay).c_str(), n);
  std::printf("  completed %d / %d (errors %d); created all in %.2f s; all done in %.2f s\n",
              completed, n, n - completed, create_s, all_s);
  std::printf("  peak in flight %d; RSS +%.1f MiB at peak = %.1f KiB per in-flight run "
              "(includes the fake model server's thread per request)\n",
              peak.load(), (peak_rss - rss0) / 1024.0,
              peak.load() > 0 ? double(peak_rss - rss0) / peak.load() : 0.0);
  env->engine->Stop();
  std::system(("rm -rf " + env->dir).c_str());
}

}  // namespace
}  // namespace assistd::orchestrator

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  assistd::orchestrator::Overhead(absl::GetFlag(FLAGS_runs), absl::GetFlag(FLAGS_clients));
  assistd::orchestrator::InFlight(absl::GetFlag(FLAGS_concurrent), absl::GetFlag(FLAGS_model_delay));
  return 0;
}
