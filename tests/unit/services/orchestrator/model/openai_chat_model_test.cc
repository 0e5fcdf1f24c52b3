#include "services/orchestrator/model/openai_chat_model.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/scripted_chat_server.h"
#include "tests/util/status_matchers.h"

namespace assistd::model {
namespace {

using ::assistd::testing::ChatTurn;
using ::assistd::testing::IsOk;
using ::assistd::testing::ScriptedChatServer;
using ::assistd::testing::ScriptedHttpServer;
using ::assistd::testing::ScriptedResponse;
using ::assistd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;
using Json = nlohmann::json;

// Records what streamed; can stop or cancel on the first text fragment.
class RecordingObserver final : public ChatStreamObserver {
 public:
  struct Delta {
    int index;
    std::string id, name, arguments;
  };

  bool OnText(absl::string_view fragment) override {
    texts.emplace_back(fragment);
    if (cancel_on_text != nullptr) cancel_on_text->store(true);
    return !stop_on_text;
  }
  bool OnToolCallDelta(int index, absl::string_view id, absl::string_view name,
                       absl::string_view arguments) override {
    deltas.push_back(
        {index, std::string(id), std::string(name), std::string(arguments)});
    return true;
  }
  std::string Text() const {
    std::string all;
    for (const std::string& t : texts) all += t;
    return all;
  }
  std::string Arguments(int index) const {
    std::string all;
    for (const Delta& d : deltas) {
      if (d.index == index) all += d.arguments;
    }
    return all;
  }

  std::vector<std::string> texts;
  std::vector<Delta> deltas;
  std::atomic<bool>* cancel_on_text = nullptr;
  bool stop_on_text = false;
};

class OpenAIChatModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, ScriptedChatServer::Start());
    options_.base_url = server_->Url();
    options_.retry.initial_backoff = absl::Milliseconds(1);
    options_.sleep = [this](absl::Duration d) { sleeps_.push_back(d); };
  }
  void TearDown() override { model_.reset(); }  // before the server

  OpenAICompatibleChatModel& Model() {
    if (model_ == nullptr) {
      auto model = OpenAICompatibleChatModel::Create(options_);
      EXPECT_THAT(model.status(), IsOk());
      model_ = *std::move(model);
    }
    return *model_;
  }

  static ChatRequest Request(absl::string_view user = "Hi") {
    ChatRequest request;
    request.model = "test-model";
    request.messages.push_back(
        {ChatMessage::Role::kUser, std::string(user), {}, ""});
    request.timeout = absl::Seconds(30);
    return request;
  }

  std::unique_ptr<ScriptedChatServer> server_;
  OpenAIChatModelOptions options_;
  std::unique_ptr<OpenAICompatibleChatModel> model_;
  std::vector<absl::Duration> sleeps_;
};

TEST_F(OpenAIChatModelTest, StreamsTextInDeltas) {
  server_->EnqueueTurn(ChatTurn::Text("Hello there", 3).WithUsage(12, 3));
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result,
                       Model().Complete(Request(), &observer));
  EXPECT_THAT(observer.texts, SizeIs(3));
  EXPECT_EQ(observer.Text(), "Hello there");
  EXPECT_EQ(result.text, "Hello there");
  EXPECT_EQ(result.finish_reason, FinishReason::kStop);
  EXPECT_EQ(result.usage.prompt_tokens, 12);
  EXPECT_EQ(result.usage.completion_tokens, 3);
  EXPECT_TRUE(result.tool_calls.empty());
}

