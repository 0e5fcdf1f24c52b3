// API keys against the real assistd binary (--auth=keys): keys made with
// `assistd keys create`, the project of every call taken from its key, a
// key of project A getting NOT_FOUND for project B's ids on every service,
// lists showing only the key's project, calls without a valid key refused
// (health stays open), in-process calls between services keeping the
// caller's project, and `assistd keys list/revoke`.

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "assistd/v1/assistants.grpc.pb.h"
#include "assistd/v1/files.grpc.pb.h"
#include "assistd/v1/runs.grpc.pb.h"
#include "assistd/v1/sandbox.grpc.pb.h"
#include "assistd/v1/threads.grpc.pb.h"
#include "assistd/v1/vector_stores.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/api_keys_util.h"
#include "tests/util/assistd_process.h"
#include "tests/util/status_matchers.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::AssistdProcess;
using ::assistd::testing::Ctx;
using ::assistd::testing::KeyIn;
using ::assistd::testing::kWait;
using ::assistd::testing::RunAssistd;
using ::assistd::testing::Upload;
using ::assistd::testing::IsOkAndHolds;
using ::assistd::testing::Subprocess;
using ::assistd::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;


struct Stubs {
  explicit Stubs(const std::shared_ptr<grpc::Channel>& ch)
      : files(v1::FileService::NewStub(ch)),
        stores(v1::VectorStoreService::NewStub(ch)),
        assistants(v1::AssistantService::NewStub(ch)),
        threads(v1::ThreadService::NewStub(ch)),
        runs(v1::RunService::NewStub(ch)),
        sandbox(v1::SandboxService::NewStub(ch)),
        health(grpc::health::v1::Health::NewStub(ch)) {}
  std::unique_ptr<v1::FileService::Stub> files;
  std::unique_ptr<v1::VectorStoreService::Stub> stores;
  std::unique_ptr<v1::AssistantService::Stub> assistants;
  std::unique_ptr<v1::ThreadService::Stub> threads;
  std::unique_ptr<v1::RunService::Stub> runs;
  std::unique_ptr<v1::SandboxService::Stub> sandbox;
  std::unique_ptr<grpc::health::v1::Health::Stub> health;
};

// Project B's objects, made once with B's key.
struct BObjects {
  v1::File file;
  v1::VectorStore store;
  v1::VectorStoreFileBatch batch;
  v1::Assistant assistant;
  v1::Thread thread;
  v1::Message message;
  v1::Run run;
  v1::RunStep step;
  v1::Session session;  // empty id when the host has no sandbox
};

struct Shared {
  TempDir dir;
  std::string key_a, key_b;
  std::unique_ptr<AssistdProcess> server;
  std::unique_ptr<Stubs> s;
  BObjects b;
};
Shared* g = nullptr;

