// FromJson of request bodies and queries, and its error messages.

#include <string>

#include "absl/status/status.h"
#include "assistd/v1/assistants.pb.h"
#include "assistd/v1/runs.pb.h"
#include "assistd/v1/threads.pb.h"
#include "assistd/v1/vector_stores.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/gateway/json_errors.h"
#include "services/gateway/json_mapping.h"
#include "tests/unit/services/gateway/json_test_util.h"
#include "tests/util/status_matchers.h"

namespace assistd::gateway {
namespace {

using ::assistd::gateway::testing::FromText;
using ::assistd::gateway::testing::J;
using ::assistd::testing::IsOk;
using ::assistd::testing::StatusIs;
using ::google::protobuf::util::MessageDifferencer;

// Parses `body` into a T and expects it to equal `expected_text`.
template <typename T>
void ExpectParses(const std::string& body, const std::string& expected_text) {
  T parsed;
  ASSERT_THAT(FromJson(J(body), &parsed), IsOk()) << body;
  const T expected = FromText<T>(expected_text);
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, expected)) << "got:\n"
                                                            << parsed.DebugString() << "want:\n"
                                                            << expected.DebugString();
}

// FromJson's error for `body` parsed into a T: message and param.
template <typename T>
std::pair<std::string, std::string> ErrorOf(const std::string& body,
                                            const std::string& prefix = "") {
  T parsed;
  const absl::Status status = FromJson(J(body), &parsed, prefix);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument)) << body;
  return {std::string(status.message()), JsonErrorParam(status).value_or("<none>")};
}

using Error = std::pair<std::string, std::string>;

TEST(JsonMappingRequestsTest, CreateAssistantWithToolsResourcesAndMetadata) {
  ExpectParses<v1::CreateAssistantRequest>(
      R"({
    "model": "gpt-4o", "name": "Helper", "instructions": null,
    "tools": [{"type": "code_interpreter"},
              {"type": "file_search", "file_search": {"max_num_results": 8,
                "ranking_options": {"ranker": "auto", "score_threshold": 0.2}}},
              {"type": "file_search"},
              {"type": "function", "function": {"name": "get_weather",
                "description": "Weather", "strict": true,
                "parameters": {"type": "object", "properties": {}}}}],
    "tool_resources": {"code_interpreter": {"file_ids": ["file-1"]},
      "file_search": {"vector_stores": [{"file_ids": ["file-2"],
        "chunking_strategy": {"type": "static", "static":
          {"max_chunk_size_tokens": 400, "chunk_overlap_tokens": 100}},
        "metadata": {"a": "b"}}]}},
    "metadata": {"team": "docs"}, "temperature": 0.3, "top_p": 1,
    "reasoning_effort": "low"})",
      R"pb(
        model: "gpt-4o"
        name: "Helper"
        tools { code_interpreter {} }
        tools {
          file_search {
            max_num_results: 8
            ranking_options { ranker: "auto" score_threshold: 0.2 }
          }
        }
        tools { file_search {} }
        tools {
          function {
            name: "get_weather"
            description: "Weather"
            strict: true
            parameters_json: '{"properties":{},"type":"object"}'
          }
        }
        tool_resources {
          code_interpreter { file_ids: "file-1" }
          file_search {
            vector_stores {
              file_ids: "file-2"
              chunking_strategy { static { max_chunk_size_tokens: 400 chunk_overlap_tokens: 100 } }
              metadata { entries { key: "a" value: "b" } }
            }
          }
        }
        metadata { entries { key: "team" value: "docs" } }
        temperature: 0.3
        top_p: 1
        reasoning_effort: "low")pb");
}

TEST(JsonMappingRequestsTest, ResponseFormatVariants) {
  ExpectParses<v1::CreateAssistantRequest>(R"({"response_format": "auto"})",
                                           "response_format { auto {} }");
  ExpectParses<v1::CreateAssistantRequest>(R"({"response_format": {"type": "text"}})",
                                           "response_format { text {} }");
  ExpectParses<v1::CreateAssistantRequest>(R"({"response_format": {"type": "json_object"}})",
                                           "response_format { json_object {} }");
  ExpectParses<v1::CreateAssistantRequest>(
      R"({"response_format": {"type": "json_schema", "json_schema": {"name": "s",
          "schema": {"type": "object"}, "strict": null}}})",
      R"pb(response_format { json_schema { name: "s" schema_json: '{"type":"object"}' } })pb");
  EXPECT_EQ(ErrorOf<v1::CreateAssistantRequest>(R"({"response_format": "xml"})"),
            Error("Invalid value: 'xml'. Supported values are: 'auto'.", "response_format"));
  EXPECT_EQ(ErrorOf<v1::CreateAssistantRequest>(R"({"response_format": {"type": "xml"}})"),
            Error("Invalid type for 'response_format.type': expected one of 'auto', "
                  "'text', 'json_object' or 'json_schema'.",
                  "response_format.type"));
}

