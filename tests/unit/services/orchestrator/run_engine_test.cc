#include "services/orchestrator/run_engine.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/orchestrator/run_store.h"
#include "tests/unit/services/orchestrator/orchestrator_test_env.h"

namespace assistd::orchestrator {
namespace {

using ::assistd::testing::ChatTurn;
using ::assistd::testing::IsOk;
using ::assistd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

v1::CreateRunRequest RunRequest(const v1::Assistant& a, const v1::Thread& t) {
  v1::CreateRunRequest r;
  r.set_assistant_id(a.id());
  r.set_thread_id(t.id());
  return r;
}

// A built-in tool that answers every call at once (drives runaway loops).
class EchoBuiltin final : public BuiltinTools {
 public:
  std::optional<model::ToolSchema> Schema(const v1::AssistantTool& tool) override {
    if (!tool.has_code_interpreter()) return std::nullopt;
    return model::ToolSchema{"code_interpreter", "runs code", "", false};
  }
  absl::Status Execute(const BuiltinContext&, const v1::AssistantTool&,
                       const model::ToolCall& call, v1::ToolCall* record) override {
    ++calls;
    record->mutable_code_interpreter()->set_input(call.arguments);
    record->mutable_code_interpreter()->add_outputs()->set_logs("ok");
    return absl::OkStatus();
  }
  std::atomic<int> calls{0};
};

TEST(RunEngineTest, TextAnswerStreamsTheCanonicalEvents) {
  OrchestratorTestEnv env;
  env.server->EnqueueTurn(ChatTurn::Text("Hello there, friend", 3));
  const v1::Assistant a = env.MakeAssistant();
  const v1::Thread t = env.MakeThread();
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, RunRequest(a, t), &log));
  EXPECT_EQ(run.status(), v1::RUN_STATUS_QUEUED);
  EXPECT_THAT(run.id(), StartsWith("run_"));
  const auto events = OrchestratorTestEnv::Segment(log.get());
  EXPECT_THAT(OrchestratorTestEnv::Names(events),
              ElementsAre("thread.run.created", "thread.run.queued", "thread.run.in_progress",
                          "thread.run.step.created", "thread.run.step.in_progress",
                          "thread.message.created", "thread.message.in_progress",
                          "thread.message.delta", "thread.message.delta", "thread.message.delta",
                          "thread.message.completed", "thread.run.step.completed",
                          "thread.run.completed"));
  const v1::Run& done = events.back().run();
  EXPECT_EQ(done.usage().prompt_tokens(), 10);
  EXPECT_EQ(done.usage().completion_tokens(), 5);
  EXPECT_EQ(done.usage().total_tokens(), 15);
  EXPECT_TRUE(done.has_completed_at());
  EXPECT_FALSE(done.has_expires_at());

  ASSERT_OK_AND_ASSIGN(auto messages, env.threads->ListMessages(kProject, t.id(), run.id(), {}));
  ASSERT_EQ(messages.data.size(), 1u);
  EXPECT_EQ(messages.data[0].content(0).text().value(), "Hello there, friend");
  EXPECT_EQ(messages.data[0].status(), v1::MESSAGE_STATUS_COMPLETED);
  EXPECT_EQ(messages.data[0].run_id(), run.id());

  // The model saw the instructions, then the user's message.
  const auto requests = env.server->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].messages()[0]["role"], "system");
  EXPECT_EQ(requests[0].messages()[0]["content"], "You are a test.");
  EXPECT_EQ(requests[0].messages()[1]["content"], "Hello?");
}