// B's objects, through in-process calls too: the vector store ingests the
// file (retrieval -> files), the run searches it (orchestrator ->
// retrieval) with the built-in model.
void MakeBObjects(BObjects* b) {
  const std::string& key = g->key_b;
  Stubs& s = *g->s;
  b->file = Upload(*s.files, key, "notes.txt", "The intake filter must be replaced every 400 hours.\n");
  v1::CreateVectorStoreRequest create_store;
  create_store.add_file_ids(b->file.id());
  ASSERT_TRUE(s.stores->CreateVectorStore(Ctx(key).get(), create_store, &b->store).ok());
  v1::GetVectorStoreRequest get_store;
  get_store.set_vector_store_id(b->store.id());
  const absl::Time deadline = absl::Now() + kWait;
  while (b->store.file_counts().completed() < 1 && absl::Now() < deadline) {
    ASSERT_EQ(b->store.file_counts().failed(), 0);
    absl::SleepFor(absl::Milliseconds(50));
    ASSERT_TRUE(s.stores->GetVectorStore(Ctx(key).get(), get_store, &b->store).ok());
  }
  ASSERT_EQ(b->store.file_counts().completed(), 1) << "ingestion through in-process calls";
  v1::CreateFileBatchRequest batch;
  batch.set_vector_store_id(b->store.id());
  batch.add_file_ids(b->file.id());
  ASSERT_TRUE(s.stores->CreateFileBatch(Ctx(key).get(), batch, &b->batch).ok());

  v1::CreateAssistantRequest create_assistant;
  create_assistant.set_model("assistd-extractive");
  create_assistant.add_tools()->mutable_file_search();
  create_assistant.mutable_tool_resources()->mutable_file_search()->add_vector_store_ids(
      b->store.id());
  ASSERT_TRUE(s.assistants->CreateAssistant(Ctx(key).get(), create_assistant, &b->assistant).ok());
  v1::CreateThreadRequest create_thread;
  auto* m = create_thread.add_messages();
  m->set_role(v1::MESSAGE_ROLE_USER);
  m->set_text("How often must the intake filter be replaced?");
  ASSERT_TRUE(s.threads->CreateThread(Ctx(key).get(), create_thread, &b->thread).ok());
  v1::ListMessagesRequest list_messages;
  list_messages.set_thread_id(b->thread.id());
  v1::ListMessagesResponse messages;
  ASSERT_TRUE(s.threads->ListMessages(Ctx(key).get(), list_messages, &messages).ok());
  ASSERT_EQ(messages.data_size(), 1);
  b->message = messages.data(0);

  v1::CreateRunRequest create_run;
  create_run.set_thread_id(b->thread.id());
  create_run.set_assistant_id(b->assistant.id());
  ASSERT_TRUE(s.runs->CreateRun(Ctx(key).get(), create_run, &b->run).ok());
  v1::GetRunRequest get_run;
  get_run.set_thread_id(b->thread.id());
  get_run.set_run_id(b->run.id());
  while (b->run.status() != v1::RUN_STATUS_COMPLETED && absl::Now() < deadline) {
    ASSERT_NE(b->run.status(), v1::RUN_STATUS_FAILED) << b->run.last_error().message();
    absl::SleepFor(absl::Milliseconds(20));
    ASSERT_TRUE(s.runs->GetRun(Ctx(key).get(), get_run, &b->run).ok());
  }
  ASSERT_EQ(b->run.status(), v1::RUN_STATUS_COMPLETED);
  v1::ListRunStepsRequest list_steps;
  list_steps.set_thread_id(b->thread.id());
  list_steps.set_run_id(b->run.id());
  v1::ListRunStepsResponse steps;
  ASSERT_TRUE(s.runs->ListRunSteps(Ctx(key).get(), list_steps, &steps).ok());
  ASSERT_GT(steps.data_size(), 0);
  b->step = steps.data(0);
  EXPECT_TRUE(b->step.step_details().has_tool_calls() || steps.data_size() > 1)
      << "the run searched B's store through an in-process call";

  grpc::Status session =
      s.sandbox->CreateSession(Ctx(key).get(), v1::CreateSessionRequest(), &b->session);
  if (!session.ok()) b->session.Clear();  // no sandbox on this host
}

class ApiKeysTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g = new Shared();
    const std::string data = "--data_dir=" + g->dir.File("data");
    auto [code_a, out_a] = RunAssistd({"keys", "create", "--project", "A", data});
    auto [code_b, out_b] = RunAssistd({"keys", "create", "--project=B", "--name=ci", data});
    ASSERT_EQ(code_a, 0) << out_a;
    ASSERT_EQ(code_b, 0) << out_b;
    g->key_a = KeyIn(out_a);
    g->key_b = KeyIn(out_b);
    ASSERT_FALSE(g->key_a.empty()) << out_a;
    AssistdProcess::Options options;
    options.timeout = kWait;
    absl::StatusOr<std::unique_ptr<AssistdProcess>> server = AssistdProcess::Start(
        {ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0", "--auth=keys", data}, options);
    ASSERT_TRUE(server.ok()) << server.status();
    g->server = *std::move(server);
    g->s = std::make_unique<Stubs>(
        grpc::CreateChannel(g->server->address(), grpc::InsecureChannelCredentials()));
    MakeBObjects(&g->b);
  }
  static void TearDownTestSuite() {
    delete g;
    g = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(g, nullptr);
    ASSERT_NE(g->server, nullptr);
    ASSERT_FALSE(g->b.run.id().empty()) << "setup failed";
  }
};

