// assistctl against the real assistd binary (every service, a scripted
// model server for the model "scripted"): every command group, --json
// output, --project scoping, errors and usage errors, and ask/run end to
// end. stdout and stderr are captured apart: --json must leave stdout with
// exactly one JSON document.

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "assistd/v1/assistants.grpc.pb.h"
#include "assistd/v1/runs.grpc.pb.h"
#include "assistd/v1/threads.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/project.h"
#include "tests/fakes/scripted_chat_server.h"
#include "tests/util/pdf_fixtures.h"
#include "tests/util/status_matchers.h"
#include "tests/util/assistd_process.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::ChatTurn;
using ::assistd::testing::AssistdProcess;
using ::assistd::testing::ScriptedChatServer;
using ::assistd::testing::Subprocess;
using ::assistd::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr absl::Duration kWait = absl::Seconds(120);

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// One finished assistctl invocation.
struct CtlResult {
  int code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  nlohmann::json Json() const {
    nlohmann::json j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "stdout is not one JSON document:\n" << out;
    return j;
  }
};

std::ostream& operator<<(std::ostream& os, const CtlResult& r) {
  return os << "exit " << r.code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err;
}

class AssistctlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    model_ = ScriptedChatServer::Start().value().release();
    auto server = AssistdProcess::Start(
        {ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0", "--data_dir=" + dir_->File("data"),
         "--model_endpoints=scripted=" + model_->Url(), "--sandbox_timeout=120s"});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
    addr_ = new std::string(server_->address());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete model_;
    delete addr_;
    delete dir_;
  }

  void SetUp() override { ASSERT_NE(addr_, nullptr) << "assistd did not start"; }

  // Starts assistctl with `args` (after --addr and --project) and its
  // stdout going to a file of its own.
  std::unique_ptr<Subprocess> StartCtl(const std::vector<std::string>& args,
                                       std::map<std::string, std::string> env = {}) {
    out_path_ = dir_->File(absl::StrCat(project_, "-stdout-", ++runs_));
    std::vector<std::string> argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" >\"$CTL_STDOUT\"",
                                     ASSISTCTL_BINARY, "--addr=" + *addr_};
    if (env.count("ASSISTCTL_PROJECT") == 0) argv.push_back("--project=" + project_);
    argv.insert(argv.end(), args.begin(), args.end());
    env["CTL_STDOUT"] = out_path_;
    auto proc = Subprocess::Start(argv, env);
    EXPECT_TRUE(proc.ok()) << proc.status();
    return proc.ok() ? *std::move(proc) : nullptr;
  }
  CtlResult Finish(Subprocess& proc) {
    CtlResult r;
    absl::StatusOr<int> code = proc.Wait(kWait);
    EXPECT_TRUE(code.ok()) << code.status();
    r.code = code.value_or(-1);
    r.err = proc.output();
    r.out = ReadAll(out_path_);
    return r;
  }
  CtlResult Ctl(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    std::unique_ptr<Subprocess> proc = StartCtl(args, std::move(env));
    if (proc == nullptr) return {};
    return Finish(*proc);
  }

  // A file under the test's directory with `bytes` in it.
  std::string Fixture(const std::string& name, const std::string& bytes) {
    const std::string path = dir_->File(absl::StrCat(project_, "-fixture-", ++fixtures_));
    std::filesystem::create_directories(path);
    const std::string file = path + "/" + name;
    WriteAll(file, bytes);
    return file;
  }
  // Uploads a fixture and returns its file id.
  std::string UploadId(const std::string& name, const std::string& bytes) {
    CtlResult r = Ctl({"files", "upload", Fixture(name, bytes), "--json"});
    EXPECT_EQ(r.code, 0) << r;
    return r.Json().value("id", "");
  }

  std::unique_ptr<grpc::ClientContext> Ctx() const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + kWait));
    SetProject(ctx.get(), project_);
    return ctx;
  }
  std::shared_ptr<grpc::Channel> Channel() const {
    return grpc::CreateChannel(*addr_, grpc::InsecureChannelCredentials());
  }

  // Each test has a project of its own, so lists see only its objects.
  const std::string project_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string out_path_;
  int runs_ = 0;
  int fixtures_ = 0;

  static TempDir* dir_;
  static ScriptedChatServer* model_;
  static AssistdProcess* server_;
  static std::string* addr_;
};

