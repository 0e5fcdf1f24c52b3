// ToJson of every object of spec section 2: exact keys, values and nulls.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "assistd/v1/assistants.pb.h"
#include "assistd/v1/files.pb.h"
#include "assistd/v1/runs.pb.h"
#include "assistd/v1/threads.pb.h"
#include "assistd/v1/vector_stores.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/json_special_cases.h"
#include "tests/unit/services/gateway/json_test_util.h"

namespace assistd::gateway {
namespace {

using ::assistd::gateway::testing::FromText;
using ::assistd::gateway::testing::J;

TEST(JsonMappingObjectsTest, FileWritesNullsAndInt64Numbers) {
  auto file = FromText<v1::File>(R"pb(
    id: "file-abc"
    bytes: 5000000000
    created_at: 1700000000
    filename: "a.pdf"
    object: "file"
    purpose: "assistants"
    status: FILE_STATUS_PROCESSED)pb");
  EXPECT_EQ(ToJson(file), J(R"({"id": "file-abc", "bytes": 5000000000,
    "created_at": 1700000000, "filename": "a.pdf", "object": "file",
    "purpose": "assistants", "status": "processed", "expires_at": null,
    "status_details": null})"));
  file.set_expires_at(1700003600);
  EXPECT_EQ(ToJson(file)["expires_at"], 1700003600);
  EXPECT_TRUE(ToJson(file)["bytes"].is_number_integer());
}

TEST(JsonMappingObjectsTest, AssistantWithEveryToolTypeAndToolResources) {
  auto assistant =
      FromText<v1::Assistant>(R"pb(
        id: "asst_1"
        object: "assistant"
        created_at: 1
        name: "Helper"
        model: "gpt-4o"
        tools { code_interpreter {} }
        tools {
          file_search {
            max_num_results: 5
            ranking_options { ranker: "auto" score_threshold: 0.5 }
          }
        }
        tools { file_search {} }
        tools {
          function {
            name: "get_weather"
            description: "Weather"
            parameters_json: '{"type":"object","properties":{"city":{"type":"string"}}}'
            strict: true
          }
        }
        tools { function { name: "noop" } }
        tool_resources {
          code_interpreter { file_ids: "file-1" file_ids: "file-2" }
          file_search { vector_store_ids: "vs_1" }
        }
        metadata { entries { key: "team" value: "docs" } }
        temperature: 0.5
        response_format {
          json_schema { name: "answer" schema_json: '{"type":"object"}' strict: true }
        })pb");
  EXPECT_EQ(ToJson(assistant), J(R"({
    "id": "asst_1", "object": "assistant", "created_at": 1, "name": "Helper",
    "description": null, "model": "gpt-4o", "instructions": null,
    "tools": [
      {"type": "code_interpreter"},
      {"type": "file_search", "file_search": {"max_num_results": 5,
        "ranking_options": {"ranker": "auto", "score_threshold": 0.5}}},
      {"type": "file_search", "file_search": {}},
      {"type": "function", "function": {"name": "get_weather",
        "description": "Weather", "strict": true, "parameters": {"type": "object",
        "properties": {"city": {"type": "string"}}}}},
      {"type": "function", "function": {"name": "noop", "strict": null}}],
    "tool_resources": {"code_interpreter": {"file_ids": ["file-1", "file-2"]},
                       "file_search": {"vector_store_ids": ["vs_1"]}},
    "metadata": {"team": "docs"}, "temperature": 0.5, "top_p": null,
    "response_format": {"type": "json_schema", "json_schema": {"name": "answer",
      "schema": {"type": "object"}, "strict": true}}})"));
}

TEST(JsonMappingObjectsTest, AssistantUnsetNullablesAreNull) {
  auto assistant = FromText<v1::Assistant>(R"pb(
    id: "asst_2"
    object: "assistant"
    created_at: 2
    model: "m"
    tool_resources { code_interpreter {} })pb");
  EXPECT_EQ(ToJson(assistant), J(R"({"id": "asst_2", "object": "assistant",
    "created_at": 2, "name": null, "description": null, "model": "m",
    "instructions": null, "tools": [], "tool_resources": {"code_interpreter":
    {"file_ids": []}}, "metadata": null, "temperature": null, "top_p": null,
    "response_format": null})"));
}

TEST(JsonMappingObjectsTest, ResponseFormatVariants) {
  EXPECT_EQ(ToJson(FromText<v1::ResponseFormat>("auto {}")), "auto");
  EXPECT_EQ(ToJson(FromText<v1::ResponseFormat>("text {}")), J(R"({"type": "text"})"));
  EXPECT_EQ(ToJson(FromText<v1::ResponseFormat>("json_object {}")),
            J(R"({"type": "json_object"})"));
  EXPECT_EQ(ToJson(FromText<v1::ResponseFormat>(R"pb(json_schema { name: "s" })pb")),
            J(R"({"type": "json_schema", "json_schema": {"name": "s", "strict": null}})"));
}

TEST(JsonMappingObjectsTest, ThreadUnsetMetadataAndToolResourcesAreNull) {
  auto thread = FromText<v1::Thread>(R"pb(id: "thread_1" object: "thread" created_at: 3)pb");
  EXPECT_EQ(ToJson(thread), J(R"({"id": "thread_1", "object": "thread",
    "created_at": 3, "metadata": null, "tool_resources": null})"));
  thread.mutable_metadata();
  thread.mutable_tool_resources()->mutable_file_search()->add_vector_store_ids("vs_1");
  EXPECT_EQ(ToJson(thread)["metadata"], J("{}"));
  EXPECT_EQ(ToJson(thread)["tool_resources"],
            J(R"({"file_search": {"vector_store_ids": ["vs_1"]}})"));
}

TEST(JsonMappingObjectsTest, MessageWithAnnotationsImagesAndAttachments) {
  auto message = FromText<v1::Message>(R"pb(
    id: "msg_1"
    object: "thread.message"
    created_at: 4
    thread_id: "thread_1"
    status: MESSAGE_STATUS_COMPLETED
    completed_at: 5
    role: MESSAGE_ROLE_ASSISTANT
    content {
      text {
        value: "See [1] and sandbox:/mnt/data/x.csv"
        annotations {
          text: "[1]"
          start_index: 4
          end_index: 7
          file_citation { file_id: "file-1" page_number: 3 file_name: "a.pdf" }
        }
        annotations {
          text: "sandbox:/mnt/data/x.csv"
          start_index: 12
          end_index: 35
          file_path { file_id: "file-2" }
        }
      }
    }
    content { image_file { file_id: "file-3" detail: IMAGE_DETAIL_LOW } }
    content { image_file { file_id: "file-4" } }
    content { image_url { url: "https://example.com/a.png" } }
    content { refusal: "no" }
    assistant_id: "asst_1"
    run_id: "run_1"
    attachments {
      file_id: "file-5"
      tools { code_interpreter {} }
      tools { file_search {} }
    })pb");
  EXPECT_EQ(ToJson(message), J(R"({
    "id": "msg_1", "object": "thread.message", "created_at": 4,
    "thread_id": "thread_1", "status": "completed", "incomplete_details": null,
    "completed_at": 5, "incomplete_at": null, "role": "assistant",
    "content": [
      {"type": "text", "text": {"value": "See [1] and sandbox:/mnt/data/x.csv",
        "annotations": [
          {"type": "file_citation", "text": "[1]", "start_index": 4,
           "end_index": 7, "file_citation": {"file_id": "file-1"}},
          {"type": "file_path", "text": "sandbox:/mnt/data/x.csv",
           "start_index": 12, "end_index": 35, "file_path": {"file_id": "file-2"}}]}},
      {"type": "image_file", "image_file": {"file_id": "file-3", "detail": "low"}},
      {"type": "image_file", "image_file": {"file_id": "file-4"}},
      {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
      {"type": "refusal", "refusal": "no"}],
    "assistant_id": "asst_1", "run_id": "run_1",
    "attachments": [{"file_id": "file-5", "tools": [{"type": "code_interpreter"},
                                                     {"type": "file_search"}]}],
    "metadata": null})"));
}

TEST(JsonMappingObjectsTest, HandMadeIncompleteMessage) {
  auto message = FromText<v1::Message>(R"pb(
    id: "msg_2"
    object: "thread.message"
    created_at: 4
    thread_id: "thread_1"
    status: MESSAGE_STATUS_INCOMPLETE
    incomplete_at: 6
    role: MESSAGE_ROLE_USER
    incomplete_details { reason: INCOMPLETE_REASON_RUN_CANCELLED }
    content { text { value: "hi" } }
    metadata {})pb");
  EXPECT_EQ(ToJson(message), J(R"({
    "id": "msg_2", "object": "thread.message", "created_at": 4,
    "thread_id": "thread_1", "status": "incomplete",
    "incomplete_details": {"reason": "run_cancelled"}, "completed_at": null,
    "incomplete_at": 6, "role": "user",
    "content": [{"type": "text", "text": {"value": "hi", "annotations": []}}],
    "assistant_id": null, "run_id": null, "attachments": [], "metadata": {}})"));
}

TEST(JsonMappingObjectsTest, RunRequiringActionWritesEveryKey) {
  auto run = FromText<v1::Run>(R"pb(
    id: "run_1"
    object: "thread.run"
    created_at: 10
    thread_id: "thread_1"
    assistant_id: "asst_1"
    status: RUN_STATUS_REQUIRES_ACTION
    required_action {
      submit_tool_outputs {
        tool_calls {
          id: "call_1"
          function { name: "get_weather" arguments: '{"city":"Paris"}' }
        }
      }
    }
    expires_at: 610
    started_at: 11
    model: "gpt-4o"
    instructions: "Be brief."
    tools { function { name: "get_weather" } }
    temperature: 1
    top_p: 1
    truncation_strategy { type: TRUNCATION_TYPE_AUTO }
    tool_choice { mode: TOOL_CHOICE_MODE_REQUIRED }
    parallel_tool_calls: true
    response_format { auto {} })pb");
  const nlohmann::json json = ToJson(run);
  EXPECT_EQ(json, J(R"({
    "id": "run_1", "object": "thread.run", "created_at": 10,
    "thread_id": "thread_1", "assistant_id": "asst_1",
    "status": "requires_action",
    "required_action": {"type": "submit_tool_outputs", "submit_tool_outputs":
      {"tool_calls": [{"id": "call_1", "type": "function", "function":
        {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]}},
    "last_error": null, "expires_at": 610, "started_at": 11,
    "cancelled_at": null, "failed_at": null, "completed_at": null,
    "incomplete_details": null, "model": "gpt-4o", "instructions": "Be brief.",
    "tools": [{"type": "function", "function": {"name": "get_weather", "strict": null}}],
    "metadata": null, "usage": null, "temperature": 1.0, "top_p": 1.0,
    "max_prompt_tokens": null, "max_completion_tokens": null,
    "truncation_strategy": {"type": "auto", "last_messages": null},
    "tool_choice": "required", "parallel_tool_calls": true,
    "response_format": "auto"})"));
  EXPECT_EQ(json.size(), 27u);  // spec 2.5: every key is present
}

TEST(JsonMappingObjectsTest, FailedRunWithLastErrorUsageAndNamedToolChoice) {
  auto run = FromText<v1::Run>(R"pb(
    id: "run_2"
    object: "thread.run"
    status: RUN_STATUS_FAILED
    failed_at: 20
    last_error { code: LAST_ERROR_CODE_RATE_LIMIT_EXCEEDED message: "Slow down." }
    usage { completion_tokens: 5 prompt_tokens: 100 total_tokens: 105 }
    max_prompt_tokens: 2000
    max_completion_tokens: 500
    truncation_strategy { type: TRUNCATION_TYPE_LAST_MESSAGES last_messages: 10 }
    tool_choice { tool { function { name: "get_weather" } } }
    response_format { json_object {} })pb");
  const nlohmann::json json = ToJson(run);
  EXPECT_EQ(json["status"], "failed");
  EXPECT_EQ(json["last_error"], J(R"({"code": "rate_limit_exceeded", "message": "Slow down."})"));
  EXPECT_EQ(json["usage"],
            J(R"({"completion_tokens": 5, "prompt_tokens": 100, "total_tokens": 105})"));
  EXPECT_EQ(json["max_prompt_tokens"], 2000);
  EXPECT_EQ(json["max_completion_tokens"], 500);
  EXPECT_EQ(json["truncation_strategy"], J(R"({"type": "last_messages", "last_messages": 10})"));
  EXPECT_EQ(json["tool_choice"], J(R"({"type": "function", "function": {"name": "get_weather"}})"));
  EXPECT_EQ(json["response_format"], J(R"({"type": "json_object"})"));
  EXPECT_EQ(json["failed_at"], 20);
  EXPECT_TRUE(json["expires_at"].is_null());
  EXPECT_EQ(json["parallel_tool_calls"], false);
}

TEST(JsonMappingObjectsTest, IncompleteRunAndOtherToolChoices) {
  auto run = FromText<v1::Run>(R"pb(
    status: RUN_STATUS_INCOMPLETE
    incomplete_details { reason: INCOMPLETE_REASON_MAX_PROMPT_TOKENS }
    tool_choice { tool { file_search {} } }
    response_format { text {} })pb");
  nlohmann::json json = ToJson(run);
  EXPECT_EQ(json["incomplete_details"], J(R"({"reason": "max_prompt_tokens"})"));
  EXPECT_EQ(json["tool_choice"], J(R"({"type": "file_search"})"));
  EXPECT_EQ(json["response_format"], J(R"({"type": "text"})"));

  run = FromText<v1::Run>(R"pb(
    incomplete_details {}
    tool_choice { tool { code_interpreter {} } })pb");
  json = ToJson(run);
  EXPECT_EQ(json["incomplete_details"], J("{}"));  // reason is optional
  EXPECT_EQ(json["tool_choice"], J(R"({"type": "code_interpreter"})"));
  EXPECT_EQ(ToJson(FromText<v1::Run>("tool_choice { mode: TOOL_CHOICE_MODE_NONE }"))["tool_choice"],
            "none");
  EXPECT_TRUE(ToJson(v1::Run())["tool_choice"].is_null());
  EXPECT_TRUE(ToJson(v1::Run())["truncation_strategy"].is_null());
  EXPECT_TRUE(ToJson(v1::Run())["response_format"].is_null());
}

TEST(JsonMappingObjectsTest, RunStepMessageCreation) {
  auto step = FromText<v1::RunStep>(R"pb(
    id: "step_1"
    object: "thread.run.step"
    created_at: 30
    assistant_id: "asst_1"
    thread_id: "thread_1"
    run_id: "run_1"
    type: RUN_STEP_TYPE_MESSAGE_CREATION
    status: RUN_STEP_STATUS_COMPLETED
    step_details { message_creation { message_id: "msg_1" } }
    completed_at: 31
    usage { completion_tokens: 1 prompt_tokens: 2 total_tokens: 3 })pb");
  EXPECT_EQ(ToJson(step), J(R"({
    "id": "step_1", "object": "thread.run.step", "created_at": 30,
    "assistant_id": "asst_1", "thread_id": "thread_1", "run_id": "run_1",
    "type": "message_creation", "status": "completed",
    "step_details": {"type": "message_creation",
                     "message_creation": {"message_id": "msg_1"}},
    "last_error": null, "expired_at": null, "cancelled_at": null,
    "failed_at": null, "completed_at": 31, "metadata": null,
    "usage": {"completion_tokens": 1, "prompt_tokens": 2, "total_tokens": 3},
    "expires_at": null})"));
}

TEST(JsonMappingObjectsTest, RunStepToolCallsOfAllThreeTypesDropExtensions) {
  auto step = FromText<v1::RunStep>(R"pb(
    type: RUN_STEP_TYPE_TOOL_CALLS
    status: RUN_STEP_STATUS_IN_PROGRESS
    step_details {
      tool_calls {
        tool_calls {
          id: "call_1"
          code_interpreter {
            input: "print(1)"
            outputs { logs: "1\n" }
            outputs { image { file_id: "file-img" } }
            files { path: "/mnt/data/x.csv" file_id: "file-x" }
          }
        }
        tool_calls {
          id: "call_2"
          file_search {
            ranking_options { ranker: "default_2024_08_21" score_threshold: 0 }
            results {
              file_id: "file-1"
              file_name: "a.pdf"
              score: 0.75
              content { text: "chunk text" }
              page_number: 2
              page_breaks { offset: 5 page_number: 3 }
            }
            results { file_id: "file-2" file_name: "b.pdf" score: 0.5 }
          }
        }
        tool_calls {
          id: "call_3"
          file_search {}
        }
        tool_calls {
          id: "call_4"
          function { name: "f" arguments: "{}" }
        }
        tool_calls {
          id: "call_5"
          function { name: "f" arguments: "{}" output: "42" }
        }
      }
    })pb");
  const nlohmann::json json = ToJson(step);
  EXPECT_EQ(json["step_details"], J(R"json({"type": "tool_calls", "tool_calls": [
    {"id": "call_1", "type": "code_interpreter", "code_interpreter": {
      "input": "print(1)", "outputs": [{"type": "logs", "logs": "1\n"},
        {"type": "image", "image": {"file_id": "file-img"}}]}},
    {"id": "call_2", "type": "file_search", "file_search": {
      "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0},
      "results": [
        {"file_id": "file-1", "file_name": "a.pdf", "score": 0.75,
         "content": [{"type": "text", "text": "chunk text"}]},
        {"file_id": "file-2", "file_name": "b.pdf", "score": 0.5}]}},
    {"id": "call_3", "type": "file_search", "file_search": {}},
    {"id": "call_4", "type": "function", "function": {"name": "f",
      "arguments": "{}", "output": null}},
    {"id": "call_5", "type": "function", "function": {"name": "f",
      "arguments": "{}", "output": "42"}}]})json"));
  EXPECT_TRUE(json["usage"].is_null());
  EXPECT_EQ(json["type"], "tool_calls");
}

TEST(JsonMappingObjectsTest, VectorStoreWithAndWithoutExpiry) {
  auto store = FromText<v1::VectorStore>(R"pb(
    id: "vs_1"
    object: "vector_store"
    created_at: 40
    name: "docs"
    usage_bytes: 1234
    file_counts { in_progress: 1 completed: 2 failed: 0 cancelled: 0 total: 3 }
    status: VECTOR_STORE_STATUS_IN_PROGRESS
    expires_after { anchor: EXPIRES_AFTER_ANCHOR_LAST_ACTIVE_AT days: 7 }
    expires_at: 640000
    last_active_at: 40
    metadata { entries { key: "k" value: "v" } })pb");
  EXPECT_EQ(ToJson(store), J(R"({
    "id": "vs_1", "object": "vector_store", "created_at": 40, "name": "docs",
    "usage_bytes": 1234, "file_counts": {"in_progress": 1, "completed": 2,
      "failed": 0, "cancelled": 0, "total": 3},
    "status": "in_progress",
    "expires_after": {"anchor": "last_active_at", "days": 7},
    "expires_at": 640000, "last_active_at": 40, "metadata": {"k": "v"}})"));
  auto plain = FromText<v1::VectorStore>(R"pb(
    id: "vs_2"
    object: "vector_store"
    status: VECTOR_STORE_STATUS_COMPLETED)pb");
  EXPECT_EQ(ToJson(plain), J(R"({
    "id": "vs_2", "object": "vector_store", "created_at": 0, "name": "",
    "usage_bytes": 0, "file_counts": {"in_progress": 0, "completed": 0,
      "failed": 0, "cancelled": 0, "total": 0},
    "status": "completed", "expires_at": null, "last_active_at": null,
    "metadata": null})"));
}

TEST(JsonMappingObjectsTest, VectorStoreFileCompletedAndFailed) {
  auto file = FromText<v1::VectorStoreFile>(R"pb(
    id: "file-1"
    object: "vector_store.file"
    usage_bytes: 99
    created_at: 50
    vector_store_id: "vs_1"
    status: VECTOR_STORE_FILE_STATUS_COMPLETED
    chunking_strategy { static { max_chunk_size_tokens: 800 chunk_overlap_tokens: 400 } }
    attributes {
      entries {
        key: "author"
        value { string_value: "Ann" }
      }
      entries {
        key: "year"
        value { number_value: 2024 }
      }
      entries {
        key: "draft"
        value { bool_value: false }
      }
    })pb");
  EXPECT_EQ(ToJson(file), J(R"({
    "id": "file-1", "object": "vector_store.file", "usage_bytes": 99,
    "created_at": 50, "vector_store_id": "vs_1", "status": "completed",
    "last_error": null,
    "chunking_strategy": {"type": "static", "static":
      {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}},
    "attributes": {"author": "Ann", "year": 2024, "draft": false}})"));
  auto failed = FromText<v1::VectorStoreFile>(R"pb(
    id: "file-2"
    object: "vector_store.file"
    status: VECTOR_STORE_FILE_STATUS_FAILED
    last_error { code: LAST_ERROR_CODE_INVALID_FILE message: "Unreadable." }
    chunking_strategy { other {} })pb");
  const nlohmann::json json = ToJson(failed);
  EXPECT_EQ(json["status"], "failed");
  EXPECT_EQ(json["last_error"], J(R"({"code": "invalid_file", "message": "Unreadable."})"));
  EXPECT_EQ(json["chunking_strategy"], J(R"({"type": "other"})"));
  EXPECT_TRUE(json["attributes"].is_null());
}

TEST(JsonMappingObjectsTest, FileBatch) {
  auto batch = FromText<v1::VectorStoreFileBatch>(R"pb(
    id: "vsfb_1"
    object: "vector_store.files_batch"
    created_at: 60
    vector_store_id: "vs_1"
    status: FILE_BATCH_STATUS_CANCELLED
    file_counts { completed: 1 cancelled: 2 total: 3 })pb");
  EXPECT_EQ(ToJson(batch), J(R"({
    "id": "vsfb_1", "object": "vector_store.files_batch", "created_at": 60,
    "vector_store_id": "vs_1", "status": "cancelled",
    "file_counts": {"in_progress": 0, "completed": 1, "failed": 0,
                    "cancelled": 2, "total": 3}})"));
}

TEST(JsonMappingObjectsTest, SearchResultsPageDropsPageExtensions) {
  auto page = FromText<v1::SearchVectorStoreResponse>(R"pb(
    object: "vector_store.search_results.page"
    search_query: "what is x"
    data {
      file_id: "file-1"
      filename: "a.pdf"
      score: 0.5
      content { text: "x is y" }
      page_number: 4
      page_breaks { offset: 3 page_number: 5 }
    }
    data {
      file_id: "file-2"
      filename: "b.md"
      score: 0.25
      attributes {
        entries {
          key: "lang"
          value { string_value: "en" }
        }
      }
      content { text: "z" }
    })pb");
  EXPECT_EQ(ToJson(page), J(R"({
    "object": "vector_store.search_results.page", "search_query": ["what is x"],
    "data": [
      {"file_id": "file-1", "filename": "a.pdf", "score": 0.5,
       "attributes": null, "content": [{"type": "text", "text": "x is y"}]},
      {"file_id": "file-2", "filename": "b.md", "score": 0.25,
       "attributes": {"lang": "en"}, "content": [{"type": "text", "text": "z"}]}],
    "has_more": false, "next_page": null})"));
}

TEST(JsonMappingObjectsTest, FileContentPage) {
  auto page = FromText<v1::VectorStoreFileContentPage>(R"pb(
    object: "vector_store.file_content.page"
    data { text: "page one" }
    has_more: true
    next_page: "cursor-2")pb");
  EXPECT_EQ(ToJson(page), J(R"({"object": "vector_store.file_content.page",
    "data": [{"type": "text", "text": "page one"}], "has_more": true,
    "next_page": "cursor-2"})"));
}

TEST(JsonMappingObjectsTest, DeleteResponses) {
  EXPECT_EQ(ToJson(FromText<v1::DeleteResponse>(R"pb(id: "asst_1"
                                                     object: "assistant.deleted"
                                                     deleted: true)pb")),
            J(R"({"id": "asst_1", "object": "assistant.deleted", "deleted": true})"));
  EXPECT_EQ(
      ToJson(FromText<v1::DeleteResponse>(R"pb(id: "file-1" object: "file" deleted: true)pb")),
      J(R"({"id": "file-1", "object": "file", "deleted": true})"));
}

TEST(JsonMappingObjectsTest, ListEnvelopes) {
  auto list = FromText<v1::ListAssistantsResponse>(R"pb(
    data { id: "asst_1" object: "assistant" model: "m" }
    data { id: "asst_2" object: "assistant" model: "m" }
    first_id: "asst_1"
    last_id: "asst_2"
    has_more: true)pb");
  const nlohmann::json json = ToJson(list);
  EXPECT_EQ(json["object"], "list");
  ASSERT_EQ(json["data"].size(), 2u);
  EXPECT_EQ(json["data"][1], ToJson(list.data(1)));
  EXPECT_EQ(json["first_id"], "asst_1");
  EXPECT_EQ(json["last_id"], "asst_2");
  EXPECT_EQ(json["has_more"], true);
  EXPECT_EQ(json.size(), 5u);

  EXPECT_EQ(ToJson(v1::ListVectorStoreFilesResponse()),
            J(R"({"object": "list", "data": [], "first_id": null,
                  "last_id": null, "has_more": false})"));
  EXPECT_EQ(ToJson(v1::ListFilesResponse())["object"], "list");
  EXPECT_EQ(ToJson(v1::ListRunStepsResponse())["object"], "list");
}

TEST(JsonMappingObjectsTest, SpecialCaseTableNamesExistingFields) {
  v1::RunEvent link_runs;  // the generated pool only holds linked files
  v1::VectorStore link_vector_stores;
  EXPECT_THAT(json_internal::UnresolvedTableEntries(), ::testing::IsEmpty());
}

// Keys that must never reach a client: proto-only names.
void ExpectNoProtoOnlyKeys(const nlohmann::json& json, const std::string& where) {
  if (json.is_array()) {
    for (const nlohmann::json& item : json) ExpectNoProtoOnlyKeys(item, where);
  }
  if (!json.is_object()) return;
  for (const auto& [key, value] : json.items()) {
    EXPECT_FALSE(absl::EndsWith(key, "_json")) << where << ": " << key;
    EXPECT_NE(key, "clear_fields") << where;
    ExpectNoProtoOnlyKeys(value, where);
  }
}

// Every message of the API: ToJson of the empty message does not fail and
// (responses) writes no proto-only key; FromJson of an empty request body
// fills nothing.
TEST(JsonMappingObjectsTest, EveryMessageMapsWhenEmpty) {
  v1::RunEvent link_runs;
  v1::VectorStore link_vector_stores;
  v1::File link_files;
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  int checked = 0;
  for (const char* file :
       {"assistd/v1/common.proto", "assistd/v1/files.proto", "assistd/v1/vector_stores.proto",
        "assistd/v1/assistants.proto", "assistd/v1/threads.proto", "assistd/v1/runs.proto"}) {
    const google::protobuf::FileDescriptor* fd = pool->FindFileByName(file);
    ASSERT_NE(fd, nullptr) << file;
    for (int i = 0; i < fd->message_type_count(); ++i) {
      const google::protobuf::Descriptor* d = fd->message_type(i);
      std::unique_ptr<google::protobuf::Message> m(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->New());
      const nlohmann::json json = ToJson(*m);
      if (!absl::EndsWith(d->name(), "Request")) {
        ExpectNoProtoOnlyKeys(json, d->full_name());
        ++checked;
        continue;
      }
      if (d->name() == "UploadRequest") continue;  // multipart, never JSON
      EXPECT_TRUE(FromJson(nlohmann::json::object(), m.get()).ok()) << d->full_name();
      // CreateMessageRequest: the body is `message`, so `{}` sets it empty.
      if (d->name() != "CreateMessageRequest") {
        EXPECT_EQ(m->ByteSizeLong(), 0u) << d->full_name();
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace assistd::gateway