// Expects `st` to be NOT_FOUND; `what` names the call.
void ExpectNotFound(const grpc::Status& st, const std::string& what) {
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << what << ": " << st.error_message();
}

template <typename Message, typename Stream>
grpc::Status ReadAll(Stream* stream) {
  Message m;
  while (stream->Read(&m)) {
  }
  return stream->Finish();
}

TEST_F(ApiKeysTest, HealthNeedsNoKey) {
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status st = g->s->health->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  // Server reflection too (assistctl services uses it).
  ASSERT_OK_AND_ASSIGN(auto services,
                       Subprocess::Start({ASSISTCTL_BINARY, "--addr=" + g->server->address(),
                                          "services"},
                                         {{"ASSISTCTL_API_KEY", ""}}));
  EXPECT_THAT(services->Wait(kWait), IsOkAndHolds(0)) << services->output();
  EXPECT_THAT(services->output(), HasSubstr("assistd.v1.RunService"));
}

TEST_F(ApiKeysTest, CallsWithoutAValidKeyAreUnauthenticated) {
  const std::string unknown = "sk-assistd-" + std::string(48, 'Q');
  for (const std::string& key : {std::string(""), unknown, std::string("not-a-key")}) {
    v1::ListAssistantsResponse assistants;
    grpc::Status st = g->s->assistants->ListAssistants(Ctx(key, "B").get(),
                                                       v1::ListAssistantsRequest(), &assistants);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
    EXPECT_EQ(assistants.data_size(), 0);
    v1::ListFilesResponse files;
    st = g->s->files->ListFiles(Ctx(key).get(), v1::ListFilesRequest(), &files);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
    v1::Session session;
    st = g->s->sandbox->CreateSession(Ctx(key).get(), v1::CreateSessionRequest(), &session);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
    v1::ListVectorStoresResponse stores;
    st = g->s->stores->ListVectorStores(Ctx(key).get(), v1::ListVectorStoresRequest(), &stores);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
    v1::GetThreadRequest get_thread;
    get_thread.set_thread_id(g->b.thread.id());
    v1::Thread thread;
    st = g->s->threads->GetThread(Ctx(key, "B").get(), get_thread, &thread);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
    // A client-streaming call too.
    v1::File file;
    auto ctx = Ctx(key);
    auto writer = g->s->files->Upload(ctx.get(), &file);
    v1::UploadRequest header;
    header.mutable_header()->set_filename("x.txt");
    header.mutable_header()->set_purpose("assistants");
    writer->Write(header);
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
  }
  v1::ListFilesResponse files;
  grpc::Status st = g->s->files->ListFiles(Ctx(unknown).get(), v1::ListFilesRequest(), &files);
  EXPECT_THAT(st.error_message(), HasSubstr("Incorrect API key provided: sk-ass***QQQ."));
  EXPECT_THAT(st.error_message(), Not(HasSubstr(unknown)));
  st = g->s->files->ListFiles(Ctx("").get(), v1::ListFilesRequest(), &files);
  EXPECT_THAT(st.error_message(), HasSubstr("You didn't provide an API key"));
}

