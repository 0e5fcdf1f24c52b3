// The REST gateway of the real assistd binary (--http_addr), over loopback
// HTTP: assistant CRUD with pagination, OpenAI error bodies and headers, and
// a run with the built-in model, polled and streamed (SSE).
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/scripted_chat_server.h"
#include "tests/integration/gateway_fixture.h"

namespace assistd {
namespace {

using ::assistd::gateway_testing::Event;
using ::assistd::gateway_testing::GatewayKeysTest;
using ::assistd::gateway_testing::GatewayTest;
using ::assistd::gateway_testing::json;
using ::assistd::gateway_testing::kWait;
using ::assistd::gateway_testing::ParseSse;
using ::assistd::gateway_testing::Reply;
using ::assistd::testing::ChatTurn;
using ::assistd::testing::ScriptedChatServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST_F(GatewayTest, AssistantCrudWithListPagination) {
  const std::string a = CreateAssistant("a");
  const std::string b = CreateAssistant("b");
  const std::string c = CreateAssistant("c");

  Reply page = Call("GET", "/v1/assistants?limit=2&order=asc");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.json_body["object"], "list");
  ASSERT_EQ(page.json_body["data"].size(), 2);
  EXPECT_EQ(page.json_body["data"][0]["id"], a);
  EXPECT_EQ(page.json_body["data"][1]["id"], b);
  EXPECT_EQ(page.json_body["first_id"], a);
  EXPECT_EQ(page.json_body["last_id"], b);
  EXPECT_EQ(page.json_body["has_more"], true);
  Reply rest = Call("GET", "/v1/assistants?limit=2&order=asc&after=" + b);
  ASSERT_EQ(rest.json_body["data"].size(), 1);
  EXPECT_EQ(rest.json_body["data"][0]["id"], c);
  EXPECT_EQ(rest.json_body["has_more"], false);
  // Cursors follow the list order: in the default (desc) order nothing is
  // before the newest.
  EXPECT_EQ(Call("GET", "/v1/assistants?order=asc&before=" + c).json_body["data"].size(), 2);
  EXPECT_EQ(Call("GET", "/v1/assistants?before=" + c).json_body["data"].size(), 0);

  Reply got = Call("GET", "/v1/assistants/" + a);
  EXPECT_EQ(got.json_body["object"], "assistant");
  EXPECT_EQ(got.json_body["name"], "a");
  EXPECT_EQ(got.json_body["description"], nullptr);
  Reply updated = Call("POST", "/v1/assistants/" + a,
                       {{"name", "renamed"}, {"metadata", {{"k", "v"}}}});
  EXPECT_EQ(updated.json_body["name"], "renamed");
  EXPECT_EQ(updated.json_body["metadata"]["k"], "v");
  Reply deleted = Call("DELETE", "/v1/assistants/" + a);
  EXPECT_EQ(deleted.json_body,
            json({{"id", a}, {"object", "assistant.deleted"}, {"deleted", true}}));
  EXPECT_EQ(Call("GET", "/v1/assistants/" + a).status, 404);
}

TEST_F(GatewayTest, EveryResponseCarriesARequestId) {
  std::set<std::string> ids;
  const std::vector<Reply> replies = {
      Call("POST", "/v1/assistants", {{"model", "assistd-extractive"}}),
      Call("GET", "/v1/assistants"),
      Call("GET", "/v1/threads/thread_x"),
      Call("GET", "/v1/assistants", nullptr, /*beta=*/false),
      Call("GET", "/v1/no_such_path"),
      Call("POST", "/v1/threads", std::string("{")),
      Call("POST", "/v1/threads", std::string(33 << 20, ' '))};
  for (const Reply& r : replies) {
    ASSERT_TRUE(r.headers.count("x-request-id")) << r.status << " " << r.body;
    EXPECT_THAT(r.headers.at("x-request-id"), StartsWith("req_"));
    ids.insert(r.headers.at("x-request-id"));
  }
  EXPECT_EQ(ids.size(), replies.size());
  EXPECT_EQ(replies[4].status, 404);
  EXPECT_EQ(replies[6].status, 413);
  EXPECT_EQ(replies[6].json_body["error"]["type"], "invalid_request_error");
}

TEST_F(GatewayTest, AssistantsNeedTheBetaHeaderButNotFiles) {
  Reply r = Call("GET", "/v1/assistants", nullptr, /*beta=*/false);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json_body["error"]["type"], "invalid_request_error");
  EXPECT_EQ(r.json_body["error"]["code"], "invalid_beta");
  EXPECT_THAT(r.json_body["error"]["message"].get<std::string>(),
              HasSubstr("'OpenAI-Beta: assistants=v2'"));
}