TempDir* AssistctlTest::dir_ = nullptr;
ScriptedChatServer* AssistctlTest::model_ = nullptr;
AssistdProcess* AssistctlTest::server_ = nullptr;
std::string* AssistctlTest::addr_ = nullptr;

TEST_F(AssistctlTest, FilesRoundTrip) {
  std::string bytes = "line one\nzwei: \xc3\xa4\xc3\xb6\xc3\xbc\n";
  for (int i = 0; i < 3000; ++i) bytes += static_cast<char>(i % 256);  // binary too
  const std::string path = Fixture("notes.bin", bytes);

  CtlResult up = Ctl({"files", "upload", path, "--json", "--purpose", "user_data"});
  ASSERT_EQ(up.code, 0) << up;
  const nlohmann::json file = up.Json();
  const std::string id = file.value("id", "");
  EXPECT_THAT(id, StartsWith("file-"));
  EXPECT_EQ(file["bytes"], bytes.size());
  EXPECT_EQ(file["filename"], "notes.bin");
  EXPECT_EQ(file["purpose"], "user_data");

  CtlResult list = Ctl({"files", "list"});
  ASSERT_EQ(list.code, 0) << list;
  EXPECT_THAT(list.out, StartsWith("ID"));
  EXPECT_THAT(list.out, HasSubstr(id));
  EXPECT_THAT(list.out, HasSubstr("notes.bin"));
  CtlResult json_list = Ctl({"files", "list", "--json"});
  ASSERT_EQ(json_list.code, 0) << json_list;
  ASSERT_EQ(json_list.Json()["data"].size(), 1u);
  EXPECT_EQ(json_list.Json()["data"][0]["id"], id);

  CtlResult get = Ctl({"files", "get", id});
  ASSERT_EQ(get.code, 0) << get;
  EXPECT_THAT(get.out, HasSubstr("notes.bin"));
  EXPECT_THAT(get.out, HasSubstr(absl::StrCat(bytes.size())));

  const std::string copy = dir_->File(absl::StrCat(project_, "-copy.bin"));
  CtlResult down = Ctl({"files", "download", id, "--out", copy});
  ASSERT_EQ(down.code, 0) << down;
  EXPECT_THAT(down.out, HasSubstr("saved " + copy));
  EXPECT_EQ(ReadAll(copy), bytes);
  CtlResult cat = Ctl({"files", "download", id, "--out", "-"});
  ASSERT_EQ(cat.code, 0) << cat;
  EXPECT_EQ(cat.out, bytes);

  CtlResult del = Ctl({"files", "delete", id, "--json"});
  ASSERT_EQ(del.code, 0) << del;
  EXPECT_EQ(del.Json()["deleted"], true);
  CtlResult gone = Ctl({"files", "get", id});
  EXPECT_EQ(gone.code, 1) << gone;
  EXPECT_THAT(gone.err, StartsWith(absl::StrCat("assistctl: files get ", id, ": ")));
  EXPECT_THAT(gone.out, IsEmpty());
}