TEST_F(ApiKeysTest, TheKeyDecidesTheProjectNotTheHeader) {
  // Key A claiming project B acts for A.
  v1::CreateAssistantRequest create;
  create.set_model("assistd-extractive");
  create.set_name("made by A");
  v1::Assistant made;
  ASSERT_TRUE(g->s->assistants->CreateAssistant(Ctx(g->key_a, "B").get(), create, &made).ok());
  v1::GetAssistantRequest get;
  get.set_assistant_id(made.id());
  v1::Assistant got;
  EXPECT_TRUE(g->s->assistants->GetAssistant(Ctx(g->key_a).get(), get, &got).ok());
  ExpectNotFound(g->s->assistants->GetAssistant(Ctx(g->key_b).get(), get, &got), "B gets A's");
  get.set_assistant_id(g->b.assistant.id());
  ExpectNotFound(g->s->assistants->GetAssistant(Ctx(g->key_a, "B").get(), get, &got),
                 "A claiming B");
}

TEST_F(ApiKeysTest, ListsShowOnlyTheKeysProject) {
  Stubs& s = *g->s;
  v1::ListFilesResponse files;
  ASSERT_TRUE(s.files->ListFiles(Ctx(g->key_a).get(), v1::ListFilesRequest(), &files).ok());
  for (const v1::File& f : files.data()) EXPECT_NE(f.id(), g->b.file.id());
  ASSERT_TRUE(s.files->ListFiles(Ctx(g->key_b).get(), v1::ListFilesRequest(), &files).ok());
  EXPECT_EQ(files.data_size(), 1);
  v1::ListVectorStoresResponse stores;
  ASSERT_TRUE(
      s.stores->ListVectorStores(Ctx(g->key_a).get(), v1::ListVectorStoresRequest(), &stores).ok());
  for (const v1::VectorStore& vs : stores.data()) EXPECT_NE(vs.id(), g->b.store.id());
  ASSERT_TRUE(
      s.stores->ListVectorStores(Ctx(g->key_b).get(), v1::ListVectorStoresRequest(), &stores).ok());
  EXPECT_GE(stores.data_size(), 1);
  v1::ListAssistantsResponse assistants;
  ASSERT_TRUE(s.assistants
                  ->ListAssistants(Ctx(g->key_a).get(), v1::ListAssistantsRequest(), &assistants)
                  .ok());
  for (const v1::Assistant& a : assistants.data()) EXPECT_NE(a.id(), g->b.assistant.id());
}

