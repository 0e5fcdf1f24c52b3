#include "cli/proto_json.h"

#include "assistd/v1/assistants.pb.h"
#include "assistd/v1/files.pb.h"
#include "assistd/v1/vector_stores.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::cli {
namespace {

TEST(ProtoJsonTest, WritesNumbersAndLowercaseEnums) {
  v1::File file;
  file.set_id("file-1");
  file.set_bytes(int64_t{5} << 33);
  file.set_status(v1::FILE_STATUS_PROCESSED);
  const nlohmann::json j = ProtoToJson(file);
  EXPECT_EQ(j["bytes"], int64_t{5} << 33);
  EXPECT_EQ(j["status"], "processed");
  EXPECT_EQ(j["id"], "file-1");
  EXPECT_FALSE(j.contains("expires_at"));  // unset optional
}

TEST(ProtoJsonTest, DropsUnspecifiedEnumsAndUnsetMessages) {
  v1::VectorStoreFile f;
  f.set_status(v1::VECTOR_STORE_FILE_STATUS_IN_PROGRESS);
  nlohmann::json j = ProtoToJson(f);
  EXPECT_EQ(j["status"], "in_progress");
  EXPECT_FALSE(j.contains("last_error"));
  f.mutable_last_error()->set_code(v1::LAST_ERROR_CODE_UNSUPPORTED_FILE);
  j = ProtoToJson(f);
  EXPECT_EQ(j["last_error"]["code"], "unsupported_file");
}

TEST(ProtoJsonTest, ShapesUnionsListsAndMapsLikeOpenAI) {
  v1::Assistant a;
  a.add_tools()->mutable_file_search();
  a.mutable_metadata()->mutable_entries()->insert({"team", "docs"});
  a.mutable_tool_resources()->mutable_file_search()->add_vector_store_ids("vs_1");
  const nlohmann::json j = ProtoToJson(a);
  EXPECT_EQ(j["tools"][0]["type"], "file_search");
  EXPECT_TRUE(j["tools"][0]["file_search"].is_object());
  EXPECT_EQ(j["metadata"], nlohmann::json({{"team", "docs"}}));
  EXPECT_EQ(j["tool_resources"]["file_search"]["vector_store_ids"][0], "vs_1");

  v1::VectorStoreFile f;
  (*f.mutable_attributes()->mutable_entries())["pages"].set_number_value(3);
  EXPECT_EQ(ProtoToJson(f)["attributes"]["pages"], 3.0);
}

}  // namespace
}  // namespace assistd::cli
