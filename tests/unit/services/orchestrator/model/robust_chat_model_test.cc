#include "services/orchestrator/model/robust_chat_model.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/orchestrator/model/openai_chat_model.h"
#include "tests/fakes/scripted_chat_server.h"
#include "tests/util/status_matchers.h"

namespace assistd::model {
namespace {

using ::assistd::testing::ChatTurn;
using ::assistd::testing::ScriptedChatServer;
using ::assistd::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;
using Json = nlohmann::json;

constexpr char kWeatherSchema[] = R"({"type":"object",
    "properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]}},
    "required":["city"],"additionalProperties":false})";

class RecordingObserver final : public ChatStreamObserver {
 public:
  struct Delta {
    int index;
    std::string id, name, arguments;
  };
  bool OnText(absl::string_view fragment) override {
    text.append(fragment.data(), fragment.size());
    return true;
  }
  bool OnToolCallDelta(int index, absl::string_view id, absl::string_view name,
                       absl::string_view arguments) override {
    deltas.push_back(
        {index, std::string(id), std::string(name), std::string(arguments)});
    return true;
  }
  std::string text;
  std::vector<Delta> deltas;
};

class RobustChatModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, ScriptedChatServer::Start());
    OpenAIChatModelOptions options;
    options.base_url = server_->Url();
    options.retry.max_attempts = 1;
    ASSERT_OK_AND_ASSIGN(std::shared_ptr<ChatModel> inner,
                         OpenAICompatibleChatModel::Create(options));
    model_ = std::make_unique<RobustChatModel>(std::move(inner));
  }
  void TearDown() override { model_.reset(); }

  static ChatRequest Request() {
    ChatRequest request;
    request.model = "small-model";
    request.messages.push_back(
        {ChatMessage::Role::kUser, "Weather in Paris?", {}, ""});
    request.tools.push_back(
        {"get_weather", "Weather by city", kWeatherSchema, false});
    request.tools.push_back({"get_time", "", "", false});
    return request;
  }

  std::unique_ptr<ScriptedChatServer> server_;
  std::unique_ptr<RobustChatModel> model_;
};

TEST_F(RobustChatModelTest, DeliversRepairedCallsWholeOnceValid) {
  server_->EnqueueTurn(ChatTurn::ToolCalls(
      {{"get_weather", "```json\n{\"city\": \"Paris\",}\n```", "call_w"},
       {"get_time", "", "call_t"}}));
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result,
                       model_->Complete(Request(), &observer));
  ASSERT_THAT(result.tool_calls, SizeIs(2));
  EXPECT_EQ(result.tool_calls[0].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(result.tool_calls[1].arguments, "{}");
  ASSERT_THAT(observer.deltas, SizeIs(2));
  EXPECT_EQ(observer.deltas[0].id, "call_w");
  EXPECT_EQ(observer.deltas[0].name, "get_weather");
  EXPECT_EQ(observer.deltas[0].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(observer.deltas[1].index, 1);
  EXPECT_EQ(server_->RequestCount(), 1);
}

TEST_F(RobustChatModelTest, StreamsPlainTextThrough) {
  server_->EnqueueTurn(ChatTurn::Text("It is [mostly] sunny {today}.", 5));
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result,
                       model_->Complete(Request(), &observer));
  EXPECT_EQ(observer.text, "It is [mostly] sunny {today}.");
  EXPECT_EQ(result.text, observer.text);
  EXPECT_TRUE(result.tool_calls.empty());
  EXPECT_EQ(result.finish_reason, FinishReason::kStop);
}

TEST_F(RobustChatModelTest, RecognisesHermesCallsAndHidesTheMarkup) {
  server_->EnqueueTurn(ChatTurn::Text(
      "Let me check. <tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
      "{\"city\": \"Paris\"}}\n</tool_call>",
      9));
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result,
                       model_->Complete(Request(), &observer));
  EXPECT_EQ(observer.text, "Let me check. ");
  EXPECT_EQ(result.text, "Let me check. ");
  ASSERT_THAT(result.tool_calls, SizeIs(1));
  EXPECT_THAT(result.tool_calls[0].id, StartsWith("call_"));
  EXPECT_EQ(result.tool_calls[0].name, "get_weather");
  EXPECT_EQ(result.tool_calls[0].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(result.finish_reason, FinishReason::kToolCalls);
  ASSERT_THAT(observer.deltas, SizeIs(1));
  EXPECT_EQ(observer.deltas[0].id, result.tool_calls[0].id);
}

