// Document Q&A end to end through the real assistd binary (all services in
// one process): a PDF question answered with citations and page numbers by
// the built-in model and by a scripted model, a CSV analysed with a chart
// returned, a function tool mixed with built-in tools in one run, and a
// cancel while code is running.

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <fstream>
#include <codecvt>
#include <locale>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "assistd/v1/assistants.grpc.pb.h"
#include "assistd/v1/files.grpc.pb.h"
#include "assistd/v1/runs.grpc.pb.h"
#include "assistd/v1/sandbox.grpc.pb.h"
#include "assistd/v1/threads.grpc.pb.h"
#include "assistd/v1/vector_stores.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/project.h"
#include "tests/fakes/scripted_chat_server.h"
#include "tests/util/pdf_fixtures.h"
#include "tests/util/status_matchers.h"
#include "tests/util/assistd_process.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::ChatTurn;
using ::assistd::testing::AssistdProcess;
using ::assistd::testing::ScriptedChatServer;
using ::assistd::testing::TempDir;
using ::testing::HasSubstr;

constexpr absl::Duration kWait = absl::Seconds(90);

// The manual: each page long enough to start its own chunk with 100-token
// chunks, so a citation's page is the page of the quoted sentence.
std::vector<std::string> ManualPages() {
  const std::string filler =
      "This paragraph is general guidance for operators of the pump and does not change "
      "any of the specific rules given on this page.";
  return {
      absl::StrCat("Safety rules\n\nAlways disconnect the power supply before opening the "
                   "housing of the pump.\n\n",
                   filler),
      absl::StrCat("Maintenance schedule\n\nThe intake filter must be replaced every 400 "
                   "operating hours.\n\n",
                   filler),
      absl::StrCat("Warranty terms\n\nThe warranty lasts two years from the date of "
                   "delivery.\n\n",
                   filler),
  };
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + kWait));
  SetProject(ctx.get(), "default");
  return ctx;
}

std::u32string CodePoints(const std::string& utf8) {
  return std::wstring_convert<std::codecvt_utf8<char32_t>, char32_t>().from_bytes(utf8);
}

// The text an annotation covers, by code point offsets.
std::string Covered(const std::string& value, const v1::Annotation& a) {
  const std::u32string cps = CodePoints(value);
  if (a.end_index() > static_cast<int>(cps.size()) || a.start_index() > a.end_index()) return "";
  return std::wstring_convert<std::codecvt_utf8<char32_t>, char32_t>().to_bytes(
      cps.substr(a.start_index(), a.end_index() - a.start_index()));
}

struct Stubs {
  explicit Stubs(const std::shared_ptr<grpc::Channel>& c)
      : files(v1::FileService::NewStub(c)),
        stores(v1::VectorStoreService::NewStub(c)),
        assistants(v1::AssistantService::NewStub(c)),
        threads(v1::ThreadService::NewStub(c)),
        runs(v1::RunService::NewStub(c)),
        sandbox(v1::SandboxService::NewStub(c)) {}
  std::unique_ptr<v1::FileService::Stub> files;
  std::unique_ptr<v1::VectorStoreService::Stub> stores;
  std::unique_ptr<v1::AssistantService::Stub> assistants;
  std::unique_ptr<v1::ThreadService::Stub> threads;
  std::unique_ptr<v1::RunService::Stub> runs;
  std::unique_ptr<v1::SandboxService::Stub> sandbox;
};