TEST_F(OpenAIChatModelTest, SendsTheRequestInOpenAIShape) {
  options_.api_key = "sk-test";
  options_.upstream_model = "qwen2.5:7b";
  options_.extra_headers = {{"X-Org", "acme"}};
  server_->EnqueueTurn(ChatTurn::Text("ok"));
  ChatRequest request = Request();
  request.messages.insert(request.messages.begin(),
                          {ChatMessage::Role::kSystem, "Be brief.", {}, ""});
  request.messages.push_back(
      {ChatMessage::Role::kAssistant,
       "",
       {{"call_1", "get_weather", R"({"city":"Paris"})"}},
       ""});
  request.messages.push_back({ChatMessage::Role::kTool, "sunny", {}, "call_1"});
  request.tools.push_back(
      {"get_weather", "Weather by city",
       R"({"type":"object","properties":{"city":{"type":"string"}}})", true});
  request.tool_choice = "function:get_weather";
  request.parallel_tool_calls = false;
  request.temperature = 0.5;
  request.top_p = 0.9;
  request.max_completion_tokens = 100;
  request.response_format = R"({"name":"answer","schema":{"type":"object"}})";
  ASSERT_THAT(Model().Complete(request, nullptr).status(), IsOk());

  ASSERT_EQ(server_->RequestCount(), 1);
  const auto sent = server_->Requests()[0];
  EXPECT_EQ(sent.Header("Authorization"), "Bearer sk-test");
  EXPECT_EQ(sent.Header("X-Org"), "acme");
  const Json& body = sent.body;
  EXPECT_EQ(body["model"], "qwen2.5:7b");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_EQ(body["messages"][0],
            Json::parse(R"({"role":"system","content":"Be brief."})"));
  EXPECT_EQ(body["messages"][2],
            Json::parse(R"({"role":"assistant","content":null,
      "tool_calls":[{"id":"call_1","type":"function",
      "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]})"));
  EXPECT_EQ(
      body["messages"][3],
      Json::parse(
          R"({"role":"tool","content":"sunny","tool_call_id":"call_1"})"));
  EXPECT_EQ(body["tools"][0], Json::parse(R"({"type":"function","function":{
      "name":"get_weather","description":"Weather by city","strict":true,
      "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}})"));
  EXPECT_EQ(
      body["tool_choice"],
      Json::parse(R"({"type":"function","function":{"name":"get_weather"}})"));
  EXPECT_EQ(body["parallel_tool_calls"], false);
  EXPECT_EQ(body["temperature"], 0.5);
  EXPECT_EQ(body["top_p"], 0.9);
  EXPECT_EQ(body["max_tokens"], 100);
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["response_format"]["json_schema"]["name"], "answer");
}

TEST_F(OpenAIChatModelTest, OmitsToolFieldsWithoutTools) {
  server_->EnqueueTurn(ChatTurn::Text("ok"));
  ChatRequest request = Request();
  request.response_format = "json_object";
  ASSERT_THAT(Model().Complete(request, nullptr).status(), IsOk());
  const Json body = server_->Requests()[0].body;
  EXPECT_FALSE(body.contains("tools"));
  EXPECT_FALSE(body.contains("tool_choice"));
  EXPECT_FALSE(body.contains("parallel_tool_calls"));
  EXPECT_FALSE(body.contains("temperature"));
  EXPECT_EQ(body["response_format"], Json::parse(R"({"type":"json_object"})"));
}

TEST_F(OpenAIChatModelTest, RejectsBadRequestFieldsWithoutCallingTheServer) {
  ChatRequest request = Request();
  request.tools.push_back({"f", "", "not json", false});
  EXPECT_THAT(Model().Complete(request, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'f'")));
  request.tools[0].parameters_json = "";
  request.tool_choice = "sometimes";
  EXPECT_THAT(
      Model().Complete(request, nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tool_choice")));
  EXPECT_EQ(server_->RequestCount(), 0);
}

void ExpectParallelCalls(const ChatResult& result,
                         const RecordingObserver& observer) {
  ASSERT_THAT(result.tool_calls, SizeIs(2));
  EXPECT_EQ(result.tool_calls[0].id, "call_a");
  EXPECT_EQ(result.tool_calls[0].name, "get_weather");
  EXPECT_EQ(result.tool_calls[0].arguments, R"({"city":"Paris","unit":"c"})");
  EXPECT_EQ(result.tool_calls[1].name, "get_time");
  EXPECT_EQ(result.tool_calls[1].arguments, R"({"tz":"Europe/Paris"})");
  EXPECT_EQ(result.finish_reason, FinishReason::kToolCalls);
  // id and name come once, on each call's first delta.
  int firsts = 0;
  for (const auto& delta : observer.deltas) {
    if (!delta.id.empty()) {
      ++firsts;
      EXPECT_FALSE(delta.name.empty());
    }
  }
  EXPECT_EQ(firsts, 2);
  EXPECT_EQ(observer.deltas[0].id, "call_a");
  EXPECT_EQ(observer.Arguments(0), result.tool_calls[0].arguments);
  EXPECT_EQ(observer.Arguments(1), result.tool_calls[1].arguments);
}

ChatTurn ParallelCalls() {
  return ChatTurn::ToolCalls(
      {{"get_weather", R"({"city":"Paris","unit":"c"})", "call_a"},
       {"get_time", R"({"tz":"Europe/Paris"})", "call_b"}},
      /*fragments=*/4);
}

TEST_F(OpenAIChatModelTest, StreamsParallelToolCallsWithFragmentedArguments) {
  server_->EnqueueTurn(ParallelCalls());
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result,
                       Model().Complete(Request(), &observer));
  ExpectParallelCalls(result, observer);
  EXPECT_GT(observer.deltas.size(), 4u);
}

TEST_F(OpenAIChatModelTest, ParsesSseSplitAtAwkwardBoundaries) {
  for (size_t split : {1, 2, 5, 7, 13}) {
    server_->EnqueueTurn(
        ParallelCalls().WithText("Checking…", 3).SplitEvery(split));
    RecordingObserver observer;
    ASSERT_OK_AND_ASSIGN(ChatResult result,
                         Model().Complete(Request(), &observer));
    EXPECT_EQ(result.text, "Checking…") << split;
    ExpectParallelCalls(result, observer);
  }
}

TEST_F(OpenAIChatModelTest, RetriesRateLimitsHonouringRetryAfter) {
  server_->EnqueueTurn(ChatTurn::RateLimited(2));
  server_->EnqueueTurn(
      ChatTurn::Error(429, "slow down", {{"retry-after-ms", "150"}}));
  server_->EnqueueTurn(ChatTurn::Text("finally"));
  ASSERT_OK_AND_ASSIGN(ChatResult result, Model().Complete(Request(), nullptr));
  EXPECT_EQ(result.text, "finally");
  EXPECT_THAT(sleeps_, ElementsAre(absl::Seconds(2), absl::Milliseconds(150)));
  EXPECT_EQ(server_->RequestCount(), 3);
}

TEST_F(OpenAIChatModelTest, RetriesServerErrorsWithBackoff) {
  server_->EnqueueTurn(ChatTurn::Error(500));
  server_->EnqueueTurn(ChatTurn::Error(503));
  server_->EnqueueTurn(ChatTurn::Text("ok"));
  ASSERT_THAT(Model().Complete(Request(), nullptr).status(), IsOk());
  ASSERT_THAT(sleeps_, SizeIs(2));
  EXPECT_LE(sleeps_[0], absl::Milliseconds(1));
  EXPECT_LE(sleeps_[1], absl::Milliseconds(2));
}

TEST_F(OpenAIChatModelTest, GivesUpAfterMaxAttempts) {
  for (int i = 0; i < 3; ++i) server_->EnqueueTurn(ChatTurn::RateLimited(0));
  EXPECT_THAT(Model().Complete(Request(), nullptr),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("429")));
  for (int i = 0; i < 3; ++i)
    server_->EnqueueTurn(ChatTurn::Error(502, "bad gateway"));
  EXPECT_THAT(
      Model().Complete(Request(), nullptr),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("bad gateway")));
  EXPECT_EQ(server_->RequestCount(), 6);
}

TEST_F(OpenAIChatModelTest, MapsClientErrorsWithoutRetrying) {
  const std::vector<std::pair<int, absl::StatusCode>> cases = {
      {400, absl::StatusCode::kInvalidArgument},
      {422, absl::StatusCode::kInvalidArgument},
      {401, absl::StatusCode::kUnauthenticated},
      {403, absl::StatusCode::kPermissionDenied},
      {404, absl::StatusCode::kNotFound}};
  for (const auto& [status, code] : cases) {
    server_->EnqueueTurn(
        ChatTurn::Error(status, absl::StrCat("server says ", status)));
    EXPECT_THAT(
        Model().Complete(Request(), nullptr),
        StatusIs(code, HasSubstr(absl::StrCat("server says ", status))));
  }
  EXPECT_EQ(server_->RequestCount(), static_cast<int>(cases.size()));
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(OpenAIChatModelTest, RetriesAStreamThatBrokeBeforeAnyContent) {
  server_->EnqueueTurn(ChatTurn::Text("never seen", 2).DropAfterChunks(1));
  server_->EnqueueTurn(ChatTurn::Text("second try", 2));
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result,
                       Model().Complete(Request(), &observer));
  EXPECT_EQ(observer.Text(), "second try");
  EXPECT_EQ(server_->RequestCount(), 2);
}

TEST_F(OpenAIChatModelTest, NeverRetriesOnceStreamingBegan) {
  server_->EnqueueTurn(ChatTurn::Text("abcdef", 3).DropAfterChunks(2));
  server_->EnqueueTurn(ChatTurn::Text("must not be used"));
  RecordingObserver observer;
  EXPECT_THAT(
      Model().Complete(Request(), &observer),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("not retried")));
  EXPECT_EQ(observer.Text(), "ab");
  EXPECT_EQ(server_->RequestCount(), 1);
}

TEST_F(OpenAIChatModelTest, AStreamThatEndsEarlyIsUnavailable) {
  // A clean end of the HTTP body without finish_reason or [DONE].
  server_->EnqueueTurn(ChatTurn::Raw(ScriptedResponse::Chunked(
      {"data: "
       "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}\n\n"},
      absl::ZeroDuration())));
  EXPECT_THAT(
      Model().Complete(Request(), nullptr),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("ended before")));
}

