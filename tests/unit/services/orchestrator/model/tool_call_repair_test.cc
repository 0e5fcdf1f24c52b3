// Tests tool_call_repair.cc, text_tool_call_filter.cc and
// json_schema_validator.cc (the pure parts of tool-call robustness).
#include "services/orchestrator/model/tool_call_repair.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/orchestrator/model/json_schema_validator.h"
#include "services/orchestrator/model/text_tool_call_filter.h"
#include "tests/util/status_matchers.h"

namespace assistd::model {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::IsOkAndHolds;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;

TEST(RepairToolArgumentsTest, KeepsValidObjectsAndCompactsThem) {
  EXPECT_THAT(RepairToolArguments(R"({ "city" : "Paris" })"),
              IsOkAndHolds(R"({"city":"Paris"})"));
  EXPECT_THAT(RepairToolArguments("  "), IsOkAndHolds("{}"));
}

TEST(RepairToolArgumentsTest, RepairsFencesTrailingCommasAndDoubleEncoding) {
  EXPECT_THAT(RepairToolArguments("```json\n{\"city\": \"Paris\"}\n```"),
              IsOkAndHolds(R"({"city":"Paris"})"));
  EXPECT_THAT(RepairToolArguments(R"({"a": [1, 2,], "b": "x,}",})"),
              IsOkAndHolds(R"({"a":[1,2],"b":"x,}"})"));
  EXPECT_THAT(RepairToolArguments(R"("{\"city\": \"Paris\"}")"),
              IsOkAndHolds(R"({"city":"Paris"})"));
}

