// API keys across processes: split services trust each other through the
// shared ASSISTD_INTERNAL_TOKEN, not through keys, and --auth=none is
// refused off loopback.

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http/http_client.h"
#include "assistd/v1/files.grpc.pb.h"
#include "assistd/v1/vector_stores.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/api_keys_util.h"
#include "tests/util/status_matchers.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace assistd {
namespace {

using ::assistd::testing::Ctx;
using ::assistd::testing::KeyIn;
using ::assistd::testing::kWait;
using ::assistd::testing::RunAssistd;
using ::assistd::testing::Subprocess;
using ::assistd::testing::TempDir;
using ::assistd::testing::Upload;
using ::testing::HasSubstr;

// Split processes call each other over the network with the shared
// ASSISTD_INTERNAL_TOKEN instead of a key: retrieval ingests project B's
// file from a files process that requires keys.
TEST(ApiKeysSplitTest, ProcessesShareTheInternalToken) {
  TempDir dir;
  const std::map<std::string, std::string> env = {
      {"ASSISTD_INTERNAL_TOKEN", "0123456789abcdef0123456789abcdef-test"}};
  const std::string files_dir = "--data_dir=" + dir.File("files");
  const std::string retrieval_dir = "--data_dir=" + dir.File("retrieval");
  const std::string files_key = KeyIn(RunAssistd({"keys", "create", "--project=B", files_dir}).second);
  const std::string retrieval_key =
      KeyIn(RunAssistd({"keys", "create", "--project=B", retrieval_dir}).second);
  ASSERT_FALSE(files_key.empty());
  ASSERT_FALSE(retrieval_key.empty());
  ASSERT_OK_AND_ASSIGN(auto files_proc, Subprocess::Start({ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0",
                                                           "--auth=keys", "--services=files",
                                                           files_dir}, env));
  const int files_port = ::assistd::testing::ListeningPort(*files_proc, kWait);
  ASSERT_GT(files_port, 0) << files_proc->output();
  const std::string files_addr = absl::StrCat("127.0.0.1:", files_port);
  ASSERT_OK_AND_ASSIGN(
      auto retrieval_proc,
      Subprocess::Start({ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0", "--auth=keys",
                         "--services=retrieval", "--files_addr=" + files_addr, retrieval_dir},
                        env));
  const int retrieval_port = ::assistd::testing::ListeningPort(*retrieval_proc, kWait);
  ASSERT_GT(retrieval_port, 0) << retrieval_proc->output();

  auto files = v1::FileService::NewStub(
      grpc::CreateChannel(files_addr, grpc::InsecureChannelCredentials()));
  auto stores = v1::VectorStoreService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", retrieval_port), grpc::InsecureChannelCredentials()));
  const v1::File file = Upload(*files, files_key, "notes.txt", "Filters last 400 hours.\n");
  ASSERT_FALSE(file.id().empty());
  v1::CreateVectorStoreRequest create;
  create.add_file_ids(file.id());
  v1::VectorStore store;
  grpc::Status st = stores->CreateVectorStore(Ctx(retrieval_key).get(), create, &store);
  ASSERT_TRUE(st.ok()) << st.error_message();
  v1::GetVectorStoreRequest get;
  get.set_vector_store_id(store.id());
  const absl::Time deadline = absl::Now() + kWait;
  while (store.file_counts().completed() + store.file_counts().failed() < 1 &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    ASSERT_TRUE(stores->GetVectorStore(Ctx(retrieval_key).get(), get, &store).ok());
  }
  EXPECT_EQ(store.file_counts().completed(), 1);

  // A client guessing the internal metadata is not trusted.
  auto ctx = Ctx("", "B");
  ctx->AddMetadata("x-assistd-internal", "0123456789abcdef0123456789abcdef-wrong");
  v1::GetFileRequest get_file;
  get_file.set_file_id(file.id());
  v1::File got;
  EXPECT_EQ(files->GetFile(ctx.get(), get_file, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// One key store for the deployment: a process started with --keys_addr
// checks keys with the process that holds keys.db, on gRPC and on REST.
TEST(ApiKeysSplitTest, KeysAddrUsesAnotherProcesssKeyStore) {
  TempDir dir;
  const std::map<std::string, std::string> env = {
      {"ASSISTD_INTERNAL_TOKEN", "0123456789abcdef0123456789abcdef-test"}};
  const std::string holder_dir = "--data_dir=" + dir.File("holder");
  const std::string key = KeyIn(RunAssistd({"keys", "create", "--project=P", holder_dir}).second);
  ASSERT_FALSE(key.empty());
  ASSERT_OK_AND_ASSIGN(auto holder, Subprocess::Start({ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0",
                                                       "--auth=keys", "--services=files",
                                                       holder_dir}, env));
  const int holder_port = ::assistd::testing::ListeningPort(*holder, kWait);
  ASSERT_GT(holder_port, 0) << holder->output();
  const std::string holder_addr = absl::StrCat("127.0.0.1:", holder_port);
  // No key was ever created in this one's data dir.
  ASSERT_OK_AND_ASSIGN(
      auto front, Subprocess::Start({ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0",
                                     "--http_addr=127.0.0.1:0", "--services=retrieval",
                                     "--files_addr=" + holder_addr, "--keys_addr=" + holder_addr,
                                     "--data_dir=" + dir.File("front")},
                                    env));
  const int front_port = ::assistd::testing::ListeningPort(*front, kWait);
  ASSERT_GT(front_port, 0) << front->output();
  const int http_port = ::assistd::testing::HttpPort(*front, kWait);
  ASSERT_GT(http_port, 0) << front->output();

  auto stores = v1::VectorStoreService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", front_port), grpc::InsecureChannelCredentials()));
  v1::ListVectorStoresRequest list;
  v1::ListVectorStoresResponse listed;
  grpc::Status ok = stores->ListVectorStores(Ctx(key).get(), list, &listed);
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  grpc::Status refused =
      stores->ListVectorStores(Ctx("sk-assistd-not-a-key").get(), list, &listed);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  auto http = http::NewCurlHttpClient();
  auto get = [&](const std::string& bearer) {
    http::HttpRequest req;
    req.method = "GET";
    req.url = absl::StrCat("http://127.0.0.1:", http_port, "/v1/files");
    req.headers = {{"Authorization", "Bearer " + bearer}};
    absl::StatusOr<http::HttpResponse> resp = http->Send(req);
    return resp.ok() ? resp->status : -1;
  };
  EXPECT_EQ(get(key), 200);  // REST on the front, files on the holder
  EXPECT_EQ(get("sk-assistd-not-a-key"), 401);
}

TEST(ApiKeysStartupTest, AuthNoneIsRefusedOnANonLoopbackAddress) {
  TempDir dir;
  auto [code, out] = RunAssistd(
      {"--grpc_addr=0.0.0.0:0", "--auth=none", "--data_dir=" + dir.File("data")});
  EXPECT_EQ(code, 1);
  EXPECT_THAT(out, HasSubstr("--auth=none is allowed only on a loopback --grpc_addr"));
}

}  // namespace
}  // namespace assistd