TEST(RunEngineTest, FunctionCallRoundTrip) {
  OrchestratorTestEnv env;
  env.server->EnqueueTurn(ChatTurn::ToolCalls({{"get_weather", R"({"city":"Paris"})"}}));
  env.server->EnqueueTurn(ChatTurn::Text("It is sunny in Paris."));
  const v1::Assistant a = env.MakeAssistant({OrchestratorTestEnv::Function("get_weather")});
  const v1::Thread t = env.MakeThread("Weather in Paris?");
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, RunRequest(a, t), &log));
  auto events = OrchestratorTestEnv::Segment(log.get());
  ASSERT_EQ(events.back().event(), "thread.run.requires_action")
      << ::testing::PrintToString(OrchestratorTestEnv::Names(events));
  const v1::Run waiting = events.back().run();
  ASSERT_EQ(waiting.required_action().submit_tool_outputs().tool_calls_size(), 1);
  const v1::RequiredActionToolCall call = waiting.required_action().submit_tool_outputs().tool_calls(0);
  EXPECT_THAT(call.id(), StartsWith("call_"));
  EXPECT_EQ(call.function().name(), "get_weather");
  EXPECT_EQ(call.function().arguments(), R"({"city":"Paris"})");
  // The tool_calls step streamed: the call's id and name once, then fragments.
  std::string streamed_args;
  int with_id = 0;
  for (const auto& e : events) {
    if (e.event() != "thread.run.step.delta") continue;
    const auto& d = e.run_step_delta().delta().step_details().tool_calls().tool_calls(0);
    if (d.has_id()) ++with_id;
    streamed_args += d.function().arguments();
  }
  EXPECT_EQ(with_id, 1);
  EXPECT_EQ(streamed_args, R"({"city":"Paris"})");

  // The thread is locked meanwhile.
  v1::CreateMessageRequest add;
  add.set_thread_id(t.id());
  add.mutable_message()->set_role(v1::MESSAGE_ROLE_USER);
  add.mutable_message()->set_text("more");
  EXPECT_THAT(env.threads->CreateMessage(kProject, add),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "Can't add messages to " + t.id() + " while a run " + run.id() +
                           " is active."));
  EXPECT_THAT(env.engine->CreateRun(kProject, RunRequest(a, t)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "Thread " + t.id() + " already has an active run " + run.id() + "."));

  v1::SubmitToolOutputsRequest submit;
  submit.set_thread_id(t.id());
  submit.set_run_id(run.id());
  v1::ToolOutput* out = submit.add_tool_outputs();
  out->set_tool_call_id(call.id());
  out->set_output("sunny, 24C");
  size_t from = 0;
  ASSERT_OK_AND_ASSIGN(v1::Run resumed, env.engine->SubmitToolOutputs(kProject, submit, &log, &from));
  EXPECT_EQ(resumed.status(), v1::RUN_STATUS_QUEUED);
  events = OrchestratorTestEnv::Segment(log.get(), from);
  EXPECT_EQ(events.front().event(), "thread.run.queued");
  EXPECT_EQ(events.back().event(), "thread.run.completed");
  EXPECT_EQ(events.back().run().usage().total_tokens(), 30);  // summed over both calls

  // The second model call got the call and its output.
  const auto requests = env.server->Requests();
  ASSERT_EQ(requests.size(), 2u);
  const nlohmann::json msgs = requests[1].messages();
  ASSERT_GE(msgs.size(), 4u) << msgs.dump();
  const nlohmann::json tool_msg = msgs[msgs.size() - 1];
  EXPECT_EQ(tool_msg["role"], "tool");
  EXPECT_EQ(tool_msg["content"], "sunny, 24C");
  EXPECT_EQ(tool_msg["tool_call_id"], call.id());
  EXPECT_EQ(msgs[msgs.size() - 2].value("tool_calls", nlohmann::json::array()).dump(),
            nlohmann::json::array({{{"id", call.id()},
                                    {"type", "function"},
                                    {"function", {{"name", "get_weather"},
                                                  {"arguments", R"({"city":"Paris"})"}}}}})
                .dump());

  ASSERT_OK_AND_ASSIGN(auto steps, env.engine->ListSteps(kProject, t.id(), run.id(),
                                                         {20, SortOrder::kAsc}, false));
  ASSERT_EQ(steps.data.size(), 2u);
  EXPECT_EQ(steps.data[0].type(), v1::RUN_STEP_TYPE_TOOL_CALLS);
  EXPECT_EQ(steps.data[0].status(), v1::RUN_STEP_STATUS_COMPLETED);
  EXPECT_EQ(steps.data[0].step_details().tool_calls().tool_calls(0).function().output(),
            "sunny, 24C");
  EXPECT_EQ(steps.data[1].type(), v1::RUN_STEP_TYPE_MESSAGE_CREATION);
}

