#ifndef ASSISTD_TESTS_FAKES_SCRIPTED_CHAT_SERVER_H_
#define ASSISTD_TESTS_FAKES_SCRIPTED_CHAT_SERVER_H_

// A scripted OpenAI-compatible /v1/chat/completions server on loopback
// (over ScriptedHttpServer) that plays back turns: streamed text, streamed
// tool calls (parallel, arguments in fragments), malformed arguments, tool
// calls written as text, HTTP errors with Retry-After, slow and dropped
// streams, non-streamed answers. It records every request.
//
//   ASSERT_OK_AND_ASSIGN(auto server, ScriptedChatServer::Start());
//   server->EnqueueTurn(ChatTurn::ToolCalls({{"get_weather",
//   R"({"city":"Paris"})"}})); server->EnqueueTurn(ChatTurn::Text("It is
//   sunny.", /*deltas=*/3)); options.base_url = server->Url();             //
//   "http://127.0.0.1:N/v1"
//   ... run ...
//   EXPECT_EQ(server->Requests()[1].body["messages"].back()["role"], "tool");
//
// Turns are used once each, in order; when none is queued the handler
// (SetHandler) answers, else the default turn (SetDefaultTurn), else a 500
// saying nothing was scripted. Each turn answers in the shape the request
// asked for (stream or not) unless NonStreamed() forces JSON.

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/fakes/scripted_http_server.h"

namespace assistd::testing {

// One scripted tool call. An empty id makes "call_<n>".
struct ScriptedToolCall {
  std::string name;
  std::string arguments;  // sent verbatim (may be malformed on purpose)
  std::string id;
};

// One answer of the model. Built by the factories, tuned by the With*()s.
class ChatTurn {
 public:
  // Text streamed in `deltas` pieces (split on UTF-8 boundaries).
  static ChatTurn Text(absl::string_view text, int deltas = 1);
  // Tool calls streamed one after another, each call's arguments in
  // `fragments` pieces; finish_reason "tool_calls".
  static ChatTurn ToolCalls(std::vector<ScriptedToolCall> calls,
                            int fragments = 3);
  // A Hermes-style text tool call:
  // "<tool_call>{"name":..,"arguments":..}</tool_call>".
  static ChatTurn TextToolCall(absl::string_view name,
                               absl::string_view arguments_json,
                               int deltas = 4);
  // An HTTP error with an OpenAI-style error body.
  static ChatTurn Error(int status,
                        absl::string_view message = "scripted error",
                        std::map<std::string, std::string> headers = {});
  // 429 with "Retry-After: <seconds>".
  static ChatTurn RateLimited(int retry_after_seconds);
  // Any raw HTTP answer.
  static ChatTurn Raw(ScriptedResponse response);

  // Waits `gap` before each SSE chunk after the first.
  ChatTurn& WithDelay(absl::Duration gap);
  // Waits `delay` before the response headers.
  ChatTurn& WithInitialDelay(absl::Duration delay);
  // Stalls for `pause` after the first `n` SSE chunks (e.g. so a test can
  // cancel mid-stream); the stall ends early when the server stops.
  ChatTurn& PauseAfterChunks(int n, absl::Duration pause);
  // Closes the connection after `n` SSE chunks (no [DONE], no final chunk).
  ChatTurn& DropAfterChunks(int n);
  // Re-cuts the SSE bytes into HTTP chunks of `bytes` each (awkward splits).
  ChatTurn& SplitEvery(size_t bytes);
  // Answers with one chat.completion JSON even when asked to stream.
  ChatTurn& NonStreamed();
  // Usage reported in the final chunk (default: 10 prompt, 5 completion).
  ChatTurn& WithUsage(int64_t prompt_tokens, int64_t completion_tokens);
  ChatTurn& WithoutUsage();
  ChatTurn& WithFinishReason(absl::string_view reason);
  // Text streamed before the tool calls of a ToolCalls() turn.
  ChatTurn& WithText(absl::string_view text, int deltas = 1);

  // The HTTP answer to `request_stream` (whether the request asked for a
  // stream); `instant` drops every delay.
  ScriptedResponse ToResponse(bool request_stream, bool instant) const;

 private:
  std::vector<std::string> SseEvents() const;
  std::string CompletionJson() const;

  std::optional<ScriptedResponse> raw_;
  std::vector<std::string> text_deltas_;
  std::vector<ScriptedToolCall> calls_;
  int fragments_ = 3;
  std::string finish_reason_ = "stop";
  std::optional<std::pair<int64_t, int64_t>> usage_ =
      std::make_pair<int64_t, int64_t>(10, 5);
  absl::Duration gap_ = absl::ZeroDuration();
  absl::Duration initial_delay_ = absl::ZeroDuration();
  std::optional<int> drop_after_;
  std::optional<std::pair<int, absl::Duration>> pause_;
  size_t split_every_ = 0;
  bool non_streamed_ = false;
};

// One request as the server got it.
struct ChatRequestRecord {
  nlohmann::json body;  // the parsed JSON body (null if it was not JSON)
  std::map<std::string, std::string> headers;  // names lower-cased
  bool stream() const { return body.value("stream", false); }
  const nlohmann::json& messages() const { return body.at("messages"); }
  std::string Header(absl::string_view name) const;
};

// Thread-safe.
class ScriptedChatServer {
 public:
  using Handler = std::function<ChatTurn(const ChatRequestRecord&)>;

  // `worker_threads`: requests answered at once (see ScriptedHttpServer).
  static absl::StatusOr<std::unique_ptr<ScriptedChatServer>> Start(int worker_threads = 8);

  // "http://127.0.0.1:<port>/v1", the base URL for a client.
  std::string Url() const;

  void EnqueueTurn(ChatTurn turn);
  // Answers requests when no turn is queued (dynamic answers).
  void SetHandler(Handler handler);
  // Answers requests when no turn is queued and there is no handler.
  void SetDefaultTurn(ChatTurn turn);
  // Ignore all delays: every answer is written at once (benchmarks).
  void SetInstant(bool instant);

  std::vector<ChatRequestRecord> Requests() const;
  int RequestCount() const;
  // The underlying server (connection counts, raw requests).
  ScriptedHttpServer& http() { return *http_; }

 private:
  struct State;
  ScriptedChatServer(std::unique_ptr<ScriptedHttpServer> http,
                     std::shared_ptr<State> state);
  ScriptedResponse Answer(const ReceivedRequest& request);

  // Declared first so it outlives http_, whose threads use it until joined.
  std::shared_ptr<State> state_;
  std::unique_ptr<ScriptedHttpServer> http_;
};

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_FAKES_SCRIPTED_CHAT_SERVER_H_
