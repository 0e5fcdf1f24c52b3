#include "tests/fakes/scripted_chat_server.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace assistd::testing {
namespace {

using Json = nlohmann::json;

constexpr char kPath[] = "/v1/chat/completions";

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Splits `text` into up to `n` pieces of similar size, never inside a UTF-8
// sequence.
std::vector<std::string> SplitPieces(absl::string_view text, int n) {
  std::vector<std::string> pieces;
  if (text.empty()) return pieces;
  n = std::max(1, n);
  const size_t size = (text.size() + n - 1) / n;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(text.size(), pos + size);
    while (end < text.size() &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      ++end;
    }
    pieces.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return pieces;
}

std::string Event(const Json& json) {
  return absl::StrCat("data: ", Dump(json), "\n\n");
}

Json Chunk(Json delta, const Json& finish_reason = nullptr) {
  return {{"id", "chatcmpl-scripted"},
          {"object", "chat.completion.chunk"},
          {"created", 0},
          {"model", "scripted"},
          {"choices", Json::array({{{"index", 0},
                                    {"delta", std::move(delta)},
                                    {"finish_reason", finish_reason}}})}};
}

std::string CallId(const ScriptedToolCall& call, size_t index) {
  return call.id.empty() ? absl::StrCat("call_", index) : call.id;
}

}  // namespace

ChatTurn ChatTurn::Text(absl::string_view text, int deltas) {
  ChatTurn turn;
  turn.text_deltas_ = SplitPieces(text, deltas);
  return turn;
}

ChatTurn ChatTurn::ToolCalls(std::vector<ScriptedToolCall> calls,
                             int fragments) {
  ChatTurn turn;
  turn.calls_ = std::move(calls);
  turn.fragments_ = fragments;
  turn.finish_reason_ = "tool_calls";
  return turn;
}

ChatTurn ChatTurn::TextToolCall(absl::string_view name,
                                absl::string_view arguments_json, int deltas) {
  return Text(
      absl::StrCat("<tool_call>\n{\"name\": \"", name,
                   "\", \"arguments\": ", arguments_json, "}\n</tool_call>"),
      deltas);
}

ChatTurn ChatTurn::Error(int status, absl::string_view message,
                         std::map<std::string, std::string> headers) {
  const Json body = {{"error",
                      {{"message", std::string(message)},
                       {"type", "scripted_error"},
                       {"code", status}}}};
  return Raw(
      ScriptedResponse::WithStatus(status, std::move(headers), Dump(body)));
}

ChatTurn ChatTurn::RateLimited(int retry_after_seconds) {
  return Error(429, "rate limited (scripted)",
               {{"Retry-After", absl::StrCat(retry_after_seconds)}});
}

ChatTurn ChatTurn::Raw(ScriptedResponse response) {
  ChatTurn turn;
  if (response.content_type.empty()) response.content_type = "application/json";
  turn.raw_ = std::move(response);
  return turn;
}

ChatTurn& ChatTurn::WithDelay(absl::Duration gap) {
  gap_ = gap;
  return *this;
}
ChatTurn& ChatTurn::WithInitialDelay(absl::Duration delay) {
  initial_delay_ = delay;
  return *this;
}
ChatTurn& ChatTurn::PauseAfterChunks(int n, absl::Duration pause) {
  pause_ = std::make_pair(n, pause);
  return *this;
}
ChatTurn& ChatTurn::DropAfterChunks(int n) {
  drop_after_ = n;
  return *this;
}
ChatTurn& ChatTurn::SplitEvery(size_t bytes) {
  split_every_ = bytes;
  return *this;
}
ChatTurn& ChatTurn::NonStreamed() {
  non_streamed_ = true;
  return *this;
}
ChatTurn& ChatTurn::WithUsage(int64_t prompt_tokens,
                              int64_t completion_tokens) {
  usage_ = std::make_pair(prompt_tokens, completion_tokens);
  return *this;
}
ChatTurn& ChatTurn::WithoutUsage() {
  usage_.reset();
  return *this;
}
ChatTurn& ChatTurn::WithFinishReason(absl::string_view reason) {
  finish_reason_ = std::string(reason);
  return *this;
}
ChatTurn& ChatTurn::WithText(absl::string_view text, int deltas) {
  text_deltas_ = SplitPieces(text, deltas);
  return *this;
}