TEST(RunEngineTest, ParallelCallsNeedEveryOutput) {
  OrchestratorTestEnv env;
  env.server->EnqueueTurn(ChatTurn::ToolCalls(
      {{"get_weather", R"({"city":"Paris"})"}, {"get_weather", R"({"city":"Oslo"})"}}));
  env.server->EnqueueTurn(ChatTurn::Text("Both fine."));
  const v1::Assistant a = env.MakeAssistant({OrchestratorTestEnv::Function("get_weather")});
  const v1::Thread t = env.MakeThread();
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, RunRequest(a, t), &log));
  auto events = OrchestratorTestEnv::Segment(log.get());
  const auto calls = events.back().run().required_action().submit_tool_outputs().tool_calls();
  ASSERT_EQ(calls.size(), 2);
  EXPECT_NE(calls[0].id(), calls[1].id());

  v1::SubmitToolOutputsRequest submit;
  submit.set_thread_id(t.id());
  submit.set_run_id(run.id());
  submit.add_tool_outputs()->set_tool_call_id(calls[0].id());
  EXPECT_THAT(env.engine->SubmitToolOutputs(kProject, submit),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(calls[1].id())));
  v1::SubmitToolOutputsRequest bad = submit;
  bad.add_tool_outputs()->set_tool_call_id("call_unknown");
  EXPECT_THAT(env.engine->SubmitToolOutputs(kProject, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("call_unknown")));
  submit.add_tool_outputs()->set_tool_call_id(calls[1].id());
  size_t from = 0;
  ASSERT_THAT(env.engine->SubmitToolOutputs(kProject, submit, &log, &from).status(), IsOk());
  EXPECT_EQ(OrchestratorTestEnv::Segment(log.get(), from).back().event(), "thread.run.completed");
  // Submitting again is refused: the run no longer waits.
  EXPECT_THAT(env.engine->SubmitToolOutputs(kProject, submit),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("completed")));
}

TEST(RunEngineTest, TextWrittenToolCallIsRecognised) {
  OrchestratorTestEnv env;
  env.server->EnqueueTurn(ChatTurn::TextToolCall("get_weather", R"({"city":"Rome"})"));
  const v1::Assistant a = env.MakeAssistant({OrchestratorTestEnv::Function("get_weather")});
  const v1::Thread t = env.MakeThread();
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, RunRequest(a, t), &log));
  auto events = OrchestratorTestEnv::Segment(log.get());
  ASSERT_EQ(events.back().event(), "thread.run.requires_action");
  EXPECT_EQ(events.back().run().required_action().submit_tool_outputs().tool_calls(0)
                .function().arguments(),
            R"({"city":"Rome"})");
  for (const auto& e : events) EXPECT_NE(e.event(), "thread.message.delta");
}

TEST(RunEngineTest, CancelInProgressStopsTheModelCall) {
  OrchestratorTestEnv env;
  env.server->EnqueueTurn(
      ChatTurn::Text("one two three four", 4).PauseAfterChunks(2, absl::Seconds(120)));
  const v1::Assistant a = env.MakeAssistant();
  const v1::Thread t = env.MakeThread();
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, RunRequest(a, t), &log));
  std::vector<v1::RunEvent> seen;
  while (seen.empty() || seen.back().event() != "thread.message.delta") {
    ASSERT_GT(log->Read(seen.size(), absl::Seconds(30), &seen), 0u);
  }
  ASSERT_OK_AND_ASSIGN(v1::Run cancelling, env.engine->CancelRun(kProject, t.id(), run.id()));
  EXPECT_EQ(cancelling.status(), v1::RUN_STATUS_CANCELLING);
  auto events = OrchestratorTestEnv::Segment(log.get());
  EXPECT_EQ(events.back().event(), "thread.run.cancelled");
  EXPECT_TRUE(events.back().run().has_cancelled_at());
  ASSERT_OK_AND_ASSIGN(auto messages, env.threads->ListMessages(kProject, t.id(), run.id(), {}));
  ASSERT_EQ(messages.data.size(), 1u);
  EXPECT_EQ(messages.data[0].status(), v1::MESSAGE_STATUS_INCOMPLETE);
  EXPECT_EQ(messages.data[0].incomplete_details().reason(), v1::INCOMPLETE_REASON_RUN_CANCELLED);
  EXPECT_THAT(env.engine->CancelRun(kProject, t.id(), run.id()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "Cannot cancel run with status 'cancelled'."));
  // The thread is free again.
  EXPECT_THAT(env.engine->CreateRun(kProject, RunRequest(a, t)).status(), IsOk());
}