TEST_F(AssistctlTest, ListsPageWithLimitAndAfter) {
  const std::string a = UploadId("a.txt", "alpha");
  const std::string b = UploadId("b.txt", "beta");
  CtlResult first = Ctl({"files", "list", "--limit", "1", "--order", "asc", "--json"});
  ASSERT_EQ(first.code, 0) << first;
  ASSERT_EQ(first.Json()["data"].size(), 1u);
  EXPECT_EQ(first.Json()["data"][0]["id"], a);
  EXPECT_EQ(first.Json()["has_more"], true);
  CtlResult second = Ctl({"files", "list", "--limit", "1", "--order", "asc", "--after", a});
  ASSERT_EQ(second.code, 0) << second;
  EXPECT_THAT(second.out, HasSubstr(b));
  EXPECT_THAT(second.out, Not(HasSubstr(a)));
}

TEST_F(AssistctlTest, StoresCreateIndexAndListFiles) {
  const std::string file_id =
      UploadId("volcano.txt", "Volcanoes erupt when magma rises through the crust.");
  CtlResult created =
      Ctl({"stores", "create", "--name", "geology", "--file_id", file_id, "--wait", "--json"});
  ASSERT_EQ(created.code, 0) << created;
  const nlohmann::json store = created.Json();
  const std::string vs = store.value("id", "");
  EXPECT_THAT(vs, StartsWith("vs_"));
  EXPECT_EQ(store["status"], "completed");
  EXPECT_EQ(store["file_counts"]["completed"], 1);
  EXPECT_THAT(created.err, HasSubstr("indexing 1/1 files"));

  CtlResult files = Ctl({"stores", "files", vs});
  ASSERT_EQ(files.code, 0) << files;
  EXPECT_THAT(files.out, HasSubstr(file_id));
  EXPECT_THAT(files.out, HasSubstr("volcano.txt"));
  EXPECT_THAT(files.out, HasSubstr("completed"));
  CtlResult failed_only = Ctl({"stores", "files", vs, "--status", "failed", "--json"});
  ASSERT_EQ(failed_only.code, 0) << failed_only;
  EXPECT_TRUE(failed_only.Json()["data"].empty());

  CtlResult list = Ctl({"stores", "list"});
  ASSERT_EQ(list.code, 0) << list;
  EXPECT_THAT(list.out, HasSubstr(vs));
  EXPECT_THAT(list.out, HasSubstr("geology"));
  CtlResult get = Ctl({"stores", "get", vs, "--json"});
  ASSERT_EQ(get.code, 0) << get;
  EXPECT_EQ(get.Json()["name"], "geology");
  CtlResult del = Ctl({"stores", "delete", vs});
  ASSERT_EQ(del.code, 0) << del;
  EXPECT_EQ(del.out, absl::StrCat("deleted ", vs, "\n"));
  EXPECT_EQ(Ctl({"stores", "get", vs}).code, 1);
}

TEST_F(AssistctlTest, StoresCreateReportsAFileThatFailsToIndex) {
  // Bytes that claim to be a PDF and are not one.
  const std::string file_id = UploadId("broken.pdf", "%PDF-1.4\nnot really a pdf\n");
  CtlResult created = Ctl({"stores", "create", "--file_id", file_id, "--wait"});
  EXPECT_EQ(created.code, 1) << created;
  EXPECT_THAT(created.err, HasSubstr("indexing failed: broken.pdf (" + file_id + ")"));
}