TEST(JsonMappingRequestsTest, ToolChoiceVariants) {
  ExpectParses<v1::CreateRunRequest>(R"({"tool_choice": "none"})",
                                     "tool_choice { mode: TOOL_CHOICE_MODE_NONE }");
  ExpectParses<v1::CreateRunRequest>(R"({"tool_choice": "auto"})",
                                     "tool_choice { mode: TOOL_CHOICE_MODE_AUTO }");
  ExpectParses<v1::CreateRunRequest>(R"({"tool_choice": "required"})",
                                     "tool_choice { mode: TOOL_CHOICE_MODE_REQUIRED }");
  ExpectParses<v1::CreateRunRequest>(
      R"({"tool_choice": {"type": "function", "function": {"name": "f"}}})",
      R"pb(tool_choice { tool { function { name: "f" } } })pb");
  ExpectParses<v1::CreateRunRequest>(R"({"tool_choice": {"type": "file_search"}})",
                                     "tool_choice { tool { file_search {} } }");
  EXPECT_EQ(ErrorOf<v1::CreateRunRequest>(R"({"tool_choice": "sometimes"})"),
            Error("Invalid value: 'sometimes'. Supported values are: 'none', 'auto', "
                  "and 'required'.",
                  "tool_choice"));
  EXPECT_EQ(
      ErrorOf<v1::CreateRunRequest>(R"({"tool_choice": 1})"),
      Error("Invalid type for 'tool_choice': expected a string or an object.", "tool_choice"));
}

TEST(JsonMappingRequestsTest, CreateMessageContentStringOrParts) {
  ExpectParses<v1::CreateMessageRequest>(R"({"role": "user", "content": "hi"})",
                                         R"pb(message { role: MESSAGE_ROLE_USER text: "hi" })pb");
  ExpectParses<v1::CreateMessageRequest>(
      R"({"role": "user", "content": [
      {"type": "text", "text": "look"},
      {"type": "image_file", "image_file": {"file_id": "file-1", "detail": "low"}},
      {"type": "image_url", "image_url": {"url": "https://x/a.png"}}],
    "attachments": [{"file_id": "file-2", "tools": [{"type": "file_search"},
                                                    {"type": "code_interpreter"}]}],
    "metadata": {"k": "v"}})",
      R"pb(
        message {
          role: MESSAGE_ROLE_USER
          parts {
            parts { text: "look" }
            parts { image_file { file_id: "file-1" detail: IMAGE_DETAIL_LOW } }
            parts { image_url { url: "https://x/a.png" } }
          }
          attachments {
            file_id: "file-2"
            tools { file_search {} }
            tools { code_interpreter {} }
          }
          metadata { entries { key: "k" value: "v" } }
        })pb");
  EXPECT_EQ(ErrorOf<v1::CreateMessageRequest>(R"({"role": "user", "content": 5})"),
            Error("Invalid type for 'content': expected a string or an array.", "content"));
  EXPECT_EQ(
      ErrorOf<v1::CreateMessageRequest>(R"({"role": "system", "content": "x"})"),
      Error("Invalid value: 'system'. Supported values are: 'user' and 'assistant'.", "role"));
  EXPECT_EQ(
      ErrorOf<v1::CreateMessageRequest>(R"({"role": "user", "content": [{"type": "video"}]})"),
      Error("Invalid type for 'content[0].type': expected one of 'text', "
            "'image_file' or 'image_url'.",
            "content[0].type"));
}