TEST_F(ApiKeysTest, KeyOfAGetsNotFoundForFilesAndVectorStoresOfB) {
  Stubs& s = *g->s;
  const std::string& a = g->key_a;
  const BObjects& b = g->b;
  v1::File file;
  v1::GetFileRequest get_file;
  get_file.set_file_id(b.file.id());
  ExpectNotFound(s.files->GetFile(Ctx(a).get(), get_file, &file), "GetFile");
  {
    v1::GetFileContentRequest req;
    req.set_file_id(b.file.id());
    auto ctx = Ctx(a);
    auto reader = s.files->GetFileContent(ctx.get(), req);
    ExpectNotFound(ReadAll<v1::FileChunk>(reader.get()), "GetFileContent");
  }
  v1::GetFileTextRequest text;
  text.set_file_id(b.file.id());
  v1::GetFileTextResponse text_resp;
  ExpectNotFound(s.files->GetFileText(Ctx(a).get(), text, &text_resp), "GetFileText");
  v1::DeleteFileRequest delete_file;
  delete_file.set_file_id(b.file.id());
  v1::DeleteResponse deleted;
  ExpectNotFound(s.files->DeleteFile(Ctx(a).get(), delete_file, &deleted), "DeleteFile");

  const std::string vs = b.store.id();
  v1::VectorStore store;
  v1::GetVectorStoreRequest get_store;
  get_store.set_vector_store_id(vs);
  ExpectNotFound(s.stores->GetVectorStore(Ctx(a).get(), get_store, &store), "GetVectorStore");
  v1::UpdateVectorStoreRequest update_store;
  update_store.set_vector_store_id(vs);
  update_store.set_name("mine");
  ExpectNotFound(s.stores->UpdateVectorStore(Ctx(a).get(), update_store, &store),
                 "UpdateVectorStore");
  v1::DeleteVectorStoreRequest delete_store;
  delete_store.set_vector_store_id(vs);
  ExpectNotFound(s.stores->DeleteVectorStore(Ctx(a).get(), delete_store, &deleted),
                 "DeleteVectorStore");
  v1::VectorStoreFile vs_file;
  v1::CreateVectorStoreFileRequest add_file;
  add_file.set_vector_store_id(vs);
  add_file.set_file_id(b.file.id());
  ExpectNotFound(s.stores->CreateVectorStoreFile(Ctx(a).get(), add_file, &vs_file),
                 "CreateVectorStoreFile");
  v1::GetVectorStoreFileRequest get_vs_file;
  get_vs_file.set_vector_store_id(vs);
  get_vs_file.set_file_id(b.file.id());
  ExpectNotFound(s.stores->GetVectorStoreFile(Ctx(a).get(), get_vs_file, &vs_file),
                 "GetVectorStoreFile");
  v1::UpdateVectorStoreFileRequest update_vs_file;
  update_vs_file.set_vector_store_id(vs);
  update_vs_file.set_file_id(b.file.id());
  (*update_vs_file.mutable_attributes()->mutable_entries())["owner"].set_string_value("A");
  ExpectNotFound(s.stores->UpdateVectorStoreFile(Ctx(a).get(), update_vs_file, &vs_file),
                 "UpdateVectorStoreFile");
  v1::DeleteVectorStoreFileRequest delete_vs_file;
  delete_vs_file.set_vector_store_id(vs);
  delete_vs_file.set_file_id(b.file.id());
  ExpectNotFound(s.stores->DeleteVectorStoreFile(Ctx(a).get(), delete_vs_file, &deleted),
                 "DeleteVectorStoreFile");
  v1::ListVectorStoreFilesRequest list_vs_files;
  list_vs_files.set_vector_store_id(vs);
  v1::ListVectorStoreFilesResponse vs_files;
  ExpectNotFound(s.stores->ListVectorStoreFiles(Ctx(a).get(), list_vs_files, &vs_files),
                 "ListVectorStoreFiles");
  v1::GetVectorStoreFileContentRequest content;
  content.set_vector_store_id(vs);
  content.set_file_id(b.file.id());
  v1::VectorStoreFileContentPage content_resp;
  ExpectNotFound(s.stores->GetVectorStoreFileContent(Ctx(a).get(), content, &content_resp),
                 "GetVectorStoreFileContent");
  v1::SearchVectorStoreRequest search;
  search.set_vector_store_id(vs);
  search.set_text("intake filter");
  v1::SearchVectorStoreResponse hits;
  ExpectNotFound(s.stores->Search(Ctx(a).get(), search, &hits), "Search");
  v1::VectorStoreFileBatch batch;
  v1::CreateFileBatchRequest create_batch;
  create_batch.set_vector_store_id(vs);
  create_batch.add_file_ids(b.file.id());
  ExpectNotFound(s.stores->CreateFileBatch(Ctx(a).get(), create_batch, &batch),
                 "CreateFileBatch");
  v1::GetFileBatchRequest get_batch;
  get_batch.set_vector_store_id(vs);
  get_batch.set_batch_id(b.batch.id());
  ExpectNotFound(s.stores->GetFileBatch(Ctx(a).get(), get_batch, &batch), "GetFileBatch");
  v1::CancelFileBatchRequest cancel_batch;
  cancel_batch.set_vector_store_id(vs);
  cancel_batch.set_batch_id(b.batch.id());
  ExpectNotFound(s.stores->CancelFileBatch(Ctx(a).get(), cancel_batch, &batch),
                 "CancelFileBatch");
  v1::ListFileBatchFilesRequest batch_files;
  batch_files.set_vector_store_id(vs);
  batch_files.set_batch_id(b.batch.id());
  ExpectNotFound(s.stores->ListFileBatchFiles(Ctx(a).get(), batch_files, &vs_files),
                 "ListFileBatchFiles");
  // A's own store cannot take B's file either.
  v1::CreateVectorStoreRequest own;
  own.add_file_ids(b.file.id());
  EXPECT_FALSE(s.stores->CreateVectorStore(Ctx(a).get(), own, &store).ok());
  // B still has everything.
  EXPECT_TRUE(s.files->GetFile(Ctx(g->key_b).get(), get_file, &file).ok());
  EXPECT_TRUE(s.stores->GetVectorStore(Ctx(g->key_b).get(), get_store, &store).ok());
}

