// The REST gateway's /v1/files and /v1/vector_stores on the real binary:
// multipart uploads in either field order, bytes streamed back, upload
// errors (400, 413) that store nothing, a client that breaks off mid-upload,
// and a vector store's files, batches, search and parsed content.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/gateway_fixture.h"

namespace assistd {
namespace {

using ::assistd::gateway_testing::GatewayTest;
using ::assistd::gateway_testing::json;
using ::assistd::gateway_testing::Reply;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Bytes a naive multipart parser would trip on: NULs, CRLFs and a line that
// looks like a boundary.
std::string AwkwardBytes() {
  std::string bytes("head\0\r\n--assistd-test-boundary\r\n", 33);
  for (int i = 0; i < 70000; ++i) bytes.push_back(static_cast<char>(i * 7919 % 256));
  return bytes;
}

TEST_F(GatewayTest, UploadInEitherFieldOrderAndReadTheBytesBack) {
  const std::string bytes = AwkwardBytes();
  Reply purpose_first = Upload({{"purpose", "assistants"}, {"file", bytes}}, "a.bin");
  ASSERT_EQ(purpose_first.status, 200) << purpose_first.body;
  EXPECT_EQ(purpose_first.json_body["object"], "file");
  EXPECT_EQ(purpose_first.json_body["bytes"], bytes.size());
  EXPECT_EQ(purpose_first.json_body["filename"], "a.bin");
  EXPECT_EQ(purpose_first.json_body["purpose"], "assistants");
  EXPECT_EQ(purpose_first.json_body["status"], "processed");
  // openai-node sends the fields in the order of the caller's object.
  Reply file_first = Upload({{"file", bytes},
                             {"purpose", "user_data"},
                             {"expires_after[anchor]", "created_at"},
                             {"expires_after[seconds]", "3600"}},
                            "b.bin");
  ASSERT_EQ(file_first.status, 200) << file_first.body;
  EXPECT_EQ(file_first.json_body["purpose"], "user_data");
  EXPECT_EQ(file_first.json_body["expires_at"].get<int64_t>(),
            file_first.json_body["created_at"].get<int64_t>() + 3600);

  for (const Reply& file : {purpose_first, file_first}) {
    const std::string id = file.json_body["id"];
    Reply content = Call("GET", "/v1/files/" + id + "/content", nullptr, /*beta=*/false);
    EXPECT_EQ(content.status, 200);
    EXPECT_EQ(content.body, bytes);
    EXPECT_EQ(Call("GET", "/v1/files/" + id, nullptr, false).json_body, file.json_body);
  }
  Reply list = Call("GET", "/v1/files?purpose=assistants", nullptr, false);
  ASSERT_EQ(list.json_body["data"].size(), 1);
  EXPECT_EQ(list.json_body["data"][0]["id"], purpose_first.json_body["id"]);

  const std::string id = purpose_first.json_body["id"];
  EXPECT_EQ(Call("DELETE", "/v1/files/" + id, nullptr, false).json_body,
            json({{"id", id}, {"object", "file"}, {"deleted", true}}));
  Reply gone = Call("GET", "/v1/files/" + id + "/content", nullptr, false);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.json_body["error"]["message"], "No such File object: " + id);
}

TEST_F(GatewayTest, AnEmptyFileHasAnEmptyBody) {
  Reply file = Upload({{"purpose", "assistants"}, {"file", ""}});
  ASSERT_EQ(file.status, 200) << file.body;
  Reply content = Call("GET", "/v1/files/" + file.json_body["id"].get<std::string>() + "/content",
                       nullptr, false);
  EXPECT_EQ(content.status, 200);
  EXPECT_EQ(content.body, "");
}

TEST_F(GatewayTest, MalformedUploadsAre400AndStoreNothing) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> fields;
    std::string param;
  };
  const std::vector<Case> cases = {
      {{{"file", "x"}}, "purpose"},
      {{{"purpose", "assistants"}}, "file"},
      {{{"purpose", "assistants"}, {"file", "x"}, {"colour", "red"}}, "colour"},
      {{{"purpose", "assistants_output"}, {"file", "x"}}, "purpose"},
      {{{"purpose", "nonsense"}, {"file", "x"}}, "purpose"},
      {{{"file", "x"}, {"purpose", "assistants"}, {"expires_after[seconds]", "soon"}},
       "expires_after.seconds"},
  };
  for (const Case& c : cases) {
    Reply r = Upload(c.fields);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json_body["error"]["type"], "invalid_request_error");
    EXPECT_EQ(r.json_body["error"]["param"], c.param) << r.body;
  }
  Reply not_a_form = Call("POST", "/v1/files", json{{"purpose", "assistants"}}, false);
  EXPECT_EQ(not_a_form.status, 400);
  EXPECT_THAT(not_a_form.json_body["error"]["message"].get<std::string>(),
              HasSubstr("expected multipart/form-data"));
  EXPECT_TRUE(Call("GET", "/v1/files", nullptr, false).json_body["data"].empty());
}