TEST(JsonMappingRequestsTest, CreateRunWithAdditionalMessagesIncludeAndStream) {
  v1::CreateRunRequest run;
  ASSERT_THAT(FromJson(J(R"({"assistant_id": "asst_1", "stream": true,
      "additional_instructions": "Be brief.", "tools": [],
      "additional_messages": [{"role": "user", "content": "q1"},
                              {"role": "assistant", "content": [{"type": "text", "text": "a1"}]}],
      "truncation_strategy": {"type": "last_messages", "last_messages": 4},
      "max_prompt_tokens": 2000, "parallel_tool_calls": false, "model": null})"),
                       &run),
              IsOk());
  ASSERT_THAT(FromJson(J(R"({"include[]":
      ["step_details.tool_calls[*].file_search.results[*].content"]})"),
                       &run),
              IsOk());
  ExpectParses<v1::CreateRunRequest>(R"({"include[]": "x"})", R"pb(include: "x")pb");
  const auto expected = FromText<v1::CreateRunRequest>(R"pb(
    assistant_id: "asst_1"
    additional_instructions: "Be brief."
    tools {}
    additional_messages { role: MESSAGE_ROLE_USER text: "q1" }
    additional_messages {
      role: MESSAGE_ROLE_ASSISTANT
      parts { parts { text: "a1" } }
    }
    truncation_strategy { type: TRUNCATION_TYPE_LAST_MESSAGES last_messages: 4 }
    max_prompt_tokens: 2000
    parallel_tool_calls: false
    include: "step_details.tool_calls[*].file_search.results[*].content")pb");
  EXPECT_TRUE(MessageDifferencer::Equals(run, expected)) << run.DebugString();
  EXPECT_TRUE(run.has_tools());  // "tools": [] replaces the assistant's tools
  EXPECT_FALSE(run.has_model());
  EXPECT_EQ(ErrorOf<v1::CreateRunRequest>(R"({"stream": "yes"})"),
            Error("Invalid type for 'stream': expected a boolean.", "stream"));
}

TEST(JsonMappingRequestsTest, CreateThreadAndRunNamesNestedPaths) {
  ExpectParses<v1::CreateThreadAndRunRequest>(
      R"({"assistant_id": "asst_1", "thread": {"messages": [{"role": "user",
          "content": "hi"}], "metadata": {"k": "v"}},
          "tool_resources": {"file_search": {"vector_store_ids": ["vs_1"]}}})",
      R"pb(assistant_id: "asst_1"
           thread {
             messages { role: MESSAGE_ROLE_USER text: "hi" }
             metadata { entries { key: "k" value: "v" } }
           }
           tool_resources { file_search { vector_store_ids: "vs_1" } })pb");
  EXPECT_EQ(
      ErrorOf<v1::CreateThreadAndRunRequest>(R"({"thread": {"messages": [{"role": "bot"}]}})"),
      Error("Invalid value: 'bot'. Supported values are: 'user' and 'assistant'.",
            "thread.messages[0].role"));
  EXPECT_EQ(
      ErrorOf<v1::CreateThreadAndRunRequest>(R"({"additional_messages": []})"),
      Error("Unrecognized request argument supplied: additional_messages", "additional_messages"));
}

TEST(JsonMappingRequestsTest, EmptyBodyAndPrefix) {
  v1::CreateThreadRequest thread;
  EXPECT_THAT(FromJson(nullptr, &thread), IsOk());
  EXPECT_THAT(FromJson(J("{}"), &thread), IsOk());
  EXPECT_EQ(ErrorOf<v1::CreateThreadRequest>(R"({"messages": [{"content": 1}]})", "thread"),
            Error("Invalid type for 'thread.messages[0].content': expected a string or "
                  "an array.",
                  "thread.messages[0].content"));
  EXPECT_EQ(ErrorOf<v1::CreateThreadRequest>("[1]"),
            Error("Invalid type for 'body': expected an object.", "body"));
}

TEST(JsonMappingRequestsTest, SubmitToolOutputs) {
  ExpectParses<v1::SubmitToolOutputsRequest>(
      R"({"tool_outputs": [{"tool_call_id": "call_1", "output": "{\"t\":20}"},
                           {"tool_call_id": "call_2"}], "stream": null})",
      R"pb(tool_outputs { tool_call_id: "call_1" output: '{"t":20}' }
           tool_outputs { tool_call_id: "call_2" })pb");
  EXPECT_EQ(ErrorOf<v1::SubmitToolOutputsRequest>(R"({"tool_outputs": {"x": 1}})"),
            Error("Invalid type for 'tool_outputs': expected an array.", "tool_outputs"));
  EXPECT_EQ(ErrorOf<v1::SubmitToolOutputsRequest>(R"({"run_id": "run_1"})"),
            Error("Unrecognized request argument supplied: run_id", "run_id"));
}