TEST(RunEngineTest, RequiresActionExpiresAndCancelWorks) {
  FakeClock clock(absl::Now());
  RunEngineOptions options;
  options.clock = &clock;
  options.expiry_scan_interval = absl::Hours(1);  // the test expires runs itself
  OrchestratorTestEnv env(std::move(options));
  env.server->SetDefaultTurn(ChatTurn::ToolCalls({{"get_weather", R"({"city":"Paris"})"}}));
  const v1::Assistant a = env.MakeAssistant({OrchestratorTestEnv::Function("get_weather")});
  const v1::Thread t1 = env.MakeThread();
  const v1::Thread t2 = env.MakeThread();
  std::shared_ptr<RunEventLog> log1, log2;
  ASSERT_OK_AND_ASSIGN(v1::Run r1, env.engine->CreateRun(kProject, RunRequest(a, t1), &log1));
  ASSERT_OK_AND_ASSIGN(v1::Run r2, env.engine->CreateRun(kProject, RunRequest(a, t2), &log2));
  ASSERT_EQ(OrchestratorTestEnv::Segment(log1.get()).back().event(), "thread.run.requires_action");
  ASSERT_EQ(OrchestratorTestEnv::Segment(log2.get()).back().event(), "thread.run.requires_action");

  ASSERT_OK_AND_ASSIGN(v1::Run cancelled, env.engine->CancelRun(kProject, t2.id(), r2.id()));
  EXPECT_EQ(cancelled.status(), v1::RUN_STATUS_CANCELLED);

  EXPECT_EQ(env.engine->ExpireDueRuns(), 0);
  clock.Advance(absl::Minutes(11));
  EXPECT_EQ(env.engine->ExpireDueRuns(), 1);
  ASSERT_OK_AND_ASSIGN(v1::Run expired, env.engine->GetRun(kProject, t1.id(), r1.id()));
  EXPECT_EQ(expired.status(), v1::RUN_STATUS_EXPIRED);
  EXPECT_FALSE(expired.has_required_action());
  ASSERT_OK_AND_ASSIGN(auto steps, env.engine->ListSteps(kProject, t1.id(), r1.id(), {}, false));
  ASSERT_EQ(steps.data.size(), 1u);
  EXPECT_EQ(steps.data[0].status(), v1::RUN_STEP_STATUS_EXPIRED);
  EXPECT_TRUE(steps.data[0].has_expired_at());
}

TEST(RunEngineTest, RunawayToolLoopHitsTheStepLimit) {
  EchoBuiltin builtin;
  RunEngineOptions options;
  options.builtins = &builtin;
  options.max_model_calls = 3;
  OrchestratorTestEnv env(std::move(options));
  env.server->SetDefaultTurn(ChatTurn::ToolCalls({{"code_interpreter", R"({"code":"1"})"}}));
  v1::AssistantTool ci;
  ci.mutable_code_interpreter();
  const v1::Assistant a = env.MakeAssistant({ci});
  const v1::Thread t = env.MakeThread();
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, RunRequest(a, t), &log));
  auto events = OrchestratorTestEnv::Segment(log.get());
  ASSERT_EQ(events.back().event(), "thread.run.failed");
  EXPECT_EQ(events.back().run().last_error().code(), v1::LAST_ERROR_CODE_SERVER_ERROR);
  EXPECT_THAT(events.back().run().last_error().message(), HasSubstr("limit is 3"));
  EXPECT_EQ(builtin.calls.load(), 3);
  EXPECT_EQ(env.server->RequestCount(), 3);
}