class DocQaE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(model_, ScriptedChatServer::Start());
    const std::vector<std::string> argv = {
        ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0", "--data_dir=" + dir_.File("data"),
        "--model_endpoints=scripted=" + model_->Url(), "--sandbox_timeout=120s"};
    ASSERT_OK_AND_ASSIGN(server_, AssistdProcess::Start(argv));
    s_ = std::make_unique<Stubs>(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }

  v1::File Upload(const std::string& name, const std::string& bytes) {
    v1::File file;
    auto ctx = Ctx();
    auto writer = s_->files->Upload(ctx.get(), &file);
    v1::UploadRequest header;
    header.mutable_header()->set_filename(name);
    header.mutable_header()->set_purpose("assistants");
    v1::UploadRequest chunk;
    chunk.set_chunk(bytes);
    EXPECT_TRUE(writer->Write(header) && writer->Write(chunk) && writer->WritesDone());
    grpc::Status st = writer->Finish();
    EXPECT_TRUE(st.ok()) << st.error_message();
    return file;
  }

  v1::File UploadManual() {
    const std::string path = dir_.File("manual.pdf");
    EXPECT_OK(testing::WriteTextPdf(path, ManualPages()));
    std::ifstream in(path, std::ios::binary);
    return Upload("manual.pdf", std::string(std::istreambuf_iterator<char>(in), {}));
  }

  // An assistant with file_search over a new store holding `file_id`.
  v1::Assistant SearchAssistant(const std::string& model, const std::string& file_id,
                                bool with_function = false) {
    v1::CreateAssistantRequest req;
    req.set_model(model);
    req.add_tools()->mutable_file_search();
    if (with_function) {
      auto* fn = req.add_tools()->mutable_function();
      fn->set_name("get_weather");
      fn->set_parameters_json(R"({"type":"object","properties":{"city":{"type":"string"}}})");
    }
    auto* store = req.mutable_tool_resources()->mutable_file_search()->add_vector_stores();
    store->add_file_ids(file_id);
    auto* chunking = store->mutable_chunking_strategy()->mutable_static_();
    chunking->set_max_chunk_size_tokens(100);
    chunking->set_chunk_overlap_tokens(0);
    v1::Assistant a;
    grpc::Status st = s_->assistants->CreateAssistant(Ctx().get(), req, &a);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return a;
  }

  std::vector<v1::RunEvent> AskStreamed(const v1::Assistant& a, const std::string& question,
                                        std::vector<std::string> include = {}) {
    v1::CreateThreadRequest thread_req;
    auto* m = thread_req.add_messages();
    m->set_role(v1::MESSAGE_ROLE_USER);
    m->set_text(question);
    v1::Thread t;
    EXPECT_TRUE(s_->threads->CreateThread(Ctx().get(), thread_req, &t).ok());
    v1::CreateRunRequest req;
    req.set_thread_id(t.id());
    req.set_assistant_id(a.id());
    for (std::string& i : include) req.add_include(std::move(i));
    return ReadAll(s_->runs->CreateRunStream(Ctx().get(), req));
  }

  template <typename Reader>
  static std::vector<v1::RunEvent> ReadAll(Reader reader) {
    std::vector<v1::RunEvent> events;
    v1::RunEvent e;
    while (reader->Read(&e)) events.push_back(e);
    grpc::Status st = reader->Finish();
    EXPECT_TRUE(st.ok()) << st.error_message();
    return events;
  }

  static const v1::Message* Completed(const std::vector<v1::RunEvent>& events) {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->event() == "thread.message.completed") return &it->message();
    }
    return nullptr;
  }

  static const v1::RunStep* ToolStep(const std::vector<v1::RunEvent>& events) {
    for (const v1::RunEvent& e : events) {
      if (e.event() == "thread.run.step.completed" && e.run_step().step_details().has_tool_calls()) {
        return &e.run_step();
      }
    }
    return nullptr;
  }

  static std::string LastRunEvent(const std::vector<v1::RunEvent>& events) {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->has_run()) return it->event();
    }
    return "";
  }

  // The first file_citation of `message` (text part 0), checked for shape.
  static v1::Annotation FirstCitation(const v1::Message& message) {
    const v1::MessageText& text = message.content(0).text();
    for (const v1::Annotation& a : text.annotations()) {
      if (!a.has_file_citation()) continue;
      EXPECT_EQ(Covered(text.value(), a), a.text()) << text.value();
      return a;
    }
    ADD_FAILURE() << "no file_citation in: " << text.value();
    return {};
  }

  bool SandboxWorks() {
    v1::Session session;
    return s_->sandbox->CreateSession(Ctx().get(), v1::CreateSessionRequest(), &session).ok();
  }

  TempDir dir_;
  std::unique_ptr<ScriptedChatServer> model_;
  std::unique_ptr<AssistdProcess> server_;
  std::unique_ptr<Stubs> s_;
};