TEST(JsonMappingRequestsTest, SearchWithStringOrArrayQueryAndNestedFilters) {
  ExpectParses<v1::SearchVectorStoreRequest>(R"({"query": "what is x"})",
                                             R"pb(text: "what is x")pb");
  ExpectParses<v1::SearchVectorStoreRequest>(
      R"({"query": ["a", "b"],
      "max_num_results": 5, "rewrite_query": true,
      "ranking_options": {"ranker": "none", "score_threshold": 0.5},
      "filters": {"type": "and", "filters": [
        {"type": "eq", "key": "author", "value": "Ann"},
        {"type": "or", "filters": [
          {"type": "gte", "key": "year", "value": 2020},
          {"type": "ne", "key": "draft", "value": true},
          {"type": "in", "key": "lang", "value": ["en", 1, false]}]}]}})",
      R"pb(
        texts { values: "a" values: "b" }
        max_num_results: 5
        rewrite_query: true
        ranking_options { ranker: "none" score_threshold: 0.5 }
        filters {
          compound {
            type: COMPOUND_FILTER_TYPE_AND
            filters {
              comparison { type: COMPARISON_FILTER_TYPE_EQ key: "author" string_value: "Ann" }
            }
            filters {
              compound {
                type: COMPOUND_FILTER_TYPE_OR
                filters {
                  comparison { type: COMPARISON_FILTER_TYPE_GTE key: "year" number_value: 2020 }
                }
                filters {
                  comparison { type: COMPARISON_FILTER_TYPE_NE key: "draft" bool_value: true }
                }
                filters {
                  comparison {
                    type: COMPARISON_FILTER_TYPE_IN
                    key: "lang"
                    array_value {
                      values { string_value: "en" }
                      values { number_value: 1 }
                      values { bool_value: false }
                    }
                  }
                }
              }
            }
          }
        })pb");
  EXPECT_EQ(ErrorOf<v1::SearchVectorStoreRequest>(R"({"query": 3})"),
            Error("Invalid type for 'query': expected a string or an array.", "query"));
  EXPECT_EQ(ErrorOf<v1::SearchVectorStoreRequest>(R"({"query": ["a", 3]})"),
            Error("Invalid type for 'query[1]': expected a string.", "query[1]"));
  EXPECT_EQ(ErrorOf<v1::SearchVectorStoreRequest>(
                R"({"filters": {"type": "and", "filters": [{"type": "like"}]}})"),
            Error("Invalid value: 'like'. Supported values are: 'eq', 'ne', 'gt', 'gte', "
                  "'lt', 'lte', 'in', 'nin', 'and', and 'or'.",
                  "filters.filters[0].type"));
  EXPECT_EQ(ErrorOf<v1::SearchVectorStoreRequest>(
                R"({"filters": {"type": "eq", "key": "k", "value": {"a": 1}}})"),
            Error("Invalid type for 'filters.value': expected a string, a number, a "
                  "boolean or an array.",
                  "filters.value"));
  EXPECT_EQ(ErrorOf<v1::SearchVectorStoreRequest>(R"({"filters": {"key": "k"}})"),
            Error("Missing required parameter: 'filters.type'.", "filters.type"));
}

TEST(JsonMappingRequestsTest, FlatQueryFillsNestedPageRequest) {
  ExpectParses<v1::ListAssistantsRequest>(
      R"({"limit": "20", "order": "asc", "after": "asst_1", "before": "asst_9"})",
      R"pb(page { limit: 20 order: ORDER_ASC after: "asst_1" before: "asst_9" })pb");
  ExpectParses<v1::ListVectorStoreFilesRequest>(
      R"({"limit": 5, "filter": "completed"})",
      "page { limit: 5 } filter: VECTOR_STORE_FILE_STATUS_COMPLETED");
  ExpectParses<v1::ListMessagesRequest>(R"({"run_id": "run_1", "order": "desc"})",
                                        R"pb(run_id: "run_1"
                                             page { order: ORDER_DESC })pb");
  ExpectParses<v1::ListRunStepsRequest>(R"({"include[]": ["x"], "limit": "2"})",
                                        R"pb(include: "x"
                                             page { limit: 2 })pb");
  EXPECT_EQ(ErrorOf<v1::ListRunsRequest>(R"({"order": "up"})"),
            Error("Invalid value: 'up'. Supported values are: 'desc' and 'asc'.", "order"));
  EXPECT_EQ(ErrorOf<v1::ListRunsRequest>(R"({"limit": "ten"})"),
            Error("Invalid type for 'limit': expected an integer.", "limit"));
  EXPECT_EQ(ErrorOf<v1::ListRunsRequest>(R"({"page": {"limit": 1}})"),
            Error("Unrecognized request argument supplied: page", "page"));
}

