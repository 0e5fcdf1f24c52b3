// The robustness run: every PDF of ../shared/data/pdfs through the real
// FileService and real extraction workers. Each file either yields text or a
// clear error code, matching what its manifest says about it, and the server
// stays healthy throughout.

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "assistd/v1/files.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/assistd/server.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::TempDir;

struct ManifestRow {
  std::string filename;
  std::string category;
  std::string pdftotext;  // ok / ok-empty-text / fail
};

std::vector<ManifestRow> ReadManifest(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::vector<ManifestRow> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() < 7) continue;
    rows.push_back({f[0], f[3], f[6]});
  }
  return rows;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

TEST(PdfCorpusTest, EveryFileYieldsTextOrAClearErrorAndTheServerStaysUp) {
  const std::string dir = SHARED_PDF_DIR;
  if (!std::filesystem::exists(dir + "/manifest.tsv")) {
    GTEST_SKIP() << dir << " is absent (a user's clone has no ../shared); skipping the corpus run";
  }
  TempDir data;
  ServerOptions o;
  o.data_dir = data.File("data");
  o.grpc_addr = "127.0.0.1:0";
  o.files.extraction.worker_path = WORKER_PATH;
  auto server = AssistdServer::Start(o);
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->grpc_port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::FileService::NewStub(channel);

  std::map<std::string, int> outcomes;
  const std::vector<ManifestRow> rows = ReadManifest(dir + "/manifest.tsv");
  ASSERT_GE(rows.size(), 40u);
  for (const ManifestRow& row : rows) {
    SCOPED_TRACE(row.filename + " (" + row.category + ")");
    const std::string bytes = ReadFile(dir + "/" + row.filename);
    v1::File file;
    grpc::ClientContext up_ctx;
    auto writer = stub->Upload(&up_ctx, &file);
    v1::UploadRequest req;
    req.mutable_header()->set_filename(row.filename);
    req.mutable_header()->set_purpose("assistants");
    writer->Write(req);
    for (size_t i = 0; i < bytes.size(); i += 1 << 20) {
      req.set_chunk(bytes.substr(i, 1 << 20));
      writer->Write(req);
    }
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());

    grpc::ClientContext ctx;
    v1::GetFileTextRequest text_req;
    text_req.set_file_id(file.id());
    v1::GetFileTextResponse text;
    grpc::Status s = stub->GetFileText(&ctx, text_req, &text);
    if (s.ok()) {
      int with_text = 0;
      for (const auto& p : text.pages()) with_text += p.has_text_layer() ? 1 : 0;
      ++outcomes[with_text > 0 ? "text" : "no-text-layer"];
      if (row.pdftotext == "ok") {
        EXPECT_GT(with_text, 0) << "pdftotext finds text here";
      }
      EXPECT_GT(text.total_pages(), 0);
    } else {
      ++outcomes[s.error_message().substr(0, s.error_message().find(':'))];
      EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
      EXPECT_TRUE(absl::StartsWith(s.error_message(), "unsupported_file:") ||
                  absl::StartsWith(s.error_message(), "invalid_file:"))
          << s.error_message();
    }
    if (row.category == "encrypted-user-password") {
      EXPECT_TRUE(absl::StrContains(s.error_message(), "encrypted")) << s.error_message();
    }
    if (row.category == "broken-poppler-fails") {
      EXPECT_TRUE(absl::StartsWith(s.error_message(), "invalid_file:")) << s.error_message();
    }
  }
  for (const auto& [outcome, n] : outcomes) {
    std::printf("corpus outcome %-18s %d\n", outcome.c_str(), n);
  }
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext hctx;
  grpc::health::v1::HealthCheckRequest hreq;
  grpc::health::v1::HealthCheckResponse hresp;
  ASSERT_TRUE(health->Check(&hctx, hreq, &hresp).ok());
  EXPECT_EQ(hresp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace assistd