class GatewaySmallUploadsTest : public GatewayTest {
 protected:
  void SetUp() override { StartAssistd({"--max_upload_mb=1"}); }
};

TEST_F(GatewaySmallUploadsTest, OversizeUploadIs413AndStoresNothing) {
  const std::string big(3 << 20, 'x');
  for (bool file_first : {false, true}) {
    Reply r = file_first ? Upload({{"file", big}, {"purpose", "assistants"}})
                         : Upload({{"purpose", "assistants"}, {"file", big}});
    EXPECT_EQ(r.status, 413) << r.body;
    EXPECT_THAT(r.json_body["error"]["message"].get<std::string>(), HasSubstr("too large"));
  }
  EXPECT_TRUE(Call("GET", "/v1/files", nullptr, false).json_body["data"].empty());
  EXPECT_EQ(Upload({{"purpose", "assistants"}, {"file", "small"}}).status, 200);
}

// Sends the head of an upload declaring more bytes than it sends, then
// closes the connection.
void StartUploadAndHangUp(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string part =
      "--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.bin\"\r\n\r\n" +
      std::string(2 << 20, 'y');
  const std::string head = absl::StrCat(
      "POST /v1/files HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
      "Content-Length: ", part.size() + (8 << 20), "\r\n\r\n");
  const std::string sent = head + part;
  size_t off = 0;
  while (off < sent.size()) {
    const ssize_t n = write(fd, sent.data() + off, sent.size() - off);
    ASSERT_GT(n, 0);
    off += static_cast<size_t>(n);
  }
  close(fd);
}

TEST_F(GatewayTest, ClientThatBreaksOffMidUploadLeavesNothing) {
  StartUploadAndHangUp(server_->http_port());
  // The server keeps serving. The cut upload can never become a file: only
  // a complete body ends the upload call cleanly, so whether or not the
  // server has noticed the hang-up yet, the list holds the second file only.
  Reply after = Upload({{"purpose", "assistants"}, {"file", "whole"}});
  ASSERT_EQ(after.status, 200) << after.body;
  Reply list = Call("GET", "/v1/files", nullptr, false);
  ASSERT_EQ(list.json_body["data"].size(), 1) << list.body;
  EXPECT_EQ(list.json_body["data"][0]["filename"], "data.txt");
}

