#include "services/gateway/sse.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::gateway {
namespace {

TEST(SseTest, OneRecordPerEventWithOneLineData) {
  v1::RunEvent event;
  event.set_event("thread.message.delta");
  event.mutable_message_delta()->set_id("msg_1");
  event.mutable_message_delta()->set_object("thread.message.delta");
  const std::string record = SseRecord(event);
  EXPECT_THAT(record, ::testing::StartsWith("event: thread.message.delta\ndata: {"));
  EXPECT_THAT(record, ::testing::EndsWith("}\n\n"));
  EXPECT_EQ(std::count(record.begin(), record.end(), '\n'), 3);
  EXPECT_EQ(SseRecord("x", nlohmann::json{{"text", "a\nb"}}),
            "event: x\ndata: {\"text\":\"a\\nb\"}\n\n");
}

TEST(SseTest, DoneAndErrors) {
  v1::RunEvent done;
  done.set_event("done");
  done.set_done(true);
  EXPECT_EQ(SseRecord(done), "event: done\ndata: [DONE]\n\n");
  EXPECT_EQ(SseDone(), "event: done\ndata: [DONE]\n\n");
  EXPECT_EQ(SseError(absl::UnavailableError("model down")),
            "event: error\ndata: {\"error\":{\"code\":\"server_error\",\"message\":\"model "
            "down\",\"param\":null,\"type\":\"server_error\"}}\n\n");
}

TEST(SseTest, InvalidUtf8IsReplacedNotThrown) {
  EXPECT_EQ(DumpJson(nlohmann::json("a\xff")), "\"a\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace assistd::gateway
