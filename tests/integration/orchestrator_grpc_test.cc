// The orchestrator over real gRPC: function calling streamed and polled,
// a client that hangs up mid-stream, project scoping, and a kill -9 of the
// real assistd binary in the middle of a run.

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <csignal>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "assistd/v1/assistants.grpc.pb.h"
#include "assistd/v1/runs.grpc.pb.h"
#include "assistd/v1/threads.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/assistd/server.h"
#include "services/common/project.h"
#include "tests/fakes/scripted_chat_server.h"
#include "tests/util/status_matchers.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::ChatTurn;
using ::assistd::testing::ListeningPort;
using ::assistd::testing::ScriptedChatServer;
using ::assistd::testing::Subprocess;
using ::assistd::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kWait = absl::Seconds(30);

struct Stubs {
  explicit Stubs(const std::shared_ptr<grpc::Channel>& channel)
      : assistants(v1::AssistantService::NewStub(channel)),
        threads(v1::ThreadService::NewStub(channel)),
        runs(v1::RunService::NewStub(channel)) {}
  std::unique_ptr<v1::AssistantService::Stub> assistants;
  std::unique_ptr<v1::ThreadService::Stub> threads;
  std::unique_ptr<v1::RunService::Stub> runs;
};

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& project = "default") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + kWait));
  SetProject(ctx.get(), project);
  return ctx;
}

v1::Assistant MakeAssistant(Stubs& s, bool with_function) {
  v1::CreateAssistantRequest req;
  req.set_model("scripted");
  req.set_instructions("Use tools.");
  if (with_function) {
    auto* fn = req.add_tools()->mutable_function();
    fn->set_name("lookup");
    fn->set_parameters_json(R"({"type":"object","properties":{"q":{"type":"string"}}})");
  }
  v1::Assistant a;
  grpc::Status st = s.assistants->CreateAssistant(Ctx().get(), req, &a);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return a;
}

v1::Thread MakeThread(Stubs& s) {
  v1::CreateThreadRequest req;
  auto* m = req.add_messages();
  m->set_role(v1::MESSAGE_ROLE_USER);
  m->set_text("What is assistd?");
  v1::Thread t;
  grpc::Status st = s.threads->CreateThread(Ctx().get(), req, &t);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return t;
}

template <typename Reader>
std::vector<v1::RunEvent> ReadAll(Reader& reader) {
  std::vector<v1::RunEvent> events;
  v1::RunEvent e;
  while (reader->Read(&e)) events.push_back(e);
  EXPECT_TRUE(reader->Finish().ok());
  return events;
}

std::vector<std::string> Tail(const std::vector<v1::RunEvent>& events, size_t n) {
  std::vector<std::string> names;
  for (size_t i = events.size() >= n ? events.size() - n : 0; i < events.size(); ++i) {
    names.push_back(events[i].event());
  }
  return names;
}

// Polls until the run leaves queued/in_progress/cancelling.
v1::Run PollRun(Stubs& s, const std::string& thread_id, const std::string& run_id) {
  v1::GetRunRequest req;
  req.set_thread_id(thread_id);
  req.set_run_id(run_id);
  v1::Run run;
  const absl::Time deadline = absl::Now() + kWait;
  while (absl::Now() < deadline) {
    EXPECT_TRUE(s.runs->GetRun(Ctx().get(), req, &run).ok());
    if (run.status() != v1::RUN_STATUS_QUEUED && run.status() != v1::RUN_STATUS_IN_PROGRESS &&
        run.status() != v1::RUN_STATUS_CANCELLING) {
      return run;
    }
    std::this_thread::yield();
  }
  ADD_FAILURE() << "run " << run_id << " did not stop";
  return run;
}

class OrchestratorGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(model_, ScriptedChatServer::Start());
    ServerOptions options;
    options.data_dir = dir_.File("data");
    options.grpc_addr = "127.0.0.1:0";
    options.services = {ServiceId::kOrchestrator};
    options.orchestrator.model_endpoints = absl::StrCat("*=", model_->Url());
    ASSERT_OK_AND_ASSIGN(server_, AssistdServer::Start(options));
    stubs_ = std::make_unique<Stubs>(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->grpc_port()), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    stubs_.reset();
    if (server_) server_->Shutdown(absl::Seconds(1));
  }

  TempDir dir_;
  std::unique_ptr<ScriptedChatServer> model_;
  std::unique_ptr<AssistdServer> server_;
  std::unique_ptr<Stubs> stubs_;
};

