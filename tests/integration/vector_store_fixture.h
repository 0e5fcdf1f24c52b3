#ifndef ASSISTD_TESTS_INTEGRATION_VECTOR_STORE_FIXTURE_H_
#define ASSISTD_TESTS_INTEGRATION_VECTOR_STORE_FIXTURE_H_

// The fixture of the VectorStoreService integration tests: an AssistdServer
// hosting files and retrieval on port 0, with real extraction workers
// (WORKER_PATH) and the hashed embedder, plus stubs and helpers.

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "assistd/v1/files.grpc.pb.h"
#include "assistd/v1/vector_stores.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/assistd/server.h"
#include "tests/util/pdf_fixtures.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd {

inline constexpr char kVolcano[] =
    "Volcanoes erupt when magma rises through the crust. Lava flows, ash clouds and "
    "pyroclastic eruptions reshape the landscape around the volcano crater.";
inline constexpr char kPlants[] =
    "# Photosynthesis\n\nPlants capture sunlight with chlorophyll in their leaves and turn "
    "carbon dioxide and water into glucose and oxygen.";
inline constexpr char kCastles[] =
    "Medieval castles had moats, drawbridges and thick stone walls. Knights defended the "
    "keep during a long siege by the invading army.";

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Whether `s` is INVALID_ARGUMENT with a message naming 'field'.
inline ::testing::AssertionResult IsInvalid(const grpc::Status& s, const std::string& field) {
  if (s.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
      absl::StrContains(s.error_message(), absl::StrCat("'", field, "'"))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "code " << s.error_code() << " \"" << s.error_message()
                                       << "\"; wanted INVALID_ARGUMENT naming '" << field << "'";
}

inline v1::Attributes Attrs(const std::string& topic, double year) {
  v1::Attributes a;
  (*a.mutable_entries())["topic"].set_string_value(topic);
  (*a.mutable_entries())["year"].set_number_value(year);
  return a;
}

inline v1::Filter Eq(const std::string& key, const std::string& value) {
  v1::Filter f;
  f.mutable_comparison()->set_type(v1::COMPARISON_FILTER_TYPE_EQ);
  f.mutable_comparison()->set_key(key);
  f.mutable_comparison()->set_string_value(value);
  return f;
}

class VectorStoreFixture : public ::testing::Test {
 protected:
  using Stub = v1::VectorStoreService::Stub;

  void SetUp() override { Start(); }

  // (Re)starts the server on the same data dir.
  void Start() {
    files_.reset();
    vs_.reset();
    server_.reset();
    ServerOptions o;
    o.data_dir = dir_.File("data");
    o.grpc_addr = "127.0.0.1:0";
    o.services = {ServiceId::kFiles, ServiceId::kRetrieval};
    o.files.extraction.worker_path = WORKER_PATH;
    o.files.extraction.wall_limit = absl::Seconds(30);
    absl::StatusOr<std::unique_ptr<AssistdServer>> server = AssistdServer::Start(o);
    ASSERT_OK(server.status());
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                                       grpc::InsecureChannelCredentials());
    files_ = v1::FileService::NewStub(channel);
    vs_ = v1::VectorStoreService::NewStub(channel);
  }

  static void Prepare(grpc::ClientContext* ctx, const std::string& project) {
    if (!project.empty()) ctx->AddMetadata("x-assistd-project", project);
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  }

  // One unary VectorStoreService call as `project` ("" = the default).
  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, Resp* resp, const std::string& project = "") {
    grpc::ClientContext ctx;
    Prepare(&ctx, project);
    return (vs_.get()->*method)(&ctx, req, resp);
  }

  std::string Upload(const std::string& name, const std::string& bytes,
                     const std::string& project = "") {
    grpc::ClientContext ctx;
    Prepare(&ctx, project);
    v1::File file;
    auto writer = files_->Upload(&ctx, &file);
    v1::UploadRequest req;
    req.mutable_header()->set_filename(name);
    req.mutable_header()->set_purpose("assistants");
    writer->Write(req);
    req.set_chunk(bytes);
    writer->Write(req);
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return file.id();
  }

  std::string UploadPdf() {
    EXPECT_OK(testing::WriteTextPdf(dir_.File("r.pdf"),
                                    {"Quarterly revenue report", "Revenue grew in every region"}));
    return Upload("report.pdf", ReadFile(dir_.File("r.pdf")));
  }

  v1::VectorStore CreateStore(const std::vector<std::string>& file_ids,
                              const std::string& project = "") {
    v1::CreateVectorStoreRequest req;
    for (const std::string& id : file_ids) req.add_file_ids(id);
    req.set_name("docs");
    v1::VectorStore store;
    grpc::Status s = Call(&Stub::CreateVectorStore, req, &store, project);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return store;
  }

  v1::VectorStoreFile Attach(const std::string& store, const std::string& file,
                             const v1::Attributes* attributes = nullptr) {
    v1::CreateVectorStoreFileRequest req;
    req.set_vector_store_id(store);
    req.set_file_id(file);
    if (attributes != nullptr) *req.mutable_attributes() = *attributes;
    v1::VectorStoreFile out;
    grpc::Status s = Call(&Stub::CreateVectorStoreFile, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Polls (no sleeps: every poll is a round trip) until ingestion ends.
  v1::VectorStoreFile WaitForFile(const std::string& store, const std::string& file,
                                  const std::string& project = "") {
    v1::GetVectorStoreFileRequest req;
    req.set_vector_store_id(store);
    req.set_file_id(file);
    v1::VectorStoreFile out;
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up) {
      grpc::Status s = Call(&Stub::GetVectorStoreFile, req, &out, project);
      if (!s.ok()) {
        ADD_FAILURE() << "GetVectorStoreFile " << file << ": " << s.error_message();
        break;
      }
      if (out.status() != v1::VECTOR_STORE_FILE_STATUS_IN_PROGRESS) return out;
    }
    ADD_FAILURE() << file << " still in progress";
    return out;
  }

  v1::VectorStore GetStore(const std::string& id, const std::string& project = "") {
    v1::GetVectorStoreRequest req;
    req.set_vector_store_id(id);
    v1::VectorStore out;
    grpc::Status s = Call(&Stub::GetVectorStore, req, &out, project);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Search(const std::string& store, const std::string& query,
                      v1::SearchVectorStoreResponse* resp,
                      const std::function<void(v1::SearchVectorStoreRequest*)>& edit = nullptr,
                      const std::string& project = "") {
    v1::SearchVectorStoreRequest req;
    req.set_vector_store_id(store);
    req.set_text(query);
    if (edit) edit(&req);
    return Call(&Stub::Search, req, resp, project);
  }

  std::vector<std::string> SearchIds(
      const std::string& store, const std::string& query,
      const std::function<void(v1::SearchVectorStoreRequest*)>& edit = nullptr) {
    v1::SearchVectorStoreResponse resp;
    grpc::Status s = Search(store, query, &resp, edit);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const v1::SearchResult& r : resp.data()) ids.push_back(r.file_id());
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<AssistdServer> server_;
  std::unique_ptr<v1::FileService::Stub> files_;
  std::unique_ptr<Stub> vs_;
};

}  // namespace assistd

#endif  // ASSISTD_TESTS_INTEGRATION_VECTOR_STORE_FIXTURE_H_
