// SandboxService over real gRPC: an AssistdServer hosting only the sandbox
// on 127.0.0.1:0, with the real zygote and jail.

#include <sys/stat.h>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "assistd/v1/sandbox.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/assistd/server.h"
#include "services/common/project.h"
#include "tests/security/sandbox_fixture.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::HostSupportsJail;
using ::assistd::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Events {
  std::string out, err;
  std::vector<v1::ExecuteEvent> all;
  const v1::ExecuteDone& done() const { return all.back().done(); }
  std::vector<v1::ExecuteEvent> Of(v1::ExecuteEvent::EventCase c) const {
    std::vector<v1::ExecuteEvent> r;
    for (const auto& e : all) {
      if (e.event_case() == c) r.push_back(e);
    }
    return r;
  }
};

class SandboxServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    if (!HostSupportsJail(&why)) return;
    dir_ = new TempDir();
    chmod(dir_->path().c_str(), 0711);
    ServerOptions o;
    o.data_dir = dir_->File("data");
    o.grpc_addr = "127.0.0.1:0";
    o.services = {ServiceId::kSandbox};
    o.sandbox.pool = testing::TestPoolOptions(*dir_);
    o.sandbox.pool.state_dir.clear();  // <data_dir>/sandbox
    o.sandbox.pool.max_timeout = absl::Seconds(60);
    auto server = AssistdServer::Start(o);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
    channel_ = new std::shared_ptr<grpc::Channel>(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->grpc_port()), grpc::InsecureChannelCredentials()));
  }
  static void TearDownTestSuite() {
    delete channel_;
    delete server_;
    delete dir_;
  }
  void SetUp() override {
    std::string why;
    if (!HostSupportsJail(&why)) GTEST_SKIP() << why;
    stub_ = v1::SandboxService::NewStub(*channel_);
  }

  grpc::Status Create(v1::Session* s, const std::string& project = "p1") {
    grpc::ClientContext ctx;
    SetProject(&ctx, project);
    v1::CreateSessionRequest req;
    req.set_thread_id("thread_abc");
    return stub_->CreateSession(&ctx, req, s);
  }
  v1::Session NewSession() {
    v1::Session s;
    EXPECT_TRUE(Create(&s).ok());
    return s;
  }
  grpc::Status Exec(const std::string& id, const std::string& code, Events* ev,
                    int64_t timeout_ms = 0, const std::string& project = "p1") {
    grpc::ClientContext ctx;
    SetProject(&ctx, project);
    v1::ExecuteRequest req;
    req.set_session_id(id);
    req.set_code(code);
    req.set_timeout_ms(timeout_ms);
    auto reader = stub_->Execute(&ctx, req);
    v1::ExecuteEvent e;
    while (reader->Read(&e)) {
      if (e.has_stdout()) ev->out += e.stdout();
      if (e.has_stderr()) ev->err += e.stderr();
      ev->all.push_back(e);
    }
    return reader->Finish();
  }
  grpc::Status Put(const std::string& id, const std::string& path, const std::string& data,
                   v1::SandboxFile* out) {
    grpc::ClientContext ctx;
    SetProject(&ctx, "p1");
    auto writer = stub_->PutFile(&ctx, out);
    v1::PutFileRequest h;
    h.mutable_header()->set_session_id(id);
    h.mutable_header()->set_path(path);
    h.mutable_header()->set_bytes(static_cast<int64_t>(data.size()));
    writer->Write(h);
    for (size_t i = 0; i < data.size(); i += 5) {
      v1::PutFileRequest c;
      c.set_chunk(data.substr(i, 5));
      writer->Write(c);
    }
    writer->WritesDone();
    return writer->Finish();
  }
  grpc::Status Get(const std::string& id, const std::string& path, std::string* data,
                   v1::SandboxFile* info = nullptr) {
    grpc::ClientContext ctx;
    SetProject(&ctx, "p1");
    v1::GetSessionFileRequest req;
    req.set_session_id(id);
    req.set_path(path);
    auto reader = stub_->GetFile(&ctx, req);
    v1::SessionFileChunk c;
    while (reader->Read(&c)) {
      if (c.has_info() && info != nullptr) *info = c.info();
      if (c.has_data()) *data += c.data();
    }
    return reader->Finish();
  }

  static TempDir* dir_;
  static AssistdServer* server_;
  static std::shared_ptr<grpc::Channel>* channel_;
  std::unique_ptr<v1::SandboxService::Stub> stub_;
};
TempDir* SandboxServiceTest::dir_ = nullptr;
AssistdServer* SandboxServiceTest::server_ = nullptr;
std::shared_ptr<grpc::Channel>* SandboxServiceTest::channel_ = nullptr;