TEST_F(OpenAIChatModelTest, AnErrorStreamedMidAnswerIsUnavailable) {
  server_->EnqueueTurn(ChatTurn::Raw(ScriptedResponse::Chunked(
      {"data: "
       "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n",
       "data: {\"error\":{\"message\":\"CUDA out of memory\"}}\n\n"},
      absl::ZeroDuration())));
  EXPECT_THAT(Model().Complete(Request(), nullptr),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("CUDA out of memory")));
  EXPECT_EQ(server_->RequestCount(), 1);
}

TEST_F(OpenAIChatModelTest, ConnectionRefusedIsUnavailableAfterRetries) {
  std::string url;
  {
    ASSERT_OK_AND_ASSIGN(auto closed, ScriptedHttpServer::Start());
    url = closed->Url("/v1");
  }
  options_.base_url = url;
  EXPECT_THAT(Model().Complete(Request(), nullptr),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(sleeps_, SizeIs(2));
}

TEST_F(OpenAIChatModelTest, CancellationStopsAStalledStreamPromptly) {
  server_->EnqueueTurn(
      ChatTurn::Text("one two three", 3).PauseAfterChunks(2, absl::Hours(1)));
  std::atomic<bool> cancelled{false};
  ChatRequest request = Request();
  request.cancelled = &cancelled;
  RecordingObserver observer;
  observer.cancel_on_text = &cancelled;
  EXPECT_THAT(Model().Complete(request, &observer),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(observer.Text(), "one t");
}

TEST_F(OpenAIChatModelTest, AnObserverCanStopTheAnswer) {
  server_->EnqueueTurn(ChatTurn::Text("one two three", 3));
  RecordingObserver observer;
  observer.stop_on_text = true;
  EXPECT_THAT(Model().Complete(Request(), &observer),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(observer.texts, SizeIs(1));
}

TEST_F(OpenAIChatModelTest, TimesOutWithDeadlineExceeded) {
  server_->EnqueueTurn(ChatTurn::Text("late").WithInitialDelay(absl::Hours(1)));
  ChatRequest request = Request();
  request.timeout = absl::Milliseconds(200);
  EXPECT_THAT(Model().Complete(request, nullptr),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(server_->RequestCount(), 1);
}

TEST_F(OpenAIChatModelTest, AcceptsANonStreamedAnswer) {
  server_->EnqueueTurn(ParallelCalls().WithText("Checking", 1).NonStreamed());
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result,
                       Model().Complete(Request(), &observer));
  EXPECT_EQ(result.text, "Checking");
  EXPECT_EQ(observer.Text(), "Checking");
  ExpectParallelCalls(result, observer);
  EXPECT_EQ(result.usage.prompt_tokens, 10);
}

TEST_F(OpenAIChatModelTest, CanAskForANonStreamedAnswer) {
  options_.stream = false;
  server_->EnqueueTurn(ChatTurn::Text("whole"));
  ASSERT_OK_AND_ASSIGN(ChatResult result, Model().Complete(Request(), nullptr));
  EXPECT_EQ(result.text, "whole");
  EXPECT_EQ(server_->Requests()[0].body["stream"], false);
  EXPECT_FALSE(server_->Requests()[0].body.contains("stream_options"));
}

TEST_F(OpenAIChatModelTest, MakesIdsForIdlessCallsAndEstimatesMissingUsage) {
  // Ollama-style: no index, no id, arguments as an object.
  server_->EnqueueTurn(ChatTurn::Raw(ScriptedResponse::Chunked(
      {"data: "
       "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"function\":"
       "{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}}]}}]}\n\n",
       "data: "
       "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"
       "\n\n",
       "data: [DONE]\n\n"},
      absl::ZeroDuration())));
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(ChatResult result,
                       Model().Complete(Request("What is up?"), &observer));
  ASSERT_THAT(result.tool_calls, SizeIs(1));
  EXPECT_THAT(result.tool_calls[0].id, StartsWith("call_"));
  EXPECT_EQ(result.tool_calls[0].id.size(), 5u + 24u);
  EXPECT_EQ(observer.deltas[0].id, result.tool_calls[0].id);
  EXPECT_EQ(result.tool_calls[0].arguments, R"({"city":"Oslo"})");
  EXPECT_EQ(result.finish_reason, FinishReason::kToolCalls);
  EXPECT_GT(result.usage.prompt_tokens, 0);
  EXPECT_GT(result.usage.completion_tokens, 0);
}

}  // namespace
}  // namespace assistd::model