TEST_F(ApiKeysTest, KeyOfAGetsNotFoundForAssistantsThreadsAndMessagesOfB) {
  Stubs& s = *g->s;
  const std::string& a = g->key_a;
  const BObjects& b = g->b;
  v1::Assistant assistant;
  v1::DeleteResponse deleted;
  v1::GetAssistantRequest get_assistant;
  get_assistant.set_assistant_id(b.assistant.id());
  ExpectNotFound(s.assistants->GetAssistant(Ctx(a).get(), get_assistant, &assistant),
                 "GetAssistant");
  v1::UpdateAssistantRequest update_assistant;
  update_assistant.set_assistant_id(b.assistant.id());
  update_assistant.set_name("mine");
  ExpectNotFound(s.assistants->UpdateAssistant(Ctx(a).get(), update_assistant, &assistant),
                 "UpdateAssistant");
  v1::DeleteAssistantRequest delete_assistant;
  delete_assistant.set_assistant_id(b.assistant.id());
  ExpectNotFound(s.assistants->DeleteAssistant(Ctx(a).get(), delete_assistant, &deleted),
                 "DeleteAssistant");

  const std::string thread_id = b.thread.id();
  v1::Thread thread;
  v1::GetThreadRequest get_thread;
  get_thread.set_thread_id(thread_id);
  ExpectNotFound(s.threads->GetThread(Ctx(a).get(), get_thread, &thread), "GetThread");
  v1::UpdateThreadRequest update_thread;
  update_thread.set_thread_id(thread_id);
  ExpectNotFound(s.threads->UpdateThread(Ctx(a).get(), update_thread, &thread), "UpdateThread");
  v1::DeleteThreadRequest delete_thread;
  delete_thread.set_thread_id(thread_id);
  ExpectNotFound(s.threads->DeleteThread(Ctx(a).get(), delete_thread, &deleted), "DeleteThread");

  v1::Message message;
  v1::CreateMessageRequest create_message;
  create_message.set_thread_id(thread_id);
  create_message.mutable_message()->set_role(v1::MESSAGE_ROLE_USER);
  create_message.mutable_message()->set_text("hi");
  ExpectNotFound(s.threads->CreateMessage(Ctx(a).get(), create_message, &message),
                 "CreateMessage");
  v1::GetMessageRequest get_message;
  get_message.set_thread_id(thread_id);
  get_message.set_message_id(b.message.id());
  ExpectNotFound(s.threads->GetMessage(Ctx(a).get(), get_message, &message), "GetMessage");
  v1::ListMessagesRequest list_messages;
  list_messages.set_thread_id(thread_id);
  v1::ListMessagesResponse messages;
  ExpectNotFound(s.threads->ListMessages(Ctx(a).get(), list_messages, &messages), "ListMessages");
  v1::UpdateMessageRequest update_message;
  update_message.set_thread_id(thread_id);
  update_message.set_message_id(b.message.id());
  ExpectNotFound(s.threads->UpdateMessage(Ctx(a).get(), update_message, &message),
                 "UpdateMessage");
  v1::DeleteMessageRequest delete_message;
  delete_message.set_thread_id(thread_id);
  delete_message.set_message_id(b.message.id());
  ExpectNotFound(s.threads->DeleteMessage(Ctx(a).get(), delete_message, &deleted),
                 "DeleteMessage");
  EXPECT_TRUE(s.threads->GetThread(Ctx(g->key_b).get(), get_thread, &thread).ok());
  EXPECT_TRUE(s.assistants->GetAssistant(Ctx(g->key_b).get(), get_assistant, &assistant).ok());
}