TEST(RepairToolArgumentsTest, RefusesToGuess) {
  EXPECT_THAT(RepairToolArguments(R"({"city": "Paris")"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid JSON")));
  EXPECT_THAT(RepairToolArguments("{city: 'Paris'}"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      RepairToolArguments("[1, 2]"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("JSON object")));
}

TEST(ExtractTextToolCallsTest, ReadsHermesBlocks) {
  auto found = ExtractTextToolCalls(
      "<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": "
      "1}}\n</tool_call>\n"
      "<tool_call>{\"name\": \"b\", \"arguments\": "
      "\"{\\\"y\\\":2}\"}</tool_call>",
      false);
  ASSERT_OK(found.status());
  ASSERT_TRUE(found->has_value());
  const TextToolCalls& calls = **found;
  ASSERT_EQ(calls.calls.size(), 2u);
  EXPECT_EQ(calls.calls[0].name, "a");
  EXPECT_EQ(calls.calls[0].arguments, R"({"x":1})");
  EXPECT_EQ(calls.calls[1].name, "b");
  EXPECT_EQ(calls.calls[1].arguments, R"({"y":2})");
  EXPECT_EQ(calls.text, "\n");
}

TEST(ExtractTextToolCallsTest, ReadsMistralListsAndTheArgsForm) {
  auto list = ExtractTextToolCalls(
      R"([TOOL_CALLS] [{"name": "a", "arguments": {"x": 1}}, {"name": "b", "arguments": {}}])",
      false);
  ASSERT_OK(list.status());
  ASSERT_TRUE(list->has_value());
  EXPECT_EQ((*list)->calls.size(), 2u);
  auto args = ExtractTextToolCalls(
      R"([TOOL_CALLS]get_weather[ARGS]{"city": "Oslo"})", false);
  ASSERT_OK(args.status());
  ASSERT_TRUE(args->has_value());
  EXPECT_EQ((*args)->calls[0].name, "get_weather");
  EXPECT_EQ((*args)->calls[0].arguments, R"({"city":"Oslo"})");
}

TEST(ExtractTextToolCallsTest, ReadsABareJsonCallOnlyWhenAllowed) {
  const std::string text =
      "```json\n{\"name\": \"get_weather\", \"parameters\": {\"city\": "
      "\"Rome\"}}\n```";
  auto found = ExtractTextToolCalls(text, true);
  ASSERT_OK(found.status());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->calls[0].arguments, R"({"city":"Rome"})");
  EXPECT_FALSE(ExtractTextToolCalls(text, false)->has_value());
}

TEST(ExtractTextToolCallsTest, LeavesOrdinaryTextAndJsonAlone) {
  EXPECT_FALSE(ExtractTextToolCalls("The weather is fine.", true)->has_value());
  EXPECT_FALSE(
      ExtractTextToolCalls(R"({"name": "Bob", "age": 3})", true)->has_value());
}

TEST(ExtractTextToolCallsTest, ReportsUnreadableMarkup) {
  EXPECT_THAT(
      ExtractTextToolCalls("<tool_call>{\"name\": \"a\", </tool_call>", false),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("<tool_call>")));
}

std::string FeedAll(TextToolCallFilter& filter, absl::string_view text,
                    size_t piece) {
  std::string shown;
  for (size_t pos = 0; pos < text.size(); pos += piece) {
    shown += filter.Feed(text.substr(pos, piece));
  }
  return shown;
}

TEST(TextToolCallFilterTest, StreamsPlainTextPromptly) {
  TextToolCallFilter filter(true);
  EXPECT_EQ(filter.Feed("Hello"), "Hello");
  EXPECT_EQ(filter.Feed(" world <"), " world ");  // "<" may start a marker
  EXPECT_EQ(filter.Feed("b>"), "<b>");
  EXPECT_EQ(filter.held(), "");
}

TEST(TextToolCallFilterTest, HoldsBackFromAMarkerOnWhateverTheSplit) {
  const std::string text =
      "Let me check.<tool_call>{\"name\":\"a\"}</tool_call>";
  for (size_t piece = 1; piece <= text.size(); ++piece) {
    TextToolCallFilter filter(true);
    EXPECT_EQ(FeedAll(filter, text, piece), "Let me check.") << piece;
    EXPECT_EQ(filter.held(), "<tool_call>{\"name\":\"a\"}</tool_call>");
  }
}

TEST(TextToolCallFilterTest, HoldsAnswersThatMayBeBareJsonCalls) {
  TextToolCallFilter json(true);
  EXPECT_EQ(FeedAll(json, "```json\n{\"name\":\"a\",\"arguments\":{}}\n```", 2),
            "");
  TextToolCallFilter code(true);
  EXPECT_EQ(FeedAll(code, "```python\nprint(1)\n```", 2),
            "```python\nprint(1)\n```");
  TextToolCallFilter off(false);
  EXPECT_EQ(FeedAll(off, "{\"a\": 1}", 3), "{\"a\": 1}");
}

TEST(JsonSchemaValidatorTest, AcceptsMatchingArguments) {
  const char* schema = R"({"type":"object","properties":{
      "city":{"type":"string"},"days":{"type":"integer"},
      "unit":{"enum":["c","f"]},
      "tags":{"type":"array","items":{"type":"string"}}},
      "required":["city"],"additionalProperties":false})";
  EXPECT_THAT(
      ValidateJsonAgainstSchema(
          R"({"city":"Paris","days":2.0,"unit":"c","tags":["a"]})", schema),
      IsOk());
  EXPECT_THAT(ValidateJsonAgainstSchema("{}", ""), IsOk());
}

TEST(JsonSchemaValidatorTest, NamesThePathOfEachProblem) {
  const char* schema = R"({"type":"object","properties":{
      "city":{"type":"string"},
      "stops":{"type":"array","items":{"type":"object",
          "properties":{"name":{"type":"string"}},"required":["name"]}},
      "unit":{"enum":["c","f"]}},
      "required":["city"],"additionalProperties":false})";
  const absl::Status status = ValidateJsonAgainstSchema(
      R"({"stops":[{"name":"a"},{"name":3},{}],"unit":"k","extra":1})", schema);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(status.message(),
              HasSubstr("$: missing required property \"city\""));
  EXPECT_THAT(status.message(),
              HasSubstr("$.stops[1].name: expected string, got integer"));
  EXPECT_THAT(status.message(),
              HasSubstr("$.stops[2]: missing required property \"name\""));
  EXPECT_THAT(status.message(),
              HasSubstr("$.unit: \"k\" is not one of [\"c\",\"f\"]"));
  EXPECT_THAT(status.message(), HasSubstr("$: unexpected property \"extra\""));
}

TEST(JsonSchemaValidatorTest, RejectsNonJson) {
  EXPECT_THAT(ValidateJsonAgainstSchema("{", "{}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid JSON")));
}

}  // namespace
}  // namespace assistd::model
