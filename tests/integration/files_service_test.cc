// FileService over a real socket, with real extraction workers.

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "assistd/v1/files.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/assistd/server.h"
#include "tests/util/pdf_fixtures.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

class FilesServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start(int64_t max_upload = 64 << 20) {
    stub_.reset();
    server_.reset();
    ServerOptions o;
    o.data_dir = dir_.File("data");
    o.grpc_addr = "127.0.0.1:0";
    o.files.max_upload_bytes = max_upload;
    o.files.extraction.worker_path = WORKER_PATH;
    o.files.extraction.cpu_limit = absl::Seconds(2);
    o.files.extraction.memory_limit_bytes = int64_t{512} << 20;
    o.files.extraction.wall_limit = absl::Seconds(20);
    server_ = *AssistdServer::Start(o);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::FileService::NewStub(channel_);
  }

  void Context(grpc::ClientContext* ctx, const std::string& project) {
    if (!project.empty()) ctx->AddMetadata("x-assistd-project", project);
  }

  grpc::Status Upload(const std::string& name, const std::string& bytes, v1::File* out,
                      const std::string& project = "", size_t chunk = 4096) {
    grpc::ClientContext ctx;
    Context(&ctx, project);
    auto writer = stub_->Upload(&ctx, out);
    v1::UploadRequest req;
    req.mutable_header()->set_filename(name);
    req.mutable_header()->set_purpose("assistants");
    bool ok = writer->Write(req);
    for (size_t i = 0; ok && i < bytes.size(); i += chunk) {
      req.set_chunk(bytes.substr(i, chunk));
      ok = writer->Write(req);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  grpc::Status GetText(const std::string& id, v1::GetFileTextResponse* resp) {
    grpc::ClientContext ctx;
    v1::GetFileTextRequest req;
    req.set_file_id(id);
    return stub_->GetFileText(&ctx, req, resp);
  }

  std::string Content(const std::string& id, grpc::Status* status) {
    grpc::ClientContext ctx;
    v1::GetFileContentRequest req;
    req.set_file_id(id);
    auto reader = stub_->GetFileContent(&ctx, req);
    std::string out;
    v1::FileChunk chunk;
    while (reader->Read(&chunk)) out += chunk.data();
    *status = reader->Finish();
    return out;
  }

  TempDir dir_;
  std::unique_ptr<AssistdServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::FileService::Stub> stub_;
};

TEST_F(FilesServiceTest, UploadsGetsStreamsAndDeletesAPdf) {
  ASSERT_OK(testing::WriteTextPdf(dir_.File("a.pdf"), {"Quarterly report", "Revenue grew"}));
  const std::string bytes = ReadFile(dir_.File("a.pdf"));
  v1::File file;
  ASSERT_TRUE(Upload("report.pdf", bytes, &file).ok());
  EXPECT_THAT(file.id(), StartsWith("file-"));
  EXPECT_EQ(file.object(), "file");
  EXPECT_EQ(file.bytes(), static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(file.filename(), "report.pdf");
  EXPECT_EQ(file.status(), v1::FILE_STATUS_PROCESSED);

  grpc::Status s;
  EXPECT_EQ(Content(file.id(), &s), bytes);
  EXPECT_TRUE(s.ok());

  v1::GetFileTextResponse text;
  ASSERT_TRUE(GetText(file.id(), &text).ok());
  EXPECT_EQ(text.format(), "pdf");
  EXPECT_EQ(text.total_pages(), 2);
  ASSERT_EQ(text.pages_size(), 2);
  EXPECT_EQ(text.pages(1).page_number(), 2);
  EXPECT_THAT(text.pages(1).text(), HasSubstr("Revenue grew"));

  grpc::ClientContext ctx;
  v1::DeleteFileRequest del;
  del.set_file_id(file.id());
  v1::DeleteResponse deleted;
  ASSERT_TRUE(stub_->DeleteFile(&ctx, del, &deleted).ok());
  EXPECT_EQ(deleted.object(), "file");
  EXPECT_TRUE(deleted.deleted());
  grpc::ClientContext ctx2;
  v1::GetFileRequest get;
  get.set_file_id(file.id());
  EXPECT_EQ(stub_->GetFile(&ctx2, get, &file).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(FilesServiceTest, PagesOfTextCanBeRequestedInSlices) {
  ASSERT_OK(testing::WriteTextPdf(dir_.File("p.pdf"), {"one", "two", "three", "four"}));
  v1::File file;
  ASSERT_TRUE(Upload("p.pdf", ReadFile(dir_.File("p.pdf")), &file).ok());
  grpc::ClientContext ctx;
  v1::GetFileTextRequest req;
  req.set_file_id(file.id());
  req.set_first_page(2);
  req.set_max_pages(2);
  v1::GetFileTextResponse resp;
  ASSERT_TRUE(stub_->GetFileText(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.total_pages(), 4);
  ASSERT_EQ(resp.pages_size(), 2);
  EXPECT_EQ(resp.pages(0).page_number(), 2);
  EXPECT_THAT(resp.pages(1).text(), HasSubstr("three"));
}

TEST_F(FilesServiceTest, ListsWithPurposeFilterAndPagination) {
  v1::File a, b, c;
  ASSERT_TRUE(Upload("a.txt", "aaa", &a).ok());
  ASSERT_TRUE(Upload("b.txt", "bbb", &b).ok());
  ASSERT_TRUE(Upload("c.txt", "ccc", &c).ok());
  grpc::ClientContext ctx;
  v1::ListFilesRequest req;
  req.mutable_page()->set_limit(2);
  req.mutable_page()->set_order(v1::ORDER_ASC);
  v1::ListFilesResponse resp;
  ASSERT_TRUE(stub_->ListFiles(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.data_size(), 2);
  EXPECT_EQ(resp.data(0).id(), a.id());
  EXPECT_EQ(resp.first_id(), a.id());
  EXPECT_EQ(resp.last_id(), b.id());
  EXPECT_TRUE(resp.has_more());
  grpc::ClientContext ctx2;
  req.mutable_page()->set_after(resp.last_id());
  ASSERT_TRUE(stub_->ListFiles(&ctx2, req, &resp).ok());
  ASSERT_EQ(resp.data_size(), 1);
  EXPECT_EQ(resp.data(0).id(), c.id());
  EXPECT_FALSE(resp.has_more());
  grpc::ClientContext ctx3;
  req.mutable_page()->set_before("file-x");
  EXPECT_EQ(stub_->ListFiles(&ctx3, req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(FilesServiceTest, ProjectsAreIsolated) {
  v1::File file;
  ASSERT_TRUE(Upload("a.txt", "private", &file, "team-a").ok());
  grpc::ClientContext ctx;
  Context(&ctx, "team-b");
  v1::GetFileRequest get;
  get.set_file_id(file.id());
  v1::File out;
  EXPECT_EQ(stub_->GetFile(&ctx, get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext ctx2;
  Context(&ctx2, "bad project!");
  EXPECT_EQ(stub_->GetFile(&ctx2, get, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(FilesServiceTest, RejectsBadUploadsWithClearErrors) {
  Start(/*max_upload=*/1000);
  v1::File file;
  grpc::Status big = Upload("big.bin", std::string(5000, 'x'), &file);
  EXPECT_EQ(big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(big.error_message(), HasSubstr("too large"));
  EXPECT_EQ(Upload("", "x", &file).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext ctx;  // chunk before header
  auto writer = stub_->Upload(&ctx, &file);
  v1::UploadRequest req;
  req.set_chunk("data");
  writer->Write(req);
  writer->WritesDone();
  grpc::Status no_header = writer->Finish();
  EXPECT_EQ(no_header.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_header.error_message(), HasSubstr("header"));

  grpc::ClientContext ctx2;
  v1::GetFileRequest get;
  get.set_file_id("thread_abc");
  EXPECT_EQ(stub_->GetFile(&ctx2, get, &file).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(std::filesystem::is_empty(dir_.File("data/blobs/tmp")));
}

// A stream whose header promised an `end` message and that ends without
// one was cut short (the REST gateway's client went away): nothing is stored.
TEST_F(FilesServiceTest, AnUploadWithoutItsPromisedEndStoresNothing) {
  Start(/*max_upload=*/1 << 20);
  auto send = [&](bool with_end, int64_t end_bytes, v1::File* file) {
    grpc::ClientContext ctx;
    Context(&ctx, "p");
    auto writer = stub_->Upload(&ctx, file);
    v1::UploadRequest req;
    req.mutable_header()->set_filename("cut.txt");
    req.mutable_header()->set_purpose("assistants");
    req.mutable_header()->set_end_marker(true);
    writer->Write(req);
    req.set_chunk("half of it");
    writer->Write(req);
    if (with_end) {
      req.mutable_end()->set_bytes(end_bytes);
      writer->Write(req);
    }
    writer->WritesDone();
    return writer->Finish();
  };
  v1::File file;
  grpc::Status cut = send(/*with_end=*/false, 0, &file);
  EXPECT_EQ(cut.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_THAT(cut.error_message(), HasSubstr("nothing was stored"));
  grpc::Status wrong = send(/*with_end=*/true, 99, &file);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(wrong.error_message(), HasSubstr("end.bytes"));
  ASSERT_TRUE(send(/*with_end=*/true, 10, &file).ok());
  EXPECT_EQ(file.bytes(), 10);
  grpc::ClientContext ctx;
  Context(&ctx, "p");
  v1::ListFilesRequest list;
  v1::ListFilesResponse listed;
  ASSERT_TRUE(stub_->ListFiles(&ctx, list, &listed).ok());
  EXPECT_EQ(listed.data_size(), 1);  // only the complete one
}

TEST_F(FilesServiceTest, UnsupportedAndEncryptedFilesSayWhy) {
  v1::File bin, enc;
  ASSERT_TRUE(Upload("blob.bin", std::string("\x00\x01\x02\xff\xfe", 5), &bin).ok());
  v1::GetFileTextResponse text;
  grpc::Status s = GetText(bin.id(), &text);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), StartsWith("unsupported_file:"));

  ASSERT_OK(testing::WriteTextPdf(dir_.File("p.pdf"), {"secret"}));
  ASSERT_OK(testing::WriteEncryptedPdf(dir_.File("p.pdf"), dir_.File("e.pdf")));
  ASSERT_TRUE(Upload("e.pdf", ReadFile(dir_.File("e.pdf")), &enc).ok());
  s = GetText(enc.id(), &text);
  EXPECT_THAT(s.error_message(), HasSubstr("unsupported_file: the PDF is encrypted"));
}

TEST_F(FilesServiceTest, AHostilePdfFailsAloneWhileTheServerKeepsServing) {
  ASSERT_OK(testing::WriteDecompressionBombPdf(dir_.File("bomb.pdf"), 400));
  ASSERT_OK(testing::WriteTextPdf(dir_.File("ok.pdf"), {"an ordinary page"}));
  v1::File bomb, ok;
  ASSERT_TRUE(Upload("bomb.pdf", ReadFile(dir_.File("bomb.pdf")), &bomb).ok());
  ASSERT_TRUE(Upload("ok.pdf", ReadFile(dir_.File("ok.pdf")), &ok).ok());

  grpc::Status bomb_status;
  std::thread attacker([&] {
    v1::GetFileTextResponse resp;
    bomb_status = GetText(bomb.id(), &resp);
  });
  // While the bomb is being defused, other calls are answered.
  for (int i = 0; i < 5; ++i) {
    v1::GetFileTextResponse resp;
    ASSERT_TRUE(GetText(ok.id(), &resp).ok());
    EXPECT_THAT(resp.pages(0).text(), HasSubstr("an ordinary page"));
  }
  attacker.join();
  EXPECT_EQ(bomb_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bomb_status.error_message(), StartsWith("invalid_file:"));

  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext hctx;
  grpc::health::v1::HealthCheckRequest hreq;
  grpc::health::v1::HealthCheckResponse hresp;
  ASSERT_TRUE(health->Check(&hctx, hreq, &hresp).ok());
  EXPECT_EQ(hresp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(FilesServiceTest, FilesSurviveARestart) {
  v1::File file;
  ASSERT_TRUE(Upload("keep.txt", "kept across restarts", &file).ok());
  Start();
  grpc::Status s;
  EXPECT_EQ(Content(file.id(), &s), "kept across restarts");
  EXPECT_TRUE(s.ok());
}

}  // namespace
}  // namespace assistd