TEST_F(OrchestratorGrpcTest, StreamedFunctionCallRoundTrip) {
  model_->EnqueueTurn(ChatTurn::ToolCalls({{"lookup", R"({"q":"assistd"})"}}));
  model_->EnqueueTurn(ChatTurn::Text("assistd is a self-hosted Assistants API.", 4));
  const v1::Assistant a = MakeAssistant(*stubs_, true);
  const v1::Thread t = MakeThread(*stubs_);
  v1::CreateRunRequest req;
  req.set_thread_id(t.id());
  req.set_assistant_id(a.id());
  auto ctx = Ctx();
  auto stream = stubs_->runs->CreateRunStream(ctx.get(), req);
  auto events = ReadAll(stream);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[0].event(), "thread.run.created");
  EXPECT_THAT(Tail(events, 2), ElementsAre("thread.run.requires_action", "done"));
  const v1::Run waiting = events[events.size() - 2].run();
  const v1::RequiredActionToolCall call = waiting.required_action().submit_tool_outputs().tool_calls(0);
  EXPECT_EQ(call.function().name(), "lookup");

  v1::SubmitToolOutputsRequest submit;
  submit.set_thread_id(t.id());
  submit.set_run_id(waiting.id());
  auto* out = submit.add_tool_outputs();
  out->set_tool_call_id(call.id());
  out->set_output("assistd: on-premise Assistants API");
  auto ctx2 = Ctx();
  auto resumed = stubs_->runs->SubmitToolOutputsStream(ctx2.get(), submit);
  events = ReadAll(resumed);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].event(), "thread.run.queued");
  EXPECT_THAT(Tail(events, 2), ElementsAre("thread.run.completed", "done"));
  std::string text;
  for (const auto& e : events) {
    if (e.event() == "thread.message.delta") text += e.message_delta().delta().content(0).text().value();
  }
  EXPECT_EQ(text, "assistd is a self-hosted Assistants API.");

  v1::ListMessagesRequest list;
  list.set_thread_id(t.id());
  list.set_run_id(waiting.id());
  v1::ListMessagesResponse messages;
  ASSERT_TRUE(stubs_->threads->ListMessages(Ctx().get(), list, &messages).ok());
  ASSERT_EQ(messages.data_size(), 1);
  EXPECT_EQ(messages.data(0).content(0).text().value(), text);
}