TEST_F(DocQaE2eTest, BuiltinModelQuotesAndCitesThePage) {
  const v1::File pdf = UploadManual();
  const v1::Assistant a = SearchAssistant("assistd-extractive", pdf.id());
  const auto events = AskStreamed(a, "How often must the intake filter be replaced?");
  ASSERT_EQ(LastRunEvent(events), "thread.run.completed");

  const v1::RunStep* step = ToolStep(events);
  ASSERT_NE(step, nullptr);
  const v1::ToolCall& call = step->step_details().tool_calls().tool_calls(0);
  ASSERT_TRUE(call.has_file_search());
  ASSERT_GT(call.file_search().results_size(), 0);
  EXPECT_EQ(call.file_search().results(0).file_id(), pdf.id());
  EXPECT_EQ(call.file_search().results(0).file_name(), "manual.pdf");
  EXPECT_EQ(call.file_search().results(0).content_size(), 0) << "content only with include[]";
  EXPECT_EQ(call.file_search().ranking_options().ranker(), "default_2024_08_21");

  const v1::Message* answer = Completed(events);
  ASSERT_NE(answer, nullptr);
  EXPECT_THAT(answer->content(0).text().value(), HasSubstr("400 operating hours"));
  const v1::Annotation cite = FirstCitation(*answer);
  EXPECT_EQ(cite.file_citation().file_id(), pdf.id());
  EXPECT_EQ(cite.file_citation().page_number(), 2);
  EXPECT_EQ(cite.file_citation().file_name(), "manual.pdf");
}

TEST_F(DocQaE2eTest, IncludeAsksForChunkContent) {
  const v1::File pdf = UploadManual();
  const v1::Assistant a = SearchAssistant("assistd-extractive", pdf.id());
  const auto events =
      AskStreamed(a, "How long is the warranty?",
                  {"step_details.tool_calls[*].file_search.results[*].content"});
  const v1::RunStep* step = ToolStep(events);
  ASSERT_NE(step, nullptr);
  const auto& results = step->step_details().tool_calls().tool_calls(0).file_search().results();
  ASSERT_GT(results.size(), 0);
  EXPECT_THAT(results[0].content(0).text(), HasSubstr("two years"));
}

TEST_F(DocQaE2eTest, ScriptedModelGetsPassagesAndItsQuotesAreCited) {
  const v1::File pdf = UploadManual();
  const v1::Assistant a = SearchAssistant("scripted", pdf.id());
  model_->EnqueueTurn(ChatTurn::ToolCalls({{"file_search", R"({"query":"warranty duration"})"}}));
  // One sentence with the model's own marker, one quoted without any.
  model_->EnqueueTurn(ChatTurn::Text(
      "Per the manual, the warranty lasts two years from the date of delivery. 【0:0†source】 "
      "Also, always disconnect the power supply before opening the housing of the pump.",
      5));
  const auto events = AskStreamed(a, "How long is the warranty?");
  ASSERT_EQ(LastRunEvent(events), "thread.run.completed");

  // The model saw the passages under their markers.
  const auto requests = model_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  const std::string tool_output = requests[1].body["messages"].back()["content"];
  EXPECT_THAT(tool_output, HasSubstr("【0:0†manual.pdf】"));
  EXPECT_THAT(tool_output, HasSubstr("two years"));

  const v1::Message* answer = Completed(events);
  ASSERT_NE(answer, nullptr);
  const v1::MessageText& text = answer->content(0).text();
  std::vector<int> pages;
  for (const v1::Annotation& ann : text.annotations()) {
    ASSERT_TRUE(ann.has_file_citation());
    EXPECT_EQ(Covered(text.value(), ann), ann.text());
    EXPECT_EQ(ann.file_citation().file_id(), pdf.id());
    pages.push_back(ann.file_citation().page_number());
  }
  // The warranty (page 3) and, inserted by the server, the safety rule (page 1).
  EXPECT_THAT(pages, ::testing::UnorderedElementsAre(3, 1)) << text.value();
}