TEST(RunEngineTest, ModelErrorsFailTheRunWithTheRightCode) {
  OrchestratorTestEnv env;
  env.server->SetDefaultTurn(ChatTurn::Error(400, "context length exceeded"));
  const v1::Assistant a = env.MakeAssistant();
  const v1::Thread t = env.MakeThread();
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, RunRequest(a, t), &log));
  auto events = OrchestratorTestEnv::Segment(log.get());
  ASSERT_EQ(events.back().event(), "thread.run.failed");
  EXPECT_EQ(events.back().run().last_error().code(), v1::LAST_ERROR_CODE_INVALID_PROMPT);
  EXPECT_THAT(events.back().run().last_error().message(), HasSubstr("context length exceeded"));
  EXPECT_TRUE(events.back().run().has_failed_at());
}

TEST(RunEngineTest, AStreamDroppedMidAnswerFailsTheRunAndKeepsTheText) {
  OrchestratorTestEnv env;
  env.server->EnqueueTurn(ChatTurn::Text("half of an answer", 4).DropAfterChunks(3));
  const v1::Assistant a = env.MakeAssistant();
  const v1::Thread t = env.MakeThread();
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, RunRequest(a, t), &log));
  auto events = OrchestratorTestEnv::Segment(log.get());
  ASSERT_EQ(events.back().event(), "thread.run.failed");
  EXPECT_EQ(events.back().run().last_error().code(), v1::LAST_ERROR_CODE_SERVER_ERROR);
  EXPECT_EQ(env.server->RequestCount(), 1);  // never retried once text was streamed
  EXPECT_THAT(OrchestratorTestEnv::Names(events), ::testing::Contains("thread.message.incomplete"));
  ASSERT_OK_AND_ASSIGN(auto steps, env.engine->ListSteps(kProject, t.id(), run.id(), {}, false));
  ASSERT_EQ(steps.data.size(), 1u);
  EXPECT_EQ(steps.data[0].status(), v1::RUN_STEP_STATUS_FAILED);
  ASSERT_OK_AND_ASSIGN(auto messages, env.threads->ListMessages(kProject, t.id(), run.id(), {}));
  ASSERT_EQ(messages.data.size(), 1u);
  EXPECT_EQ(messages.data[0].status(), v1::MESSAGE_STATUS_INCOMPLETE);
  EXPECT_FALSE(messages.data[0].content(0).text().value().empty());
}

TEST(RunEngineTest, UnknownModelFailsWithAClearMessage) {
  RunEngineOptions options;
  options.models = [](const std::string& name) -> absl::StatusOr<std::shared_ptr<model::ChatModel>> {
    return absl::NotFoundError("no model endpoint is configured for model '" + name + "'");
  };
  OrchestratorTestEnv env(std::move(options));
  const v1::Assistant a = env.MakeAssistant();
  const v1::Thread t = env.MakeThread();
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, RunRequest(a, t), &log));
  auto events = OrchestratorTestEnv::Segment(log.get());
  ASSERT_EQ(events.back().event(), "thread.run.failed");
  EXPECT_THAT(events.back().run().last_error().message(),
              HasSubstr("no model endpoint is configured for model 'test-model'"));
}

