#include "services/orchestrator/model/model_router.h"

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/scripted_chat_server.h"
#include "tests/util/status_matchers.h"

namespace assistd::model {
namespace {

using ::assistd::testing::ChatTurn;
using ::assistd::testing::IsOk;
using ::assistd::testing::ScriptedChatServer;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;

// Answers with the URL of the route it was made for.
class NamedModel final : public ChatModel {
 public:
  explicit NamedModel(std::string name) : name_(std::move(name)) {}
  absl::StatusOr<ChatResult> Complete(const ChatRequest&,
                                      ChatStreamObserver*) override {
    ChatResult result;
    result.text = name_;
    return result;
  }

 private:
  const std::string name_;
};

ModelRouter::Factory NamedFactory() {
  return [](const ModelRoute& route)
             -> absl::StatusOr<std::shared_ptr<ChatModel>> {
    return std::make_shared<NamedModel>(route.base_url);
  };
}

std::string Served(ModelRouter& router, const std::string& model) {
  ChatRequest request;
  request.model = model;
  absl::StatusOr<ChatResult> result = router.Complete(request, nullptr);
  return result.ok() ? result->text : std::string(result.status().message());
}

TEST(ParseModelEndpointsTest, ReadsRoutesAndApiKeysFromTheEnvironment) {
  setenv("ASSISTD_TEST_MODEL_KEY", "sk-123", 1);
  ASSERT_OK_AND_ASSIGN(
      auto routes,
      ParseModelEndpoints(
          " qwen=http://a:1/v1 ; llama*=https://b/v1|ASSISTD_TEST_MODEL_KEY;"
          "*=http://c:3/v1 ;"));
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].pattern, "qwen");
  EXPECT_EQ(routes[0].base_url, "http://a:1/v1");
  EXPECT_EQ(routes[0].api_key, "");
  EXPECT_EQ(routes[1].pattern, "llama*");
  EXPECT_EQ(routes[1].api_key, "sk-123");
  EXPECT_EQ(routes[2].pattern, "*");
  EXPECT_THAT(ParseModelEndpoints(""), IsOk());
}

TEST(ParseModelEndpointsTest, RejectsBadEntries) {
  unsetenv("ASSISTD_TEST_UNSET_KEY");
  for (const char* spec : {"qwen", "=http://a/v1", "qwen=", "qwen=ftp://a",
                           "l*ama=http://a/v1", "a=http://x/v1;a=http://y/v1",
                           "a=http://x/v1|ASSISTD_TEST_UNSET_KEY"}) {
    EXPECT_THAT(ParseModelEndpoints(spec),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << spec;
  }
}

TEST(ModelRouterTest, ResolvesExactThenLongestPrefixThenDefault) {
  ASSERT_OK_AND_ASSIGN(
      auto router,
      ModelRouter::Create("llama*=http://llama/v1;llama-3*=http://llama3/v1;"
                          "llama-3-8b=http://exact/v1;*=http://default/v1",
                          NamedFactory()));
  EXPECT_EQ(Served(*router, "llama-3-8b"), "http://exact/v1");
  EXPECT_EQ(Served(*router, "llama-3-70b"), "http://llama3/v1");
  EXPECT_EQ(Served(*router, "llama-2"), "http://llama/v1");
  EXPECT_EQ(Served(*router, "gpt-4o"), "http://default/v1");
}

TEST(ModelRouterTest, UnknownModelsAreNotFound) {
  ASSERT_OK_AND_ASSIGN(auto router,
                       ModelRouter::Create("qwen=http://a/v1", NamedFactory()));
  EXPECT_THAT(
      router->Resolve("gpt-4o"),
      StatusIs(absl::StatusCode::kNotFound,
               "no model endpoint is configured for model 'gpt-4o'; set "
               "--model_endpoints"));
  ChatRequest request;
  request.model = "gpt-4o";
  EXPECT_THAT(router->Complete(request, nullptr),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(ModelRouterTest, RegistersBuiltInModels) {
  ASSERT_OK_AND_ASSIGN(auto router,
                       ModelRouter::Create("qwen=http://a/v1", NamedFactory()));
  ASSERT_THAT(router->Register("assistd-extractive",
                               std::make_shared<NamedModel>("builtin")),
              IsOk());
  EXPECT_EQ(Served(*router, "assistd-extractive"), "builtin");
  EXPECT_THAT(router->Register("qwen", std::make_shared<NamedModel>("other")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(router->Register("*", nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_THAT(router->Register("*", std::make_shared<NamedModel>("fallback")),
              IsOk());
  EXPECT_EQ(Served(*router, "anything"), "fallback");
}

TEST(ModelRouterTest, RoutesToARealEndpointWithItsApiKey) {
  ASSERT_OK_AND_ASSIGN(auto server, ScriptedChatServer::Start());
  server->EnqueueTurn(ChatTurn::Text("routed", 2));
  setenv("ASSISTD_TEST_ROUTE_KEY", "sk-route", 1);
  ASSERT_OK_AND_ASSIGN(auto router,
                       ModelRouter::Create("qwen*=" + server->Url() +
                                           "|ASSISTD_TEST_ROUTE_KEY"));
  ChatRequest request;
  request.model = "qwen2.5-7b";
  request.messages.push_back({ChatMessage::Role::kUser, "Hi", {}, ""});
  ASSERT_OK_AND_ASSIGN(ChatResult result, router->Complete(request, nullptr));
  EXPECT_EQ(result.text, "routed");
  const auto sent = server->Requests().at(0);
  EXPECT_EQ(sent.body["model"], "qwen2.5-7b");
  EXPECT_EQ(sent.Header("authorization"), "Bearer sk-route");
  router.reset();  // close its connections before the server stops
}

}  // namespace
}  // namespace assistd::model