TEST_F(DocQaE2eTest, FunctionToolMixedWithFileSearch) {
  const v1::File pdf = UploadManual();
  const v1::Assistant a = SearchAssistant("scripted", pdf.id(), /*with_function=*/true);
  model_->EnqueueTurn(ChatTurn::ToolCalls({{"file_search", R"({"query":"warranty"})"},
                                           {"get_weather", R"({"city":"Oslo"})"}}));
  model_->EnqueueTurn(ChatTurn::Text("The warranty lasts two years. It is sunny in Oslo."));
  auto events = AskStreamed(a, "Warranty, and the weather in Oslo?");
  ASSERT_EQ(LastRunEvent(events), "thread.run.requires_action");
  v1::Run run;
  for (const auto& e : events) {
    if (e.event() == "thread.run.requires_action") run = e.run();
  }
  const auto& required = run.required_action().submit_tool_outputs().tool_calls();
  ASSERT_EQ(required.size(), 1) << "only the function goes to the client";
  EXPECT_EQ(required[0].function().name(), "get_weather");

  v1::SubmitToolOutputsRequest submit;
  submit.set_thread_id(run.thread_id());
  submit.set_run_id(run.id());
  auto* out = submit.add_tool_outputs();
  out->set_tool_call_id(required[0].id());
  out->set_output("sunny, 21 C");
  events = ReadAll(s_->runs->SubmitToolOutputsStream(Ctx().get(), submit));
  ASSERT_EQ(LastRunEvent(events), "thread.run.completed");

  v1::ListRunStepsRequest list;
  list.set_thread_id(run.thread_id());
  list.set_run_id(run.id());
  v1::ListRunStepsResponse steps;
  ASSERT_TRUE(s_->runs->ListRunSteps(Ctx().get(), list, &steps).ok());
  const v1::RunStep* tools = nullptr;
  for (const auto& step : steps.data()) {
    if (step.step_details().has_tool_calls()) tools = &step;
  }
  ASSERT_NE(tools, nullptr);
  const auto& calls = tools->step_details().tool_calls().tool_calls();
  ASSERT_EQ(calls.size(), 2);
  EXPECT_GT(calls[0].file_search().results_size(), 0);
  EXPECT_EQ(calls[1].function().output(), "sunny, 21 C");
  const auto requests = model_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_THAT(requests[1].body["messages"].dump(), HasSubstr("two years"));
  EXPECT_THAT(requests[1].body["messages"].dump(), HasSubstr("sunny, 21 C"));
}

