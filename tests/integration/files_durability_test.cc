// kill -9 of the real assistd binary around uploads: an acknowledged upload
// survives; an interrupted one leaves no file, no blob and no temp file.

#include <signal.h>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <filesystem>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "assistd/v1/files.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::Subprocess;
using ::assistd::testing::TempDir;
namespace fs = std::filesystem;

class Assistd {
 public:
  explicit Assistd(const std::string& data_dir) {
    proc_ = *Subprocess::Start({ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0",
                                "--data_dir=" + data_dir});
    absl::StatusOr<std::string> line = proc_->WaitForLine("gRPC listening on", absl::Seconds(30));
    EXPECT_TRUE(line.ok()) << line.status();
    std::string rest = line->substr(line->find("127.0.0.1:") + 10);
    int port = 0;
    EXPECT_TRUE(absl::SimpleAtoi(rest.substr(0, rest.find(' ')), &port));
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
    stub = v1::FileService::NewStub(channel_);
  }
  void Kill9() {
    proc_->Signal(SIGKILL);
    (void)proc_->Wait(absl::Seconds(30));
  }
  std::unique_ptr<v1::FileService::Stub> stub;

 private:
  std::unique_ptr<Subprocess> proc_;
  std::shared_ptr<grpc::Channel> channel_;
};

v1::UploadRequest Header(const std::string& name) {
  v1::UploadRequest req;
  req.mutable_header()->set_filename(name);
  req.mutable_header()->set_purpose("assistants");
  return req;
}

int CountFiles(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

TEST(FilesDurabilityTest, KillNineLosesNoAcknowledgedUploadAndLeavesNoHalfOne) {
  TempDir dir;
  const std::string data = dir.File("data");
  std::string acknowledged_id;
  {
    Assistd server(data);
    v1::File file;
    grpc::ClientContext ctx;
    auto writer = server.stub->Upload(&ctx, &file);
    v1::UploadRequest req = Header("kept.txt");
    writer->Write(req);
    req.set_chunk("acknowledged bytes");
    writer->Write(req);
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    acknowledged_id = file.id();

    // A second upload is cut off mid-stream by kill -9.
    grpc::ClientContext ctx2;
    v1::File unused;
    auto half = server.stub->Upload(&ctx2, &unused);
    half->Write(Header("half.bin"));
    req.set_chunk(std::string(1 << 20, 'h'));
    ASSERT_TRUE(half->Write(req));
    // The bytes reached the server once a second message is accepted too.
    ASSERT_TRUE(half->Write(req));
    server.Kill9();
  }
  Assistd restarted(data);
  grpc::ClientContext ctx;
  v1::ListFilesRequest list;
  v1::ListFilesResponse resp;
  ASSERT_TRUE(restarted.stub->ListFiles(&ctx, list, &resp).ok());
  ASSERT_EQ(resp.data_size(), 1);
  EXPECT_EQ(resp.data(0).id(), acknowledged_id);
  EXPECT_EQ(CountFiles(data + "/blobs/tmp"), 0);
  EXPECT_EQ(CountFiles(data + "/blobs/sha256"), 1);  // only the kept file's bytes

  grpc::ClientContext ctx2;
  v1::GetFileContentRequest get;
  get.set_file_id(acknowledged_id);
  auto reader = restarted.stub->GetFileContent(&ctx2, get);
  v1::FileChunk chunk;
  std::string content;
  while (reader->Read(&chunk)) content += chunk.data();
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(content, "acknowledged bytes");
}

}  // namespace
}  // namespace assistd