TEST_F(SandboxServiceTest, CreateGetAndClose) {
  v1::Session s;
  ASSERT_TRUE(Create(&s).ok());
  EXPECT_THAT(s.id(), StartsWith("sess_"));
  EXPECT_EQ(s.status(), v1::SESSION_STATUS_READY);
  EXPECT_EQ(s.thread_id(), "thread_abc");
  EXPECT_GT(s.expires_at(), s.created_at());
  grpc::ClientContext ctx;
  SetProject(&ctx, "p1");
  v1::CloseSessionRequest req;
  req.set_session_id(s.id());
  v1::Session closed;
  ASSERT_TRUE(stub_->CloseSession(&ctx, req, &closed).ok());
  EXPECT_EQ(closed.status(), v1::SESSION_STATUS_CLOSED);
  Events ev;
  EXPECT_EQ(Exec(s.id(), "1", &ev).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SandboxServiceTest, ExecuteKeepsStateAndStreamsOutput) {
  v1::Session s = NewSession();
  Events a;
  ASSERT_TRUE(Exec(s.id(), "import pandas as pd\ndf = pd.DataFrame({'a': [1, 2, 3]})\n"
                           "print('rows', len(df))", &a).ok());
  EXPECT_EQ(a.out, "rows 3\n");
  EXPECT_TRUE(a.all.back().has_done());
  Events b;
  ASSERT_TRUE(Exec(s.id(), "df['a'].sum()", &b).ok());
  auto results = b.Of(v1::ExecuteEvent::kResult);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result().text_repr(), "6");
  EXPECT_EQ(results[0].result().execution_count(), 2);
}

TEST_F(SandboxServiceTest, ErrorsComeBackWithTracebacks) {
  v1::Session s = NewSession();
  Events ev;
  ASSERT_TRUE(Exec(s.id(), "x = {}\nx['missing']", &ev).ok());
  auto errors = ev.Of(v1::ExecuteEvent::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error().ename(), "KeyError");
  EXPECT_THAT(errors[0].error().traceback(0), StartsWith("Traceback"));
  EXPECT_FALSE(ev.done().timed_out());
}

TEST_F(SandboxServiceTest, FiguresComeBackAsImages) {
  v1::Session s = NewSession();
  Events ev;
  ASSERT_TRUE(Exec(s.id(), "import matplotlib.pyplot as plt\nplt.plot([3, 1, 2])", &ev).ok());
  auto images = ev.Of(v1::ExecuteEvent::kImage);
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].image().mime_type(), "image/png");
  EXPECT_EQ(images[0].image().data().substr(0, 4), "\x89PNG");
}

TEST_F(SandboxServiceTest, FilesGoInAndComeOut) {
  v1::Session s = NewSession();
  v1::SandboxFile put;
  ASSERT_TRUE(Put(s.id(), "in/data.csv", "x,y\n1,2\n3,4\n", &put).ok());
  EXPECT_EQ(put.bytes(), 12);
  Events ev;
  ASSERT_TRUE(Exec(s.id(), "import pandas as pd\n"
                           "pd.read_csv('/mnt/data/in/data.csv').sum().to_csv('/mnt/data/out.csv')",
                   &ev).ok());
  auto files = ev.Of(v1::ExecuteEvent::kFile);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].file().path(), "out.csv");
  std::string data;
  v1::SandboxFile info;
  ASSERT_TRUE(Get(s.id(), "out.csv", &data, &info).ok());
  EXPECT_EQ(data, ",0\nx,4\ny,6\n");
  EXPECT_EQ(info.sha256(), files[0].file().sha256());
  grpc::ClientContext ctx;
  SetProject(&ctx, "p1");
  v1::ListSessionFilesRequest req;
  req.set_session_id(s.id());
  req.mutable_page()->set_order(v1::ORDER_ASC);
  v1::ListSessionFilesResponse list;
  ASSERT_TRUE(stub_->ListFiles(&ctx, req, &list).ok());
  ASSERT_EQ(list.data_size(), 2);
  EXPECT_EQ(list.data(0).path(), "in/data.csv");
  EXPECT_EQ(list.data(1).path(), "out.csv");
}

TEST_F(SandboxServiceTest, SymlinksPlantedByCodeAreRefused) {
  v1::Session s = NewSession();
  Events ev;
  ASSERT_TRUE(Exec(s.id(), "import os\nos.symlink('/etc/passwd', '/mnt/data/out.png')", &ev).ok());
  std::string data;
  grpc::Status st = Get(s.id(), "out.png", &data);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("symlink"));
  EXPECT_TRUE(data.empty());
  v1::SandboxFile put;
  EXPECT_EQ(Put(s.id(), "../escape", "x", &put).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SandboxServiceTest, TimeoutIsReportedInBand) {
  v1::Session s = NewSession();
  Events ev;
  ASSERT_TRUE(Exec(s.id(), "while True: pass", &ev, 300).ok());
  EXPECT_TRUE(ev.done().timed_out());
  Events after;
  ASSERT_TRUE(Exec(s.id(), "'alive'", &after).ok());
  EXPECT_EQ(after.Of(v1::ExecuteEvent::kResult)[0].result().text_repr(), "'alive'");
}

TEST_F(SandboxServiceTest, SessionsAreScopedToTheirProject) {
  v1::Session s = NewSession();
  Events ev;
  EXPECT_EQ(Exec(s.id(), "1", &ev, 0, "p2").error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(SandboxServiceTest, BadRequestsAreRejected) {
  v1::Session s = NewSession();
  Events ev;
  EXPECT_EQ(Exec(s.id(), "", &ev).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Exec(s.id(), "1", &ev, -1).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Exec(s.id(), std::string((1 << 20) + 1, '#'), &ev).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Exec("sess_nope", "1", &ev).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace assistd