TEST_F(DocQaE2eTest, AttachmentsGoIntoTheThreadsStore) {
  const v1::File pdf = UploadManual();
  v1::CreateAssistantRequest areq;
  areq.set_model("assistd-extractive");
  areq.add_tools()->mutable_file_search();
  v1::Assistant a;
  ASSERT_TRUE(s_->assistants->CreateAssistant(Ctx().get(), areq, &a).ok());
  v1::CreateThreadRequest treq;
  auto* m = treq.add_messages();
  m->set_role(v1::MESSAGE_ROLE_USER);
  m->set_text("How long is the warranty?");
  auto* attachment = m->add_attachments();
  attachment->set_file_id(pdf.id());
  attachment->add_tools()->mutable_file_search();
  v1::Thread t;
  grpc::Status st = s_->threads->CreateThread(Ctx().get(), treq, &t);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(t.tool_resources().file_search().vector_store_ids_size(), 1);

  // The store made for the thread expires 7 days after its last activity.
  v1::GetVectorStoreRequest get;
  get.set_vector_store_id(t.tool_resources().file_search().vector_store_ids(0));
  v1::VectorStore store;
  ASSERT_TRUE(s_->stores->GetVectorStore(Ctx().get(), get, &store).ok());
  EXPECT_EQ(store.expires_after().anchor(), v1::EXPIRES_AFTER_ANCHOR_LAST_ACTIVE_AT);
  EXPECT_EQ(store.expires_after().days(), 7);

  // The run waits for the thread's store to finish ingesting, then cites it.
  v1::CreateRunRequest req;
  req.set_thread_id(t.id());
  req.set_assistant_id(a.id());
  const auto events = ReadAll(s_->runs->CreateRunStream(Ctx().get(), req));
  ASSERT_EQ(LastRunEvent(events), "thread.run.completed");
  const v1::Message* answer = Completed(events);
  ASSERT_NE(answer, nullptr);
  EXPECT_THAT(answer->content(0).text().value(), HasSubstr("two years"));
  EXPECT_EQ(FirstCitation(*answer).file_citation().page_number(), 3);
}

TEST_F(DocQaE2eTest, NoAttachmentsWhileARunIsActive) {
  const v1::File pdf = UploadManual();
  const v1::Assistant a = SearchAssistant("scripted", pdf.id(), /*with_function=*/true);
  model_->EnqueueTurn(ChatTurn::ToolCalls({{"get_weather", R"({"city":"Oslo"})"}}));
  const auto events = AskStreamed(a, "Weather?");
  ASSERT_EQ(LastRunEvent(events), "thread.run.requires_action");
  v1::CreateMessageRequest req;
  req.set_thread_id(events.front().run().thread_id());
  req.mutable_message()->set_role(v1::MESSAGE_ROLE_USER);
  req.mutable_message()->set_text("And this file?");
  auto* attachment = req.mutable_message()->add_attachments();
  attachment->set_file_id(pdf.id());
  attachment->add_tools()->mutable_file_search();
  v1::Message created;
  grpc::Status st = s_->threads->CreateMessage(Ctx().get(), req, &created);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("Can't add messages to"));
  v1::GetThreadRequest get;
  get.set_thread_id(req.thread_id());
  v1::Thread t;
  ASSERT_TRUE(s_->threads->GetThread(Ctx().get(), get, &t).ok());
  EXPECT_FALSE(t.has_tool_resources()) << "no store was made for the locked thread";
}