std::vector<std::string> ChatTurn::SseEvents() const {
  std::vector<std::string> events;
  events.push_back(Event(Chunk({{"role", "assistant"}, {"content", ""}})));
  for (const std::string& delta : text_deltas_) {
    events.push_back(Event(Chunk({{"content", delta}})));
  }
  for (size_t i = 0; i < calls_.size(); ++i) {
    const ScriptedToolCall& call = calls_[i];
    Json first = {{"index", i},
                  {"id", CallId(call, i)},
                  {"type", "function"},
                  {"function", {{"name", call.name}, {"arguments", ""}}}};
    events.push_back(Event(Chunk({{"tool_calls", Json::array({first})}})));
    for (const std::string& piece : SplitPieces(call.arguments, fragments_)) {
      Json next = {{"index", i}, {"function", {{"arguments", piece}}}};
      events.push_back(Event(Chunk({{"tool_calls", Json::array({next})}})));
    }
  }
  events.push_back(Event(Chunk(Json::object(), finish_reason_)));
  if (usage_) {
    Json usage = Chunk(Json::object());
    usage["choices"] = Json::array();
    usage["usage"] = {{"prompt_tokens", usage_->first},
                      {"completion_tokens", usage_->second},
                      {"total_tokens", usage_->first + usage_->second}};
    events.push_back(Event(usage));
  }
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::string ChatTurn::CompletionJson() const {
  std::string text;
  for (const std::string& delta : text_deltas_) text += delta;
  Json message = {{"role", "assistant"},
                  {"content", text.empty() && !calls_.empty() ? Json(nullptr)
                                                              : Json(text)}};
  if (!calls_.empty()) {
    Json calls = Json::array();
    for (size_t i = 0; i < calls_.size(); ++i) {
      calls.push_back(
          {{"id", CallId(calls_[i], i)},
           {"type", "function"},
           {"function",
            {{"name", calls_[i].name}, {"arguments", calls_[i].arguments}}}});
    }
    message["tool_calls"] = std::move(calls);
  }
  Json body = {{"id", "chatcmpl-scripted"},
               {"object", "chat.completion"},
               {"created", 0},
               {"model", "scripted"},
               {"choices", Json::array({{{"index", 0},
                                         {"message", std::move(message)},
                                         {"finish_reason", finish_reason_}}})}};
  if (usage_) {
    body["usage"] = {{"prompt_tokens", usage_->first},
                     {"completion_tokens", usage_->second},
                     {"total_tokens", usage_->first + usage_->second}};
  }
  return Dump(body);
}

ScriptedResponse ChatTurn::ToResponse(bool request_stream, bool instant) const {
  if (raw_) {
    ScriptedResponse response = *raw_;
    if (instant) response.delay = absl::ZeroDuration();
    return response;
  }
  if (!request_stream || non_streamed_) {
    ScriptedResponse response = ScriptedResponse::Json(CompletionJson());
    if (drop_after_) response.drop_after = response.body.size() / 2;
    if (!instant) response.delay = initial_delay_;
    return response;
  }
  std::vector<std::string> chunks = SseEvents();
  if (split_every_ > 0) {
    std::string all;
    for (const std::string& chunk : chunks) all += chunk;
    chunks.clear();
    for (size_t pos = 0; pos < all.size(); pos += split_every_) {
      chunks.push_back(all.substr(pos, split_every_));
    }
  }
  const bool drop = drop_after_.has_value() &&
                    static_cast<size_t>(*drop_after_) < chunks.size();
  if (drop) chunks.resize(*drop_after_);
  ScriptedResponse response;
  response.content_type = "text/event-stream";
  const absl::Duration gap = instant ? absl::ZeroDuration() : gap_;
  if (!instant) response.delay = initial_delay_;
  if (instant && !drop) {  // one write: the cheapest answer there is
    std::string all;
    for (const std::string& chunk : chunks) all += chunk;
    chunks = {std::move(all)};
  }
  std::optional<std::pair<int, absl::Duration>> pause;
  if (!instant) pause = pause_;
  response.stream = [chunks = std::move(chunks), gap, drop,
                     pause](ChunkWriter& writer) {
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (i > 0 && gap > absl::ZeroDuration() && !writer.Sleep(gap))
        return false;
      if (pause && static_cast<size_t>(pause->first) == i &&
          !writer.Sleep(pause->second)) {
        return false;
      }
      if (!writer.Write(chunks[i])) return false;
    }
    return !drop;
  };
  return response;
}