TEST(JsonMappingRequestsTest, NullInUpdateRequestsClearsNullableFields) {
  ExpectParses<v1::UpdateAssistantRequest>(
      R"({"model": "m2", "name": null, "metadata": null, "tools": [{"type": "code_interpreter"}]})",
      R"pb(model: "m2"
           tools { tools { code_interpreter {} } }
           clear_fields: "metadata"
           clear_fields: "name")pb");  // key order
  ExpectParses<v1::UpdateVectorStoreRequest>(R"({"expires_after": null, "name": "n"})",
                                             R"pb(name: "n" clear_fields: "expires_after")pb");
  ExpectParses<v1::UpdateVectorStoreFileRequest>(
      R"({"attributes": {"a": "b", "n": 1.5, "ok": true}})",
      R"pb(attributes {
             entries {
               key: "a"
               value { string_value: "b" }
             }
             entries {
               key: "n"
               value { number_value: 1.5 }
             }
             entries {
               key: "ok"
               value { bool_value: true }
             }
           })pb");
  EXPECT_EQ(ErrorOf<v1::UpdateAssistantRequest>(R"({"clear_fields": ["name"]})"),
            Error("Unrecognized request argument supplied: clear_fields", "clear_fields"));
}

TEST(JsonMappingRequestsTest, VectorStoreCreateFilesAndBatches) {
  ExpectParses<v1::CreateVectorStoreRequest>(
      R"({"name": "docs", "file_ids": ["file-1"], "chunking_strategy": {"type": "auto"},
          "expires_after": {"anchor": "last_active_at", "days": 7}})",
      R"pb(name: "docs"
           file_ids: "file-1"
           chunking_strategy { auto {} }
           expires_after { anchor: EXPIRES_AFTER_ANCHOR_LAST_ACTIVE_AT days: 7 })pb");
  ExpectParses<v1::CreateVectorStoreFileRequest>(
      R"({"file_id": "file-1", "attributes": {"year": 2024}})",
      R"pb(file_id: "file-1"
           attributes {
             entries {
               key: "year"
               value { number_value: 2024 }
             }
           })pb");
  ExpectParses<v1::CreateFileBatchRequest>(
      R"({"files": [{"file_id": "file-1", "attributes": {"a": "b"},
          "chunking_strategy": {"type": "static", "static": {"max_chunk_size_tokens": 100,
          "chunk_overlap_tokens": 0}}}]})",
      R"pb(files {
             file_id: "file-1"
             attributes {
               entries {
                 key: "a"
                 value { string_value: "b" }
               }
             }
             chunking_strategy { static { max_chunk_size_tokens: 100 chunk_overlap_tokens: 0 } }
           })pb");
  EXPECT_EQ(
      ErrorOf<v1::CreateVectorStoreFileRequest>(R"({"file_id": "f", "attributes": {"x": [1]}})"),
      Error("Invalid type for 'attributes.x': expected a string, a number or a "
            "boolean.",
            "attributes.x"));
  EXPECT_EQ(
      ErrorOf<v1::CreateVectorStoreRequest>(R"({"expires_after": {"anchor": "never", "days": 1}})"),
      Error("Invalid value: 'never'. Supported values are: 'created_at' and "
            "'last_active_at'.",
            "expires_after.anchor"));
  EXPECT_EQ(ErrorOf<v1::CreateVectorStoreFileRequest>(R"({"vector_store_id": "vs_1"})"),
            Error("Unrecognized request argument supplied: vector_store_id", "vector_store_id"));
}