TEST_F(RobustChatModelTest, RecognisesMistralAndBareJsonCalls) {
  server_->EnqueueTurn(ChatTurn::Text(
      R"([TOOL_CALLS] [{"name": "get_time", "arguments": {}}, {"name": "get_weather", "arguments": {"city": "Rome"}}])",
      7));
  server_->EnqueueTurn(
      ChatTurn::Text("```json\n{\"name\": \"get_weather\", \"parameters\": "
                     "{\"city\": \"Oslo\"}}\n```",
                     6));
  RecordingObserver mistral;
  ASSERT_OK_AND_ASSIGN(ChatResult first, model_->Complete(Request(), &mistral));
  EXPECT_EQ(mistral.text, "");
  ASSERT_THAT(first.tool_calls, SizeIs(2));
  EXPECT_EQ(first.tool_calls[1].arguments, R"({"city":"Rome"})");
  RecordingObserver bare;
  ASSERT_OK_AND_ASSIGN(ChatResult second, model_->Complete(Request(), &bare));
  EXPECT_EQ(bare.text, "");
  ASSERT_THAT(second.tool_calls, SizeIs(1));
  EXPECT_EQ(second.tool_calls[0].arguments, R"({"city":"Oslo"})");
}

TEST_F(RobustChatModelTest, ReAsksOnceWithTheSchemaError) {
  server_->EnqueueTurn(
      ChatTurn::ToolCalls({{"get_weather", R"({"city": 42})", "call_bad"}})
          .WithUsage(100, 10));
  server_->EnqueueTurn(
      ChatTurn::ToolCalls({{"get_weather", R"({"city": "Paris"})", "call_ok"}})
          .WithUsage(120, 12));
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result,
                       model_->Complete(Request(), &observer));
  ASSERT_THAT(result.tool_calls, SizeIs(1));
  EXPECT_EQ(result.tool_calls[0].id, "call_ok");
  EXPECT_EQ(result.usage.prompt_tokens, 220);
  EXPECT_EQ(result.usage.completion_tokens, 22);
  ASSERT_THAT(observer.deltas, SizeIs(1));  // the bad call never streamed
  EXPECT_EQ(observer.deltas[0].id, "call_ok");

  ASSERT_EQ(server_->RequestCount(), 2);
  const Json messages = server_->Requests()[1].messages();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1]["role"], "assistant");
  EXPECT_EQ(messages[1]["tool_calls"][0]["id"], "call_bad");
  EXPECT_EQ(messages[2]["role"], "tool");
  EXPECT_EQ(messages[2]["tool_call_id"], "call_bad");
  EXPECT_THAT(messages[2]["content"].get<std::string>(),
              HasSubstr("$.city: expected string, got integer"));
}

TEST_F(RobustChatModelTest, ReAsksWithAUserMessageWhenArgumentsAreNotJson) {
  server_->EnqueueTurn(
      ChatTurn::ToolCalls({{"get_weather", R"({"city": "Par)"}}));
  server_->EnqueueTurn(
      ChatTurn::ToolCalls({{"get_weather", R"({"city": "Paris"})"}}));
  ASSERT_OK_AND_ASSIGN(ChatResult result, model_->Complete(Request(), nullptr));
  ASSERT_THAT(result.tool_calls, SizeIs(1));
  const Json messages = server_->Requests()[1].messages();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1]["role"], "assistant");
  EXPECT_FALSE(messages[1].contains("tool_calls"));
  EXPECT_THAT(messages[1]["content"].get<std::string>(),
              HasSubstr("get_weather("));
  EXPECT_EQ(messages[2]["role"], "user");
  EXPECT_THAT(messages[2]["content"].get<std::string>(),
              HasSubstr("not valid JSON"));
}

TEST_F(RobustChatModelTest, FailsAfterOneRetryAndNeverLoops) {
  for (int i = 0; i < 3; ++i) {
    server_->EnqueueTurn(
        ChatTurn::ToolCalls({{"get_wether", R"({"city": "Paris"})"}}));
  }
  RecordingObserver observer;
  EXPECT_THAT(model_->Complete(Request(), &observer),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("after one retry"),
                             HasSubstr("unknown function 'get_wether'"))));
  EXPECT_EQ(server_->RequestCount(), 2);
  EXPECT_TRUE(observer.deltas.empty());
}

TEST_F(RobustChatModelTest, UnreadableTextMarkupIsReAsked) {
  server_->EnqueueTurn(
      ChatTurn::Text("<tool_call>{\"name\": get_weather}</tool_call>", 3));
  server_->EnqueueTurn(
      ChatTurn::TextToolCall("get_weather", R"({"city": "Paris"})"));
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result,
                       model_->Complete(Request(), &observer));
  EXPECT_EQ(observer.text, "");
  ASSERT_THAT(result.tool_calls, SizeIs(1));
  const Json messages = server_->Requests()[1].messages();
  EXPECT_THAT(messages[1]["content"].get<std::string>(),
              HasSubstr("<tool_call>"));
  EXPECT_THAT(messages[2]["content"].get<std::string>(),
              HasSubstr("not valid JSON"));
}

TEST_F(RobustChatModelTest, LeavesRequestsWithoutToolsAlone) {
  server_->EnqueueTurn(
      ChatTurn::Text("<tool_call>is just text here</tool_call>", 3));
  ChatRequest request = Request();
  request.tool_choice = "none";
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result, model_->Complete(request, &observer));
  EXPECT_EQ(observer.text, "<tool_call>is just text here</tool_call>");
  EXPECT_TRUE(result.tool_calls.empty());
}

}  // namespace
}  // namespace assistd::model