TEST_F(GatewayTest, MissingThreadIs404InOpenAIWording) {
  Reply r = Call("GET", "/v1/threads/thread_x");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json_body, json::parse(R"({"error": {"message": "No thread found with id 'thread_x'.",
      "type": "invalid_request_error", "param": null, "code": null}})"));
}

TEST_F(GatewayTest, BadRequestsAre400WithParam) {
  Reply malformed = Call("POST", "/v1/assistants", std::string("{\"model\": "));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_THAT(malformed.json_body["error"]["message"].get<std::string>(),
              HasSubstr("could not parse the JSON body"));
  Reply unknown = Call("POST", "/v1/assistants", {{"model", "m"}, {"colour", "red"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json_body["error"]["param"], "colour");
  Reply deep = Call("POST", "/v1/threads", std::string(10000, '[') + std::string(10000, ']'));
  EXPECT_EQ(deep.status, 400);
  EXPECT_THAT(deep.body, HasSubstr("nests deeper"));
  Reply bad_order = Call("GET", "/v1/assistants?order=up");
  EXPECT_EQ(bad_order.status, 400);
  for (const std::string path : {"/v1/assistants?limit=0", "/v1/files?limit=0"}) {
    Reply zero = Call("GET", path);
    EXPECT_EQ(zero.status, 400) << path;  // not "unset" (proto3's 0)
    EXPECT_EQ(zero.json_body["error"]["param"], "limit") << path;
  }
  EXPECT_EQ(bad_order.json_body["error"]["param"], "order");
}

TEST_F(GatewayTest, RunWithTheBuiltInModelPollsToCompleted) {
  const std::string assistant = CreateAssistant("helper");
  const std::string thread = CreateThread();
  Reply message = Call("POST", "/v1/threads/" + thread + "/messages",
                       {{"role", "user"}, {"content", "And what else?"}});
  ASSERT_EQ(message.status, 200) << message.body;
  EXPECT_EQ(message.json_body["content"][0]["text"]["value"], "And what else?");

  const std::string include = "include[]=step_details.tool_calls[*].file_search.results[*].content";
  Reply run = Call("POST", "/v1/threads/" + thread + "/runs?" + include,
                   {{"assistant_id", assistant}});
  ASSERT_EQ(run.status, 200) << run.body;
  EXPECT_EQ(run.json_body["object"], "thread.run");
  EXPECT_TRUE(run.headers.count("openai-poll-after-ms"));
  const std::string run_path = "/v1/threads/" + thread + "/runs/" + run.json_body["id"].get<std::string>();
  const absl::Time deadline = absl::Now() + kWait;
  while (run.json_body["status"] != "completed" && absl::Now() < deadline) {
    ASSERT_THAT(run.json_body["status"].get<std::string>(),
                ::testing::AnyOf("queued", "in_progress", "completed"));
    absl::SleepFor(absl::Milliseconds(20));  // the poll interval
    run = Call("GET", run_path);
  }
  ASSERT_EQ(run.json_body["status"], "completed") << run.body;

  Reply messages = Call("GET", "/v1/threads/" + thread + "/messages?limit=1");
  ASSERT_EQ(messages.json_body["data"].size(), 1);
  EXPECT_EQ(messages.json_body["data"][0]["role"], "assistant");
  EXPECT_THAT(messages.json_body["data"][0]["content"][0]["text"]["value"].get<std::string>(),
              HasSubstr("assistd-extractive"));
  Reply steps = Call("GET", run_path + "/steps?" + include);
  ASSERT_EQ(steps.status, 200) << steps.body;
  ASSERT_EQ(steps.json_body["data"].size(), 1);
  EXPECT_EQ(steps.json_body["data"][0]["type"], "message_creation");
  const std::string step_id = steps.json_body["data"][0]["id"];
  EXPECT_EQ(Call("GET", run_path + "/steps/" + step_id).json_body["id"], step_id);
  EXPECT_EQ(Call("GET", "/v1/threads/" + thread + "/runs").json_body["data"].size(), 1);
}

TEST_F(GatewayTest, StreamedRunEndsWithCompletedThenDone) {
  const std::string assistant = CreateAssistant("helper");
  const std::string thread = CreateThread();
  Reply r = Call("POST", "/v1/threads/" + thread + "/runs",
                 {{"assistant_id", assistant}, {"stream", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.headers["content-type"], StartsWith("text/event-stream"));
  EXPECT_THAT(r.headers["x-request-id"], StartsWith("req_"));
  const std::vector<Event> events = ParseSse(r.body);
  ASSERT_GE(events.size(), 4u) << r.body;
  EXPECT_EQ(events.front().event, "thread.run.created");
  std::vector<std::string> last_two = {events[events.size() - 2].event, events.back().event};
  EXPECT_THAT(last_two, ElementsAre("thread.run.completed", "done"));
  EXPECT_EQ(events.back().data, "[DONE]");
  std::string text;
  for (const Event& e : events) {
    if (e.event == "done") continue;
    const json data = json::parse(e.data, nullptr, false);
    ASSERT_FALSE(data.is_discarded()) << e.data;
    if (e.event == "thread.message.delta") {
      text += data["delta"]["content"][0]["text"]["value"].get<std::string>();
    }
  }
  EXPECT_THAT(text, HasSubstr("assistd-extractive"));

  // Errors before the first event are plain error responses.
  Reply missing = Call("POST", "/v1/threads/thread_x/runs",
                       {{"assistant_id", assistant}, {"stream", true}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json_body["error"]["message"], "No thread found with id 'thread_x'.");
}

TEST_F(GatewayTest, CreateThreadAndRunStreams) {
  const std::string assistant = CreateAssistant("helper");
  Reply r = Call("POST", "/v1/threads/runs",
                 {{"assistant_id", assistant},
                  {"stream", true},
                  {"thread", {{"messages", {{{"role", "user"}, {"content", "hi"}}}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<Event> events = ParseSse(r.body);
  ASSERT_GE(events.size(), 3u) << r.body;
  EXPECT_EQ(events.front().event, "thread.created");
  EXPECT_EQ(events[events.size() - 2].event, "thread.run.completed");
  EXPECT_EQ(events.back().data, "[DONE]");
  const json thread = json::parse(events.front().data);
  Reply got = Call("GET", "/v1/threads/" + thread["id"].get<std::string>());
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(Call("DELETE", "/v1/threads/" + thread["id"].get<std::string>()).json_body["deleted"],
            true);
}

// A model behind --model_endpoints that asks for a function call.
class GatewayFunctionCallTest : public GatewayTest {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(chat_, ScriptedChatServer::Start());
    StartAssistd({"--model_endpoints=scripted=" + chat_->Url()});
  }
  // assistd first: its kept-alive model connections would hold up the chat
  // server's shutdown.
  void TearDown() override { server_.reset(); }

  // The events of a 200 stream.
  static std::vector<Event> Events(const Reply& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return ParseSse(r.body);
  }

  std::unique_ptr<ScriptedChatServer> chat_;
};

TEST_F(GatewayFunctionCallTest, StreamedToolCallRoundTrip) {
  chat_->EnqueueTurn(ChatTurn::ToolCalls({{"get_weather", R"({"city":"Paris"})"}}));
  chat_->EnqueueTurn(ChatTurn::Text("It is sunny.", /*deltas=*/3));
  Reply assistant = Call(
      "POST", "/v1/assistants",
      json::parse(R"({"model": "scripted", "tools": [{"type": "function", "function": {
          "name": "get_weather", "parameters": {"type": "object",
          "properties": {"city": {"type": "string"}}}}}]})"));
  ASSERT_EQ(assistant.status, 200) << assistant.body;
  const std::string thread = CreateThread();

  std::vector<Event> first = Events(Call(
      "POST", "/v1/threads/" + thread + "/runs",
      {{"assistant_id", assistant.json_body["id"]}, {"stream", true}}));
  ASSERT_GE(first.size(), 3u);
  EXPECT_EQ(first[first.size() - 2].event, "thread.run.requires_action");
  EXPECT_EQ(first.back().data, "[DONE]");
  const json run = json::parse(first[first.size() - 2].data);
  const json& call = run["required_action"]["submit_tool_outputs"]["tool_calls"][0];
  EXPECT_EQ(call["function"]["name"], "get_weather");
  EXPECT_EQ(json::parse(call["function"]["arguments"].get<std::string>())["city"], "Paris");

  std::vector<Event> second = Events(Call(
      "POST",
      "/v1/threads/" + thread + "/runs/" + run["id"].get<std::string>() + "/submit_tool_outputs",
      {{"tool_outputs", {{{"tool_call_id", call["id"]}, {"output", R"({"t":20})"}}}},
       {"stream", true}}));
  ASSERT_GE(second.size(), 3u);
  EXPECT_EQ(second[second.size() - 2].event, "thread.run.completed");
  EXPECT_EQ(second.back().data, "[DONE]");
  std::string text;
  for (const Event& e : second) {
    if (e.event == "thread.message.delta") {
      text += json::parse(e.data)["delta"]["content"][0]["text"]["value"].get<std::string>();
    }
  }
  EXPECT_EQ(text, "It is sunny.");
  const auto requests = chat_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].messages().back()["role"], "tool");
}

TEST_F(GatewayFunctionCallTest, ClientThatHangsUpMidStreamLeavesTheServerServing) {
  chat_->EnqueueTurn(
      ChatTurn::Text("one two three four", /*deltas=*/4).PauseAfterChunks(1, absl::Seconds(1)));
  const std::string assistant = CreateAssistant("helper");
  Reply updated = Call("POST", "/v1/assistants/" + assistant, {{"model", "scripted"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  const std::string thread = CreateThread();

  http::HttpRequest req;
  req.method = "POST";
  req.url = absl::StrCat("http://127.0.0.1:", server_->http_port(), "/v1/threads/", thread,
                         "/runs");
  req.headers = {{"OpenAI-Beta", "assistants=v2"}, {"Content-Type", "application/json"}};
  req.body = json({{"assistant_id", assistant}, {"stream", true}}).dump();
  req.timeout = kWait;
  std::string received;
  req.on_body = [&](absl::string_view chunk) {
    received.append(chunk.data(), chunk.size());
    return !absl::StrContains(received, "thread.run.created");  // hang up early
  };
  EXPECT_EQ(http_->Send(req).status().code(), absl::StatusCode::kCancelled);

  // The run itself goes on; the gateway keeps answering.
  Reply runs = Call("GET", "/v1/threads/" + thread + "/runs");
  ASSERT_EQ(runs.json_body["data"].size(), 1u) << runs.body;
  const std::string run_path =
      "/v1/threads/" + thread + "/runs/" + runs.json_body["data"][0]["id"].get<std::string>();
  Reply run = Call("GET", run_path);
  const absl::Time deadline = absl::Now() + kWait;
  while (run.json_body["status"] != "completed" && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));  // the poll interval
    run = Call("GET", run_path);
  }
  EXPECT_EQ(run.json_body["status"], "completed") << run.body;
}

TEST_F(GatewayKeysTest, TheKeyDecidesTheProject) {
  Reply none = Call("GET", "/v1/assistants");
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.json_body["error"]["message"].get<std::string>(),
              HasSubstr("You didn't provide an API key"));
  EXPECT_THAT(none.headers["x-request-id"], StartsWith("req_"));
  key_ = "sk-assistd-wrong";
  EXPECT_EQ(Call("GET", "/v1/assistants").status, 401);

  key_ = key_a_;
  const std::string a = CreateAssistant("mine");
  EXPECT_EQ(Call("GET", "/v1/assistants/" + a).status, 200);
  key_ = key_b_;
  Reply other = Call("GET", "/v1/assistants/" + a);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.json_body["error"]["message"], "No assistant found with id '" + a + "'.");
  EXPECT_TRUE(Call("GET", "/v1/assistants").json_body["data"].empty());
}

}  // namespace
}  // namespace assistd