TEST_F(DocQaE2eTest, CsvAnalysedWithAChart) {
  if (!SandboxWorks()) GTEST_SKIP() << "the sandbox cannot start sessions on this host";
  const v1::File csv = Upload("sales.csv", "month,sales\nJan,10\nFeb,14\nMar,9\n");
  v1::CreateAssistantRequest req;
  req.set_model("assistd-extractive");
  req.add_tools()->mutable_code_interpreter();
  req.mutable_tool_resources()->mutable_code_interpreter()->add_file_ids(csv.id());
  v1::Assistant a;
  ASSERT_TRUE(s_->assistants->CreateAssistant(Ctx().get(), req, &a).ok());
  const auto events = AskStreamed(a,
                                  "Total and chart, please:\n```python\n"
                                  "import pandas as pd\n"
                                  "import matplotlib.pyplot as plt\n"
                                  "df = pd.read_csv('/mnt/data/sales.csv')\n"
                                  "print('total', df['sales'].sum())\n"
                                  "df.plot(x='month', y='sales')\n"
                                  "plt.show()\n"
                                  "df.to_csv('/mnt/data/summary.csv')\n"
                                  "```");
  ASSERT_EQ(LastRunEvent(events), "thread.run.completed");
  const v1::RunStep* step = ToolStep(events);
  ASSERT_NE(step, nullptr);
  const v1::CodeInterpreterToolCall& ci =
      step->step_details().tool_calls().tool_calls(0).code_interpreter();
  EXPECT_THAT(ci.input(), HasSubstr("read_csv"));
  ASSERT_GE(ci.outputs_size(), 2);
  EXPECT_THAT(ci.outputs(0).logs(), HasSubstr("total 33"));
  ASSERT_TRUE(ci.outputs(1).has_image());
  ASSERT_EQ(ci.files_size(), 1);
  EXPECT_EQ(ci.files(0).path(), "/mnt/data/summary.csv");

  const v1::Message* answer = Completed(events);
  ASSERT_NE(answer, nullptr);
  EXPECT_THAT(answer->content(0).text().value(), HasSubstr("total 33"));
  ASSERT_EQ(answer->content_size(), 2);
  ASSERT_EQ(answer->content(1).image_file().file_id(), ci.outputs(1).image().file_id());
  // The written file is linked, and the link annotated with its File.
  const v1::MessageText& text = answer->content(0).text();
  ASSERT_EQ(text.annotations_size(), 1) << text.value();
  EXPECT_EQ(text.annotations(0).text(), "sandbox:/mnt/data/summary.csv");
  EXPECT_EQ(Covered(text.value(), text.annotations(0)), text.annotations(0).text());
  EXPECT_EQ(text.annotations(0).file_path().file_id(), ci.files(0).file_id());

  // The chart is a stored PNG.
  v1::GetFileContentRequest get;
  get.set_file_id(ci.outputs(1).image().file_id());
  auto ctx = Ctx();
  auto reader = s_->files->GetFileContent(ctx.get(), get);
  std::string png;
  v1::FileChunk chunk;
  while (reader->Read(&chunk)) png += chunk.data();
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(png.substr(1, 3), "PNG");
}

TEST_F(DocQaE2eTest, CancelWhileCodeRuns) {
  if (!SandboxWorks()) GTEST_SKIP() << "the sandbox cannot start sessions on this host";
  v1::CreateAssistantRequest areq;
  areq.set_model("assistd-extractive");
  areq.add_tools()->mutable_code_interpreter();
  v1::Assistant a;
  ASSERT_TRUE(s_->assistants->CreateAssistant(Ctx().get(), areq, &a).ok());
  v1::CreateThreadAndRunRequest req;
  req.set_assistant_id(a.id());
  auto* m = req.mutable_thread()->add_messages();
  m->set_role(v1::MESSAGE_ROLE_USER);
  m->set_text("```python\nimport time\ntime.sleep(100)\n```");
  auto ctx = Ctx();
  auto stream = s_->runs->CreateThreadAndRunStream(ctx.get(), req);
  v1::RunEvent e;
  std::string thread_id, run_id;
  absl::Time cancelled_at;
  std::vector<std::string> names;
  while (stream->Read(&e)) {
    names.push_back(e.event());
    if (e.has_run()) {
      thread_id = e.run().thread_id();
      run_id = e.run().id();
    }
    if (e.event() == "thread.run.step.delta" &&
        e.run_step_delta().delta().step_details().tool_calls().tool_calls(0).has_code_interpreter() &&
        cancelled_at == absl::Time()) {
      v1::CancelRunRequest cancel;
      cancel.set_thread_id(thread_id);
      cancel.set_run_id(run_id);
      v1::Run cancelling;
      ASSERT_TRUE(s_->runs->CancelRun(Ctx().get(), cancel, &cancelling).ok());
      cancelled_at = absl::Now();
    }
  }
  ASSERT_TRUE(stream->Finish().ok());
  ASSERT_NE(cancelled_at, absl::Time()) << absl::StrJoin(names, " ");
  EXPECT_EQ(names[names.size() - 2], "thread.run.cancelled") << absl::StrJoin(names, " ");
  // The 100 s sleep was interrupted, not waited out.
  EXPECT_LT(absl::Now() - cancelled_at, absl::Seconds(60));
}

}  // namespace
}  // namespace assistd
