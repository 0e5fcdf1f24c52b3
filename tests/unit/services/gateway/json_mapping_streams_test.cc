// ToJson of stream payloads (spec 3): deltas omit unset keys, RunEvent is
// its data member only.

#include "assistd/v1/runs.pb.h"
#include "assistd/v1/threads.pb.h"
#include "gtest/gtest.h"
#include "services/gateway/json_mapping.h"
#include "tests/unit/services/gateway/json_test_util.h"

namespace assistd::gateway {
namespace {

using ::assistd::gateway::testing::FromText;
using ::assistd::gateway::testing::J;

TEST(JsonMappingStreamsTest, MessageDeltaWithAnnotation) {
  auto delta = FromText<v1::MessageDelta>(R"pb(
    id: "msg_1"
    object: "thread.message.delta"
    delta {
      role: MESSAGE_ROLE_ASSISTANT
      content {
        index: 0
        text {
          value: "Paris [1]"
          annotations {
            index: 0
            text: "[1]"
            start_index: 6
            end_index: 9
            file_citation { file_id: "file-1" }
          }
        }
      }
    })pb");
  EXPECT_EQ(ToJson(delta), J(R"({"id": "msg_1", "object": "thread.message.delta",
    "delta": {"role": "assistant", "content": [{"index": 0, "type": "text",
      "text": {"value": "Paris [1]", "annotations": [{"index": 0,
        "type": "file_citation", "text": "[1]", "start_index": 6,
        "end_index": 9, "file_citation": {"file_id": "file-1"}}]}}]}})"));
}

TEST(JsonMappingStreamsTest, MessageDeltaOmitsUnsetKeys) {
  auto delta = FromText<v1::MessageDelta>(R"pb(
    id: "msg_1"
    object: "thread.message.delta"
    delta {
      content {
        index: 0
        text { value: " is" }
      }
      content {
        index: 1
        image_file { file_id: "file-3" }
      }
      content { index: 2 refusal: "no" }
      content {
        index: 3
        image_url { url: "https://x/y.png" detail: IMAGE_DETAIL_HIGH }
      }
      content {
        index: 4
        text {
          annotations {
            index: 1
            file_path {}
          }
        }
      }
    })pb");
  EXPECT_EQ(ToJson(delta)["delta"], J(R"({"content": [
    {"index": 0, "type": "text", "text": {"value": " is"}},
    {"index": 1, "type": "image_file", "image_file": {"file_id": "file-3"}},
    {"index": 2, "type": "refusal", "refusal": "no"},
    {"index": 3, "type": "image_url", "image_url": {"url": "https://x/y.png",
                                                    "detail": "high"}},
    {"index": 4, "type": "text", "text": {"annotations": [
      {"index": 1, "type": "file_path", "file_path": {}}]}}]})"));
  EXPECT_EQ(ToJson(FromText<v1::MessageDelta>(R"pb(id: "msg_1")pb")),
            J(R"({"id": "msg_1", "object": "", "delta": {}})"));
}

TEST(JsonMappingStreamsTest, FirstFunctionDeltaCarriesNullOutput) {
  auto delta = FromText<v1::RunStepDelta>(R"pb(
    id: "step_1"
    object: "thread.run.step.delta"
    delta {
      step_details {
        tool_calls {
          tool_calls {
            index: 0
            id: "call_1"
            function { name: "get_weather" arguments: "" }
          }
        }
      }
    })pb");
  EXPECT_EQ(ToJson(delta), J(R"({"id": "step_1", "object": "thread.run.step.delta",
    "delta": {"step_details": {"type": "tool_calls", "tool_calls": [
      {"index": 0, "id": "call_1", "type": "function", "function":
        {"name": "get_weather", "arguments": "", "output": null}}]}}})"));
  auto next = FromText<v1::ToolCallDelta>(R"pb(
    index: 0
    function { arguments: "{\"city\"" })pb");
  EXPECT_EQ(ToJson(next), J(R"({"index": 0, "type": "function", "function":
    {"arguments": "{\"city\"", "output": null}})"));
}

TEST(JsonMappingStreamsTest, FileSearchAndCodeInterpreterToolCallDeltas) {
  auto delta = FromText<v1::RunStepDeltaBody>(R"pb(
    step_details {
      tool_calls {
        tool_calls {
          index: 0
          id: "call_1"
          file_search {}
        }
        tool_calls {
          index: 1
          id: "call_2"
          code_interpreter { input: "print(" }
        }
        tool_calls {
          index: 1
          code_interpreter {
            outputs { index: 0 logs: "hi\n" }
            outputs {
              index: 1
              image { file_id: "file-img" }
            }
          }
        }
      }
    })pb");
  EXPECT_EQ(ToJson(delta), J(R"json({"step_details": {"type": "tool_calls", "tool_calls": [
    {"index": 0, "id": "call_1", "type": "file_search", "file_search": {}},
    {"index": 1, "id": "call_2", "type": "code_interpreter",
     "code_interpreter": {"input": "print("}},
    {"index": 1, "type": "code_interpreter", "code_interpreter": {"outputs": [
      {"index": 0, "type": "logs", "logs": "hi\n"},
      {"index": 1, "type": "image", "image": {"file_id": "file-img"}}]}}]}})json"));
}

TEST(JsonMappingStreamsTest, MessageCreationAndEmptyToolCallsStepDeltas) {
  EXPECT_EQ(ToJson(FromText<v1::RunStepDeltaBody>(R"pb(step_details {
                                                         message_creation { message_id: "msg_1" }
                                                       })pb")),
            J(R"({"step_details": {"type": "message_creation",
                                   "message_creation": {"message_id": "msg_1"}}})"));
  EXPECT_EQ(ToJson(FromText<v1::StepDetails>("tool_calls {}")),
            J(R"({"type": "tool_calls", "tool_calls": []})"));
  EXPECT_EQ(ToJson(v1::RunStepDeltaBody()), J("{}"));
}

TEST(JsonMappingStreamsTest, RunEventIsItsDataMemberOnly) {
  auto event = FromText<v1::RunEvent>(R"pb(
    event: "thread.run.created"
    run { id: "run_1" object: "thread.run" status: RUN_STATUS_QUEUED })pb");
  const nlohmann::json json = ToJson(event);
  EXPECT_EQ(json, ToJson(event.run()));
  EXPECT_FALSE(json.contains("event"));
  EXPECT_EQ(json["status"], "queued");

  auto delta = FromText<v1::RunEvent>(R"pb(
    event: "thread.message.delta"
    message_delta { id: "msg_1" object: "thread.message.delta" })pb");
  EXPECT_EQ(ToJson(delta), ToJson(delta.message_delta()));

  auto thread = FromText<v1::RunEvent>(R"pb(
    event: "thread.created"
    thread { id: "thread_1" object: "thread" })pb");
  EXPECT_EQ(ToJson(thread)["id"], "thread_1");
}

TEST(JsonMappingStreamsTest, DoneAndErrorEvents) {
  EXPECT_EQ(ToJson(FromText<v1::RunEvent>(R"pb(event: "done" done: true)pb")), "[DONE]");
  auto error = FromText<v1::RunEvent>(R"pb(
    event: "error"
    error { code: "server_error" message: "boom" type: "server_error" })pb");
  EXPECT_EQ(ToJson(error), J(R"({"error": {"code": "server_error",
    "message": "boom", "param": null, "type": "server_error"}})"));
  EXPECT_EQ(ToJson(error.error())["param"], nullptr);
}

}  // namespace
}  // namespace assistd::gateway