TEST(RunEngineTest, TokenLimitsMakeTheRunIncomplete) {
  OrchestratorTestEnv env;
  env.server->EnqueueTurn(ChatTurn::Text("cut off", 1).WithFinishReason("length"));
  const v1::Assistant a = env.MakeAssistant();
  const v1::Thread t = env.MakeThread();
  v1::CreateRunRequest req = RunRequest(a, t);
  req.set_max_completion_tokens(256);
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, req, &log));
  auto events = OrchestratorTestEnv::Segment(log.get());
  ASSERT_EQ(events.back().event(), "thread.run.incomplete");
  EXPECT_EQ(events.back().run().incomplete_details().reason(),
            v1::INCOMPLETE_REASON_MAX_COMPLETION_TOKENS);
  EXPECT_EQ(env.server->Requests()[0].body["max_tokens"], 256);
  // The cut answer is kept, as an incomplete message (OpenAI's shape).
  EXPECT_THAT(OrchestratorTestEnv::Names(events), ::testing::Contains("thread.message.incomplete"));
  ASSERT_OK_AND_ASSIGN(auto messages, env.threads->ListMessages(kProject, t.id(), run.id(), {}));
  ASSERT_EQ(messages.data.size(), 1u);
  EXPECT_EQ(messages.data[0].status(), v1::MESSAGE_STATUS_INCOMPLETE);
  EXPECT_EQ(messages.data[0].incomplete_details().reason(), v1::INCOMPLETE_REASON_MAX_TOKENS);
  EXPECT_TRUE(messages.data[0].has_incomplete_at());
  EXPECT_FALSE(messages.data[0].has_completed_at());
  EXPECT_EQ(messages.data[0].content(0).text().value(), "cut off");

  // A prompt that can't fit max_prompt_tokens never reaches the model.
  const v1::Thread big = env.MakeThread(std::string(4000, 'x'));
  v1::CreateRunRequest small = RunRequest(a, big);
  small.set_max_prompt_tokens(256);
  ASSERT_OK_AND_ASSIGN(run, env.engine->CreateRun(kProject, small, &log));
  events = OrchestratorTestEnv::Segment(log.get());
  ASSERT_EQ(events.back().event(), "thread.run.incomplete");
  EXPECT_EQ(events.back().run().incomplete_details().reason(),
            v1::INCOMPLETE_REASON_MAX_PROMPT_TOKENS);
  EXPECT_EQ(env.server->RequestCount(), 1);
}

TEST(RunEngineTest, OverridesAndTruncationShapeTheModelRequest) {
  OrchestratorTestEnv env;
  env.server->SetDefaultTurn(ChatTurn::Text("ok"));
  const v1::Assistant a = env.MakeAssistant({OrchestratorTestEnv::Function("get_weather")});
  v1::CreateThreadRequest thread_req;
  for (const char* text : {"first", "second", "third"}) {
    v1::MessageCreate* m = thread_req.add_messages();
    m->set_role(v1::MESSAGE_ROLE_USER);
    m->set_text(text);
  }
  ASSERT_OK_AND_ASSIGN(v1::Thread t, env.threads->Create(kProject, thread_req));
  v1::CreateRunRequest req = RunRequest(a, t);
  req.set_model("other-model");
  req.set_additional_instructions("Be brief.");
  req.set_temperature(0.25);
  req.mutable_truncation_strategy()->set_type(v1::TRUNCATION_TYPE_LAST_MESSAGES);
  req.mutable_truncation_strategy()->set_last_messages(2);
  req.mutable_tool_choice()->set_mode(v1::TOOL_CHOICE_MODE_REQUIRED);
  req.set_parallel_tool_calls(false);
  v1::MessageCreate* extra = req.add_additional_messages();
  extra->set_role(v1::MESSAGE_ROLE_USER);
  extra->set_text("fourth");
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateRun(kProject, req, &log));
  EXPECT_EQ(run.model(), "other-model");
  EXPECT_EQ(run.instructions(), "You are a test.\n\nBe brief.");
  EXPECT_FALSE(run.parallel_tool_calls());
  ASSERT_EQ(OrchestratorTestEnv::Segment(log.get()).back().event(), "thread.run.completed");
  const auto body = env.server->Requests()[0].body;
  EXPECT_EQ(body["model"], "other-model");
  EXPECT_EQ(body["temperature"], 0.25);
  EXPECT_EQ(body["tool_choice"], "required");
  EXPECT_EQ(body["parallel_tool_calls"], false);
  ASSERT_EQ(body["messages"].size(), 3u);  // system + the last 2 messages
  EXPECT_EQ(body["messages"][1]["content"], "third");
  EXPECT_EQ(body["messages"][2]["content"], "fourth");
  EXPECT_EQ(body["tools"][0]["function"]["name"], "get_weather");
}