TEST_F(AssistctlTest, AssistantsAndThreads) {
  auto assistants = v1::AssistantService::NewStub(Channel());
  v1::CreateAssistantRequest areq;
  areq.set_model("scripted");
  areq.set_name("helper");
  areq.add_tools()->mutable_code_interpreter();
  v1::Assistant assistant;
  ASSERT_TRUE(assistants->CreateAssistant(Ctx().get(), areq, &assistant).ok());
  auto threads = v1::ThreadService::NewStub(Channel());
  v1::CreateThreadRequest treq;
  v1::MessageCreate* m = treq.add_messages();
  m->set_role(v1::MESSAGE_ROLE_USER);
  m->set_text("hello there,\nassistant");
  v1::Thread thread;
  ASSERT_TRUE(threads->CreateThread(Ctx().get(), treq, &thread).ok());

  CtlResult list = Ctl({"assistants", "list"});
  ASSERT_EQ(list.code, 0) << list;
  EXPECT_THAT(list.out, HasSubstr(assistant.id()));
  EXPECT_THAT(list.out, HasSubstr("helper"));
  EXPECT_THAT(list.out, HasSubstr("code_interpreter"));
  CtlResult get = Ctl({"assistants", "get", assistant.id(), "--json"});
  ASSERT_EQ(get.code, 0) << get;
  EXPECT_EQ(get.Json()["model"], "scripted");
  EXPECT_EQ(get.Json()["tools"][0]["type"], "code_interpreter");

  CtlResult tget = Ctl({"threads", "get", thread.id()});
  ASSERT_EQ(tget.code, 0) << tget;
  EXPECT_THAT(tget.out, HasSubstr(thread.id()));
  CtlResult messages = Ctl({"threads", "messages", thread.id()});
  ASSERT_EQ(messages.code, 0) << messages;
  EXPECT_THAT(messages.out, HasSubstr("hello there, assistant"));
  EXPECT_THAT(messages.out, HasSubstr("user"));
  CtlResult json = Ctl({"threads", "messages", thread.id(), "--json"});
  ASSERT_EQ(json.code, 0) << json;
  EXPECT_EQ(json.Json()["data"][0]["content"][0]["text"]["value"], "hello there,\nassistant");

  EXPECT_EQ(Ctl({"threads", "delete", thread.id()}).code, 0);
  EXPECT_EQ(Ctl({"assistants", "delete", assistant.id()}).code, 0);
  CtlResult gone = Ctl({"assistants", "get", assistant.id()});
  EXPECT_EQ(gone.code, 1) << gone;
  EXPECT_THAT(gone.err, HasSubstr(assistant.id()));
  EXPECT_EQ(Ctl({"threads", "get", thread.id()}).code, 1);
}

TEST_F(AssistctlTest, ProjectComesFromTheFlagOrTheEnvironment) {
  const std::string id = UploadId("mine.txt", "project scoped");
  CtlResult other = Ctl({"files", "list", "--project", "someone_else"});
  ASSERT_EQ(other.code, 0) << other;
  EXPECT_THAT(other.out, Not(HasSubstr(id)));
  CtlResult by_env = Ctl({"files", "list"}, {{"ASSISTCTL_PROJECT", project_}});
  ASSERT_EQ(by_env.code, 0) << by_env;
  EXPECT_THAT(by_env.out, HasSubstr(id));
  CtlResult bad = Ctl({"files", "list", "--project", "no spaces allowed"});
  EXPECT_EQ(bad.code, 1) << bad;
}

TEST_F(AssistctlTest, ServerErrorsExitOneWithTheServersMessage) {
  CtlResult missing = Ctl({"stores", "get", "vs_doesnotexist"});
  EXPECT_EQ(missing.code, 1) << missing;
  EXPECT_THAT(missing.err, StartsWith("assistctl: stores get vs_doesnotexist: "));
  EXPECT_THAT(missing.err, HasSubstr("vs_doesnotexist"));
  CtlResult no_file = Ctl({"files", "upload", dir_->File("no-such-file")});
  EXPECT_EQ(no_file.code, 1) << no_file;
  EXPECT_THAT(no_file.err, HasSubstr("no-such-file"));
  CtlResult unreachable = Ctl({"--addr=127.0.0.1:1", "--timeout=2s", "files", "list"});
  EXPECT_EQ(unreachable.code, 1) << unreachable;
  EXPECT_THAT(unreachable.err, StartsWith("assistctl: files list: "));
}