TEST_F(ApiKeysTest, KeyOfAGetsNotFoundForRunsAndStepsOfB) {
  Stubs& s = *g->s;
  const std::string& a = g->key_a;
  const BObjects& b = g->b;
  v1::Run run;
  v1::CreateRunRequest create_run;
  create_run.set_thread_id(b.thread.id());
  create_run.set_assistant_id(b.assistant.id());
  ExpectNotFound(s.runs->CreateRun(Ctx(a).get(), create_run, &run), "CreateRun");
  {
    auto ctx = Ctx(a);
    auto reader = s.runs->CreateRunStream(ctx.get(), create_run);
    ExpectNotFound(ReadAll<v1::RunEvent>(reader.get()), "CreateRunStream");
  }
  v1::CreateThreadAndRunRequest thread_and_run;
  thread_and_run.set_assistant_id(b.assistant.id());
  ExpectNotFound(s.runs->CreateThreadAndRun(Ctx(a).get(), thread_and_run, &run),
                 "CreateThreadAndRun");
  v1::GetRunRequest get_run;
  get_run.set_thread_id(b.thread.id());
  get_run.set_run_id(b.run.id());
  ExpectNotFound(s.runs->GetRun(Ctx(a).get(), get_run, &run), "GetRun");
  v1::ListRunsRequest list_runs;
  list_runs.set_thread_id(b.thread.id());
  v1::ListRunsResponse runs;
  ExpectNotFound(s.runs->ListRuns(Ctx(a).get(), list_runs, &runs), "ListRuns");
  v1::UpdateRunRequest update_run;
  update_run.set_thread_id(b.thread.id());
  update_run.set_run_id(b.run.id());
  ExpectNotFound(s.runs->UpdateRun(Ctx(a).get(), update_run, &run), "UpdateRun");
  v1::CancelRunRequest cancel_run;
  cancel_run.set_thread_id(b.thread.id());
  cancel_run.set_run_id(b.run.id());
  ExpectNotFound(s.runs->CancelRun(Ctx(a).get(), cancel_run, &run), "CancelRun");
  v1::SubmitToolOutputsRequest submit;
  submit.set_thread_id(b.thread.id());
  submit.set_run_id(b.run.id());
  ExpectNotFound(s.runs->SubmitToolOutputs(Ctx(a).get(), submit, &run), "SubmitToolOutputs");
  v1::GetRunStepRequest get_step;
  get_step.set_thread_id(b.thread.id());
  get_step.set_run_id(b.run.id());
  get_step.set_step_id(b.step.id());
  v1::RunStep step;
  ExpectNotFound(s.runs->GetRunStep(Ctx(a).get(), get_step, &step), "GetRunStep");
  v1::ListRunStepsRequest list_steps;
  list_steps.set_thread_id(b.thread.id());
  list_steps.set_run_id(b.run.id());
  v1::ListRunStepsResponse steps;
  ExpectNotFound(s.runs->ListRunSteps(Ctx(a).get(), list_steps, &steps), "ListRunSteps");
  EXPECT_TRUE(s.runs->GetRunStep(Ctx(g->key_b).get(), get_step, &step).ok());
}