TEST(RunEngineTest, InvalidRunRequestsNameTheField) {
  OrchestratorTestEnv env;
  const v1::Assistant a = env.MakeAssistant();
  const v1::Thread t = env.MakeThread();
  v1::CreateRunRequest req = RunRequest(a, t);
  req.set_max_prompt_tokens(10);
  EXPECT_THAT(env.engine->CreateRun(kProject, req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_prompt_tokens")));
  req = RunRequest(a, t);
  req.set_temperature(3);
  EXPECT_THAT(env.engine->CreateRun(kProject, req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("temperature")));
  req = RunRequest(a, t);
  req.mutable_tool_choice()->mutable_tool()->mutable_function()->set_name("nope");
  EXPECT_THAT(env.engine->CreateRun(kProject, req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tool_choice")));
  req = RunRequest(a, t);
  req.set_thread_id("thread_doesnotexist");
  EXPECT_THAT(env.engine->CreateRun(kProject, req),
              StatusIs(absl::StatusCode::kNotFound,
                       "No thread found with id 'thread_doesnotexist'."));
  EXPECT_THAT(env.engine->CreateRun("other", RunRequest(a, t)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("No assistant found")));
}

TEST(RunEngineTest, CreateThreadAndRunPublishesTheThreadFirst) {
  OrchestratorTestEnv env;
  env.server->EnqueueTurn(ChatTurn::Text("hi"));
  const v1::Assistant a = env.MakeAssistant();
  v1::CreateThreadAndRunRequest req;
  req.set_assistant_id(a.id());
  v1::MessageCreate* m = req.mutable_thread()->add_messages();
  m->set_role(v1::MESSAGE_ROLE_USER);
  m->set_text("hello");
  std::shared_ptr<RunEventLog> log;
  ASSERT_OK_AND_ASSIGN(v1::Run run, env.engine->CreateThreadAndRun(kProject, req, &log));
  auto events = OrchestratorTestEnv::Segment(log.get());
  EXPECT_EQ(events.front().event(), "thread.created");
  EXPECT_EQ(events.front().thread().id(), run.thread_id());
  EXPECT_EQ(events.back().event(), "thread.run.completed");
}

TEST(RunEngineTest, RestartResumesQueuedRunsAndFailsInterruptedOnes) {
  RunEngineOptions no_workers;
  no_workers.max_workers = 0;  // runs stay queued, as if the process died
  OrchestratorTestEnv env(no_workers);
  env.server->SetDefaultTurn(ChatTurn::Text("resumed"));
  const v1::Assistant a = env.MakeAssistant();
  const v1::Thread t1 = env.MakeThread();
  const v1::Thread t2 = env.MakeThread();
  ASSERT_OK_AND_ASSIGN(v1::Run queued, env.engine->CreateRun(kProject, RunRequest(a, t1)));
  ASSERT_OK_AND_ASSIGN(v1::Run interrupted, env.engine->CreateRun(kProject, RunRequest(a, t2)));
  ASSERT_THAT(env.db->Write([&](sqlite::Connection& c) {
    v1::Run r = interrupted;
    r.set_status(v1::RUN_STATUS_IN_PROGRESS);
    return SaveRun(c, r);
  }), IsOk());

  env.Open();  // "restart"
  std::shared_ptr<RunEventLog> log = env.engine->events()->Open(queued.id());
  while (true) {
    ASSERT_OK_AND_ASSIGN(v1::Run r, env.engine->GetRun(kProject, t1.id(), queued.id()));
    if (IsTerminal(r.status())) {
      EXPECT_EQ(r.status(), v1::RUN_STATUS_COMPLETED);
      break;
    }
    std::vector<v1::RunEvent> ignored;
    log->Read(log->size(), absl::Seconds(5), &ignored);
  }
  ASSERT_OK_AND_ASSIGN(v1::Run failed, env.engine->GetRun(kProject, t2.id(), interrupted.id()));
  EXPECT_EQ(failed.status(), v1::RUN_STATUS_FAILED);
  EXPECT_EQ(failed.last_error().code(), v1::LAST_ERROR_CODE_SERVER_ERROR);
  EXPECT_THAT(failed.last_error().message(), HasSubstr("restarted"));
}

}  // namespace
}  // namespace assistd::orchestrator