TEST_F(OrchestratorGrpcTest, PolledFunctionCallRoundTrip) {
  model_->EnqueueTurn(ChatTurn::ToolCalls({{"lookup", R"({"q":"x"})"}}));
  model_->EnqueueTurn(ChatTurn::Text("done"));
  const v1::Assistant a = MakeAssistant(*stubs_, true);
  const v1::Thread t = MakeThread(*stubs_);
  v1::CreateRunRequest req;
  req.set_thread_id(t.id());
  req.set_assistant_id(a.id());
  v1::Run run;
  ASSERT_TRUE(stubs_->runs->CreateRun(Ctx().get(), req, &run).ok());
  run = PollRun(*stubs_, t.id(), run.id());
  ASSERT_EQ(run.status(), v1::RUN_STATUS_REQUIRES_ACTION);
  v1::SubmitToolOutputsRequest submit;
  submit.set_thread_id(t.id());
  submit.set_run_id(run.id());
  auto* out = submit.add_tool_outputs();
  out->set_tool_call_id(run.required_action().submit_tool_outputs().tool_calls(0).id());
  out->set_output("42");
  ASSERT_TRUE(stubs_->runs->SubmitToolOutputs(Ctx().get(), submit, &run).ok());
  run = PollRun(*stubs_, t.id(), run.id());
  EXPECT_EQ(run.status(), v1::RUN_STATUS_COMPLETED);

  v1::ListRunStepsRequest steps_req;
  steps_req.set_thread_id(t.id());
  steps_req.set_run_id(run.id());
  v1::ListRunStepsResponse steps;
  ASSERT_TRUE(stubs_->runs->ListRunSteps(Ctx().get(), steps_req, &steps).ok());
  EXPECT_EQ(steps.data_size(), 2);
  // Another project sees nothing of it.
  v1::GetRunRequest get;
  get.set_thread_id(t.id());
  get.set_run_id(run.id());
  EXPECT_EQ(stubs_->runs->GetRun(Ctx("other").get(), get, &run).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(OrchestratorGrpcTest, ClientHangingUpDoesNotStopTheRun) {
  model_->EnqueueTurn(ChatTurn::Text("slow answer here", 4).WithDelay(absl::Milliseconds(50)));
  const v1::Assistant a = MakeAssistant(*stubs_, false);
  const v1::Thread t = MakeThread(*stubs_);
  v1::CreateRunRequest req;
  req.set_thread_id(t.id());
  req.set_assistant_id(a.id());
  auto ctx = Ctx();
  auto stream = stubs_->runs->CreateRunStream(ctx.get(), req);
  v1::RunEvent first;
  ASSERT_TRUE(stream->Read(&first));
  ctx->TryCancel();
  while (stream->Read(&first)) {
  }
  stream->Finish();
  EXPECT_EQ(PollRun(*stubs_, t.id(), first.run().id()).status(), v1::RUN_STATUS_COMPLETED);
}

TEST_F(OrchestratorGrpcTest, ErrorsCarryTheRightCodes) {
  const v1::Assistant a = MakeAssistant(*stubs_, false);
  v1::CreateRunRequest req;
  req.set_thread_id("thread_missing");
  req.set_assistant_id(a.id());
  v1::Run run;
  grpc::Status st = stubs_->runs->CreateRun(Ctx().get(), req, &run);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(st.error_message(), "No thread found with id 'thread_missing'.");
  req.set_thread_id("run_wrongprefix");
  st = stubs_->runs->CreateRun(Ctx().get(), req, &run);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::CreateAssistantRequest bad;
  v1::Assistant out;
  st = stubs_->assistants->CreateAssistant(Ctx().get(), bad, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("model"));
}

// --- kill -9 of the real binary ---------------------------------------------

TEST(OrchestratorDurabilityTest, KillDashNineMidRunLosesNothingAcknowledged) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto model, ScriptedChatServer::Start());
  // The model streams a little, then hangs: the run is mid-answer.
  model->EnqueueTurn(ChatTurn::Text("partial answer never finished", 4)
                         .PauseAfterChunks(2, absl::Seconds(120)));
  const std::vector<std::string> argv = {
      ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0", "--data_dir=" + dir.File("data"),
      "--services=orchestrator", "--model_endpoints=*=" + model->Url()};
  ASSERT_OK_AND_ASSIGN(auto proc, Subprocess::Start(argv));
  int port = ListeningPort(*proc, kWait);
  ASSERT_GT(port, 0);
  auto stubs = std::make_unique<Stubs>(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                                           grpc::InsecureChannelCredentials()));
  const v1::Assistant a = MakeAssistant(*stubs, false);
  const v1::Thread t = MakeThread(*stubs);
  v1::CreateRunRequest req;
  req.set_thread_id(t.id());
  req.set_assistant_id(a.id());
  auto ctx = Ctx();
  auto stream = stubs->runs->CreateRunStream(ctx.get(), req);
  v1::RunEvent e;
  std::string run_id;
  while (stream->Read(&e)) {
    if (e.has_run()) run_id = e.run().id();
    if (e.event() == "thread.message.delta") break;
  }
  ASSERT_FALSE(run_id.empty());
  proc->Signal(SIGKILL);
  ASSERT_OK_AND_ASSIGN(int code, proc->Wait(kWait));
  EXPECT_EQ(code, 128 + SIGKILL);
  ctx->TryCancel();
  stream->Finish();

  ASSERT_OK_AND_ASSIGN(proc, Subprocess::Start(argv));
  port = ListeningPort(*proc, kWait);
  ASSERT_GT(port, 0);
  stubs = std::make_unique<Stubs>(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                                      grpc::InsecureChannelCredentials()));
  v1::GetAssistantRequest get_a;
  get_a.set_assistant_id(a.id());
  v1::Assistant again;
  EXPECT_TRUE(stubs->assistants->GetAssistant(Ctx().get(), get_a, &again).ok());
  v1::Run run = PollRun(*stubs, t.id(), run_id);
  EXPECT_EQ(run.status(), v1::RUN_STATUS_FAILED);
  EXPECT_EQ(run.last_error().code(), v1::LAST_ERROR_CODE_SERVER_ERROR);
  v1::ListMessagesRequest list;
  list.set_thread_id(t.id());
  list.set_run_id(run_id);
  v1::ListMessagesResponse messages;
  ASSERT_TRUE(stubs->threads->ListMessages(Ctx().get(), list, &messages).ok());
  ASSERT_EQ(messages.data_size(), 1);
  EXPECT_EQ(messages.data(0).status(), v1::MESSAGE_STATUS_INCOMPLETE);
  // The thread is usable again.
  model->EnqueueTurn(ChatTurn::Text("fine now"));
  v1::Run next;
  ASSERT_TRUE(stubs->runs->CreateRun(Ctx().get(), req, &next).ok());
  EXPECT_EQ(PollRun(*stubs, t.id(), next.id()).status(), v1::RUN_STATUS_COMPLETED);
  proc->Signal(SIGTERM);
  EXPECT_THAT(proc->Wait(kWait), testing::IsOkAndHolds(0));
}

}  // namespace
}  // namespace assistd