TEST_F(ApiKeysTest, KeyOfAGetsNotFoundForSandboxSessionsOfB) {
  if (g->b.session.id().empty()) GTEST_SKIP() << "no sandbox on this host";
  Stubs& s = *g->s;
  const std::string& a = g->key_a;
  const std::string id = g->b.session.id();
  v1::Session session;
  v1::GetSessionRequest get;
  get.set_session_id(id);
  ExpectNotFound(s.sandbox->GetSession(Ctx(a).get(), get, &session), "GetSession");
  {
    v1::ExecuteRequest exec;
    exec.set_session_id(id);
    exec.set_code("1 + 1");
    auto ctx = Ctx(a);
    auto reader = s.sandbox->Execute(ctx.get(), exec);
    ExpectNotFound(ReadAll<v1::ExecuteEvent>(reader.get()), "Execute");
  }
  {
    v1::GetSessionFileRequest req;
    req.set_session_id(id);
    req.set_path("x.txt");
    auto ctx = Ctx(a);
    auto reader = s.sandbox->GetFile(ctx.get(), req);
    ExpectNotFound(ReadAll<v1::SessionFileChunk>(reader.get()), "GetFile");
  }
  v1::ListSessionFilesRequest list;
  list.set_session_id(id);
  v1::ListSessionFilesResponse files;
  ExpectNotFound(s.sandbox->ListFiles(Ctx(a).get(), list, &files), "ListFiles");
  v1::CloseSessionRequest close;
  close.set_session_id(id);
  ExpectNotFound(s.sandbox->CloseSession(Ctx(a).get(), close, &session), "CloseSession");
  EXPECT_TRUE(s.sandbox->GetSession(Ctx(g->key_b).get(), get, &session).ok());
}

TEST_F(ApiKeysTest, KeysCommandCreatesListsAndRevokes) {
  const std::string data = "--data_dir=" + g->dir.File("data");
  auto [code, out] = RunAssistd({"keys", "create", "--project", "C", "--name", "rotate-me", data});
  ASSERT_EQ(code, 0) << out;
  const std::string key = KeyIn(out);
  ASSERT_FALSE(key.empty()) << out;
  v1::ListFilesResponse files;
  ASSERT_TRUE(g->s->files->ListFiles(Ctx(key).get(), v1::ListFilesRequest(), &files).ok());

  auto [list_code, listed] = RunAssistd({"keys", "list", data});
  ASSERT_EQ(list_code, 0) << listed;
  const std::string prefix = key.substr(0, std::string("sk-assistd-").size() + 8);
  EXPECT_THAT(listed, HasSubstr(prefix));
  EXPECT_THAT(listed, HasSubstr("rotate-me"));
  EXPECT_THAT(listed, Not(HasSubstr(key)));
  EXPECT_THAT(listed, Not(HasSubstr(g->key_a)));

  auto [revoke_code, revoked] = RunAssistd({"keys", "revoke", prefix, data});
  ASSERT_EQ(revoke_code, 0) << revoked;
  // The running server caches keys for a few seconds.
  grpc::Status st;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  do {
    absl::SleepFor(absl::Milliseconds(200));
    st = g->s->files->ListFiles(Ctx(key).get(), v1::ListFilesRequest(), &files);
  } while (st.ok() && absl::Now() < deadline);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto [relist_code, relisted] = RunAssistd({"keys", "list", data});
  EXPECT_THAT(relisted, Not(HasSubstr(prefix)));
  EXPECT_EQ(RunAssistd({"keys", "revoke", prefix, data}).first, 1);
  EXPECT_EQ(RunAssistd({"keys", "create", "--project", "bad name", data}).first, 2);
}

TEST_F(ApiKeysTest, AssistctlSendsTheKeyFromTheEnvironment) {
  const std::vector<std::string> argv = {ASSISTCTL_BINARY, "--addr=" + g->server->address(),
                                         "assistants", "list", "--json"};
  ASSERT_OK_AND_ASSIGN(auto with_key, Subprocess::Start(argv, {{"ASSISTCTL_API_KEY", g->key_b}}));
  EXPECT_THAT(with_key->Wait(kWait), IsOkAndHolds(0)) << with_key->output();
  EXPECT_THAT(with_key->output(), HasSubstr(g->b.assistant.id()));
  ASSERT_OK_AND_ASSIGN(auto without, Subprocess::Start(argv, {{"ASSISTCTL_API_KEY", ""}}));
  EXPECT_THAT(without->Wait(kWait), IsOkAndHolds(1)) << without->output();
  EXPECT_THAT(without->output(), HasSubstr("API key"));
}

}  // namespace
}  // namespace assistd