TEST(JsonMappingRequestsTest, BadInputsUseOpenAIWording) {
  using R = v1::CreateAssistantRequest;
  EXPECT_EQ(ErrorOf<R>(R"({"model": "m", "foo": 1})"),
            Error("Unrecognized request argument supplied: foo", "foo"));
  EXPECT_EQ(ErrorOf<R>(R"({"tools": [{"type": "function", "function": {"name": "f",
                                       "bar": 1}}]})"),
            Error("Unrecognized request argument supplied: tools[0].function.bar",
                  "tools[0].function.bar"));
  EXPECT_EQ(
      ErrorOf<R>(R"({"tools": [{"type": "code_interpreter", "function": {}}]})"),
      Error("Unrecognized request argument supplied: tools[0].function", "tools[0].function"));
  EXPECT_EQ(ErrorOf<R>(R"({"temperature": "hot"})"),
            Error("Invalid type for 'temperature': expected a number.", "temperature"));
  EXPECT_EQ(ErrorOf<R>(R"({"model": 4})"),
            Error("Invalid type for 'model': expected a string.", "model"));
  EXPECT_EQ(ErrorOf<R>(R"({"tools": {}})"),
            Error("Invalid type for 'tools': expected an array.", "tools"));
  EXPECT_EQ(ErrorOf<R>(R"({"tools": ["code_interpreter"]})"),
            Error("Invalid type for 'tools[0]': expected an object.", "tools[0]"));
  EXPECT_EQ(ErrorOf<R>(R"({"tools": [{"type": "browser"}]})"),
            Error("Invalid type for 'tools[0].type': expected one of 'code_interpreter', "
                  "'file_search' or 'function'.",
                  "tools[0].type"));
  EXPECT_EQ(ErrorOf<R>(R"({"tools": [{"function": {"name": "f"}}]})"),
            Error("Missing required parameter: 'tools[0].type'.", "tools[0].type"));
  EXPECT_EQ(ErrorOf<R>(R"({"tools": [{"type": "function", "function": {"name": "f",
                                       "parameters": "{}"}}]})"),
            Error("Invalid type for 'tools[0].function.parameters': expected an object.",
                  "tools[0].function.parameters"));
  EXPECT_EQ(ErrorOf<R>(R"({"tools": [{"type": "file_search", "file_search":
                                       {"max_num_results": 2.5}}]})"),
            Error("Invalid type for 'tools[0].file_search.max_num_results': expected an "
                  "integer.",
                  "tools[0].file_search.max_num_results"));
  EXPECT_EQ(ErrorOf<R>(R"({"metadata": {"k": 1}})"),
            Error("Invalid type for 'metadata.k': expected a string.", "metadata.k"));
  EXPECT_EQ(ErrorOf<R>(R"({"metadata": ["k"]})"),
            Error("Invalid type for 'metadata': expected an object.", "metadata"));
  EXPECT_EQ(ErrorOf<R>(R"({"tool_resources": {"file_search": {"vector_store_ids": [1]}}})"),
            Error("Invalid type for 'tool_resources.file_search.vector_store_ids[0]': "
                  "expected a string.",
                  "tool_resources.file_search.vector_store_ids[0]"));
  EXPECT_EQ(
      ErrorOf<v1::CreateRunRequest>(R"({"max_prompt_tokens": 3000000000})"),
      Error("Invalid type for 'max_prompt_tokens': expected an integer.", "max_prompt_tokens"));
  EXPECT_EQ(
      ErrorOf<v1::CreateRunRequest>(R"({"parallel_tool_calls": 1})"),
      Error("Invalid type for 'parallel_tool_calls': expected a boolean.", "parallel_tool_calls"));
  EXPECT_EQ(ErrorOf<v1::CreateRunRequest>(R"({"thread_id": "thread_1"})"),
            Error("Unrecognized request argument supplied: thread_id", "thread_id"));
  EXPECT_EQ(ErrorOf<v1::CreateRunRequest>(R"({"truncation_strategy": {"type": "first_messages"}})"),
            Error("Invalid value: 'first_messages'. Supported values are: 'auto' and "
                  "'last_messages'.",
                  "truncation_strategy.type"));
}

TEST(JsonMappingRequestsTest, DeepNestingIsRejectedNotRecursed) {
  nlohmann::json filter = {{"type", "eq"}, {"key", "k"}, {"value", "v"}};
  for (int i = 0; i < 100000; ++i) {
    nlohmann::json outer = {{"type", "and"}, {"filters", nlohmann::json::array()}};
    outer["filters"].push_back(std::move(filter));
    filter = std::move(outer);
  }
  nlohmann::json body = {{"query", "q"}};
  body["filters"] = std::move(filter);  // moved: copying would recurse
  v1::SearchVectorStoreRequest search;
  const absl::Status status = FromJson(body, &search);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               "Request JSON nests deeper than 64 levels."));
  EXPECT_FALSE(JsonErrorParam(status).has_value());
}

TEST(JsonMappingRequestsTest, IntegralFloatsAreIntegers) {
  ExpectParses<v1::CreateRunRequest>(R"({"max_completion_tokens": 256.0})",
                                     "max_completion_tokens: 256");
}

}  // namespace
}  // namespace assistd::gateway