std::string ChatRequestRecord::Header(absl::string_view name) const {
  const auto it = headers.find(absl::AsciiStrToLower(name));
  return it == headers.end() ? "" : it->second;
}

struct ScriptedChatServer::State {
  mutable absl::Mutex mu;
  std::deque<ChatTurn> turns ABSL_GUARDED_BY(mu);
  Handler handler ABSL_GUARDED_BY(mu);
  std::optional<ChatTurn> default_turn ABSL_GUARDED_BY(mu);
  bool instant ABSL_GUARDED_BY(mu) = false;
  std::vector<ChatRequestRecord> requests ABSL_GUARDED_BY(mu);
};

absl::StatusOr<std::unique_ptr<ScriptedChatServer>>
ScriptedChatServer::Start(int worker_threads) {
  absl::StatusOr<std::unique_ptr<ScriptedHttpServer>> http =
      ScriptedHttpServer::Start(worker_threads);
  if (!http.ok()) return http.status();
  auto state = std::make_shared<State>();
  std::unique_ptr<ScriptedChatServer> server(
      new ScriptedChatServer(*std::move(http), state));
  ScriptedChatServer* self = server.get();
  server->http_->Handle("POST", kPath, [self](const ReceivedRequest& request) {
    return self->Answer(request);
  });
  return server;
}

ScriptedChatServer::ScriptedChatServer(std::unique_ptr<ScriptedHttpServer> http,
                                       std::shared_ptr<State> state)
    : state_(std::move(state)), http_(std::move(http)) {}

std::string ScriptedChatServer::Url() const { return http_->Url("/v1"); }

ScriptedResponse ScriptedChatServer::Answer(const ReceivedRequest& request) {
  ChatRequestRecord record;
  record.body = Json::parse(request.body, nullptr, false);
  if (record.body.is_discarded()) record.body = nullptr;
  record.headers = request.headers;
  const bool stream = record.body.is_object() && record.stream();
  std::optional<ChatTurn> turn;
  Handler handler;
  bool instant = false;
  {
    absl::MutexLock lock(&state_->mu);
    state_->requests.push_back(record);
    instant = state_->instant;
    if (!state_->turns.empty()) {
      turn = std::move(state_->turns.front());
      state_->turns.pop_front();
    } else if (state_->handler) {
      handler = state_->handler;
    } else if (state_->default_turn) {
      turn = *state_->default_turn;
    }
  }
  // The handler may block on the test: never under the lock.
  if (!turn && handler) turn = handler(record);
  if (!turn)
    turn = ChatTurn::Error(500, "scripted chat server: no turn scripted");
  return turn->ToResponse(stream, instant);
}

void ScriptedChatServer::EnqueueTurn(ChatTurn turn) {
  absl::MutexLock lock(&state_->mu);
  state_->turns.push_back(std::move(turn));
}

void ScriptedChatServer::SetHandler(Handler handler) {
  absl::MutexLock lock(&state_->mu);
  state_->handler = std::move(handler);
}

void ScriptedChatServer::SetDefaultTurn(ChatTurn turn) {
  absl::MutexLock lock(&state_->mu);
  state_->default_turn = std::move(turn);
}

void ScriptedChatServer::SetInstant(bool instant) {
  absl::MutexLock lock(&state_->mu);
  state_->instant = instant;
}

std::vector<ChatRequestRecord> ScriptedChatServer::Requests() const {
  absl::MutexLock lock(&state_->mu);
  return state_->requests;
}

int ScriptedChatServer::RequestCount() const {
  absl::MutexLock lock(&state_->mu);
  return static_cast<int>(state_->requests.size());
}

}  // namespace assistd::testing