TEST_F(AssistctlTest, UsageErrorsExitTwoWithTheUsage) {
  for (std::vector<std::string> line : {std::vector<std::string>{"frobnicate"},
                                        {"files", "get"},
                                        {"files", "list", "--bogus=1"},
                                        {"files", "list", "--limit", "many"},
                                        {"stores", "files", "vs_x", "--status", "odd"},
                                        {"ask"},
                                        {"--timeout=soon", "files", "list"},
                                        {}}) {
    CtlResult r = Ctl(line);
    EXPECT_EQ(r.code, 2) << r;
    EXPECT_THAT(r.err, HasSubstr("usage"));
    EXPECT_THAT(r.out, IsEmpty());
  }
  CtlResult help = Ctl({"--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* command : {"ask", "run", "files upload", "stores create", "threads messages"}) {
    EXPECT_THAT(help.out, HasSubstr(command));
  }
}

TEST_F(AssistctlTest, HealthAndServicesStillWork) {
  CtlResult health = Ctl({"health"});
  EXPECT_EQ(health.code, 0) << health;
  EXPECT_EQ(health.out, "SERVING\n");
  CtlResult services = Ctl({"services", "--json"});
  ASSERT_EQ(services.code, 0) << services;
  EXPECT_THAT(services.Json().dump(), HasSubstr("assistd.v1.RunService"));
}

// --- ask and run with the scripted model ------------------------------------

TEST_F(AssistctlTest, AskStreamsTheAnswerAndCleansUp) {
  model_->EnqueueTurn(ChatTurn::Text("The crust lets magma rise.", 5));
  const std::string notes = Fixture("notes.txt", "Volcanoes erupt when magma rises.");
  CtlResult r =
      Ctl({"ask", "--model", "scripted", "--file", notes, "Why", "do", "volcanoes", "erupt?"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, "The crust lets magma rise.\n");
  EXPECT_THAT(r.err, HasSubstr("uploaded " + notes));
  EXPECT_THAT(r.err, HasSubstr("indexing 1/1 files"));
  EXPECT_THAT(r.err, HasSubstr("--vector_store vs_"));
  // The question went to the model as the user message.
  EXPECT_THAT(model_->Requests().back().body["messages"].dump(),
              HasSubstr("Why do volcanoes erupt?"));
  // The one-off assistant is gone; the file stays.
  CtlResult assistants = Ctl({"assistants", "list", "--json"});
  EXPECT_TRUE(assistants.Json()["data"].empty()) << assistants;
  EXPECT_THAT(Ctl({"files", "list"}).out, HasSubstr("notes.txt"));
}

TEST_F(AssistctlTest, AskJsonReusesAStoreAndKeepsTheAssistant) {
  const std::string file_id = UploadId("a.txt", "Alpha is the first letter.");
  CtlResult store = Ctl({"stores", "create", "--file_id", file_id, "--wait", "--json"});
  ASSERT_EQ(store.code, 0) << store;
  const std::string vs = store.Json().value("id", "");
  model_->EnqueueTurn(ChatTurn::Text("Alpha comes first.", 3));
  CtlResult r = Ctl({"ask", "--json", "--keep", "--model=scripted", "--vector_store", vs,
                     "Which letter is first?"});
  ASSERT_EQ(r.code, 0) << r;
  const nlohmann::json j = r.Json();
  EXPECT_EQ(j["answer"], "Alpha comes first.");
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["vector_store_id"], vs);
  EXPECT_THAT(j.value("thread_id", ""), StartsWith("thread_"));
  CtlResult kept = Ctl({"assistants", "get", j.value("assistant_id", "-"), "--json"});
  ASSERT_EQ(kept.code, 0) << kept;
  EXPECT_EQ(kept.Json()["tool_resources"]["file_search"]["vector_store_ids"][0], vs);
  CtlResult messages = Ctl({"threads", "messages", j.value("thread_id", "-")});
  EXPECT_THAT(messages.out, HasSubstr("Alpha comes first."));
}

TEST_F(AssistctlTest, AskReportsAFailedRun) {
  model_->EnqueueTurn(ChatTurn::Error(400, "the prompt is not acceptable"));
  CtlResult r = Ctl({"ask", "--model", "scripted", "Anything?"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("assistctl: ask: run run_"));
  EXPECT_THAT(r.err, HasSubstr("failed"));
}

TEST_F(AssistctlTest, CtrlCCancelsTheRun) {
  model_->EnqueueTurn(
      ChatTurn::Text("a slow answer that never ends", 6).PauseAfterChunks(2, absl::Seconds(30)));
  std::unique_ptr<Subprocess> proc = StartCtl({"ask", "--model", "scripted", "Take your time"});
  ASSERT_NE(proc, nullptr);
  absl::StatusOr<std::string> started = proc->WaitForLine("on thread", kWait);
  ASSERT_TRUE(started.ok()) << started.status();
  // "run run_x on thread thread_y"
  const std::vector<std::string> words = absl::StrSplit(*started, ' ');
  ASSERT_EQ(words.size(), 5u) << *started;
  proc->Signal(SIGINT);
  CtlResult r = Finish(*proc);
  EXPECT_EQ(r.code, 130) << r;
  EXPECT_THAT(r.err, HasSubstr("cancelled run " + words[1]));

  auto runs = v1::RunService::NewStub(Channel());
  v1::GetRunRequest req;
  req.set_thread_id(words[4]);
  req.set_run_id(words[1]);
  v1::Run run;
  const absl::Time deadline = absl::Now() + kWait;
  while (true) {
    ASSERT_TRUE(runs->GetRun(Ctx().get(), req, &run).ok());
    if (run.status() != v1::RUN_STATUS_CANCELLING || absl::Now() > deadline) break;
    absl::SleepFor(absl::Milliseconds(50));  // a poll, not a synchronisation
  }
  EXPECT_EQ(run.status(), v1::RUN_STATUS_CANCELLED);
}

// --- ask and run with the built-in model (assistd-extractive) ---------------

TEST_F(AssistctlTest, AskAnswersWithCitations) {
  const std::string pdf = dir_->File("report.pdf");
  ASSERT_OK(testing::WriteTextPdf(
      pdf, {"Pump manual\n\nThe intake filter must be replaced every 400 operating hours.\n"
            "The warranty lasts two years from the date of delivery."}));
  CtlResult r = Ctl({"ask", "--file", pdf, "How often must the intake filter be replaced?"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("400 operating hours"));
  EXPECT_THAT(r.out, HasSubstr("\nSources:\n  "));
  EXPECT_THAT(r.out, HasSubstr("report.pdf, page 1\n"));
}

TEST_F(AssistctlTest, RunSavesImage) {
  const std::string csv = Fixture("sales.csv", "month,sales\nJan,10\nFeb,14\nMar,9\n");
  const std::string out_dir = dir_->File("charts");
  CtlResult r = Ctl({"run", "--file", csv, "--out_dir", out_dir,
                     "Chart the sales, please:\n```python\n"
                     "import csv\n"
                     "import matplotlib\n"
                     "import matplotlib.pyplot as plt\n"
                     "rows = list(csv.DictReader(open('/mnt/data/sales.csv')))\n"
                     "print('total', sum(int(r['sales']) for r in rows))\n"
                     "plt.plot([r['month'] for r in rows], [int(r['sales']) for r in rows])\n"
                     "plt.savefig('/mnt/data/sales.png')\n"
                     "plt.show()\n"
                     "```"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("total 33"));
  EXPECT_THAT(r.err, HasSubstr("[code_interpreter]\n    import csv\n"));
  EXPECT_THAT(r.out, HasSubstr("saved " + out_dir + "/"));
  int pngs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out_dir)) {
    if (entry.path().extension() == ".png") {
      ++pngs;
      EXPECT_EQ(ReadAll(entry.path()).substr(1, 3), "PNG");
    }
  }
  EXPECT_GE(pngs, 1);
}

}  // namespace
}  // namespace assistd