TEST_F(GatewayTest, VectorStoreFilesBatchesSearchAndContent) {
  Reply file = Upload({{"purpose", "assistants"},
                       {"file", "The pump must never run dry.\n\nThe maximum water temperature "
                                "is 90 degrees Celsius.\n"}},
                      "pump.txt");
  ASSERT_EQ(file.status, 200) << file.body;
  const std::string file_id = file.json_body["id"];
  EXPECT_EQ(Call("GET", "/v1/vector_stores", nullptr, /*beta=*/false).status, 400);

  Reply store = Call("POST", "/v1/vector_stores", {{"name", "manuals"}});
  ASSERT_EQ(store.status, 200) << store.body;
  EXPECT_EQ(store.json_body["object"], "vector_store");
  const std::string vs = "/v1/vector_stores/" + store.json_body["id"].get<std::string>();
  Reply added = Call("POST", vs + "/files",
                     {{"file_id", file_id}, {"attributes", {{"lang", "en"}}}});
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_TRUE(added.headers.count("openai-poll-after-ms"));
  Reply done = PollWhile(vs + "/files/" + file_id, {"in_progress"});
  ASSERT_EQ(done.json_body["status"], "completed") << done.body;
  EXPECT_EQ(done.json_body["attributes"]["lang"], "en");

  Reply search = Call("POST", vs + "/search",
                      {{"query", "how hot may the water be?"},
                       {"filters", {{"type", "eq"}, {"key", "lang"}, {"value", "en"}}}});
  ASSERT_EQ(search.status, 200) << search.body;
  EXPECT_EQ(search.json_body["object"], "vector_store.search_results.page");
  ASSERT_FALSE(search.json_body["data"].empty());
  EXPECT_EQ(search.json_body["data"][0]["file_id"], file_id);
  EXPECT_EQ(search.json_body["data"][0]["filename"], "pump.txt");
  EXPECT_THAT(search.json_body["data"][0]["content"][0]["text"].get<std::string>(),
              HasSubstr("90 degrees"));
  const double score = search.json_body["data"][0]["score"];
  EXPECT_GT(score, 0.0);
  EXPECT_LE(score, 1.0);

  Reply content = Call("GET", vs + "/files/" + file_id + "/content");
  ASSERT_EQ(content.status, 200) << content.body;
  EXPECT_THAT(content.json_body["data"][0]["text"].get<std::string>(), HasSubstr("run dry"));
  Reply updated = Call("POST", vs + "/files/" + file_id, {{"attributes", {{"lang", "de"}}}});
  EXPECT_EQ(updated.json_body["attributes"]["lang"], "de");
  EXPECT_EQ(Call("GET", vs + "/files?filter=completed").json_body["data"].size(), 1);
  EXPECT_EQ(Call("GET", vs + "/files?filter=failed").json_body["data"].size(), 0);

  Reply second = Upload({{"purpose", "assistants"}, {"file", "Seals wear out."}}, "seal.txt");
  Reply batch = Call("POST", vs + "/file_batches", {{"file_ids", {second.json_body["id"]}}});
  ASSERT_EQ(batch.status, 200) << batch.body;
  EXPECT_EQ(batch.json_body["object"], "vector_store.files_batch");
  const std::string batch_path = vs + "/file_batches/" + batch.json_body["id"].get<std::string>();
  Reply batch_done = PollWhile(batch_path, {"in_progress"});
  EXPECT_EQ(batch_done.json_body["status"], "completed") << batch_done.body;
  EXPECT_EQ(batch_done.json_body["file_counts"]["completed"], 1);
  Reply batch_files = Call("GET", batch_path + "/files");
  ASSERT_EQ(batch_files.json_body["data"].size(), 1);
  EXPECT_EQ(batch_files.json_body["data"][0]["id"], second.json_body["id"]);

  Reply detached = Call("DELETE", vs + "/files/" + file_id);
  EXPECT_EQ(detached.json_body["object"], "vector_store.file.deleted");
  EXPECT_EQ(Call("GET", "/v1/files/" + file_id, nullptr, false).status, 200);  // not deleted
  Reply missing = Call("GET", vs + "/files/" + file_id);
  EXPECT_EQ(missing.status, 404);
  Reply deleted = Call("DELETE", vs);
  EXPECT_EQ(deleted.json_body["object"], "vector_store.deleted");
  EXPECT_EQ(Call("GET", vs).status, 404);
}

}  // namespace
}  // namespace assistd
