#include "services/orchestrator/model/openai_chat_model.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "services/orchestrator/model/openai_wire.h"
#include "services/orchestrator/model/sse_parser.h"

namespace assistd::model {
namespace {

// A whole (non-streamed) answer or an error body larger than this is cut.
constexpr size_t kMaxBufferedBody = 16 << 20;
// Of a body that looked like a stream, this much is kept for error messages.
constexpr size_t kMaxQuotedStream = 4096;
constexpr absl::Duration kSleepSlice = absl::Milliseconds(50);
// libcurl's whole-transfer timer may fire a little early or late.
constexpr absl::Duration kTimeoutSlack = absl::Milliseconds(50);

bool IsCancelled(const std::atomic<bool>* cancelled) {
  return cancelled != nullptr && cancelled->load(std::memory_order_relaxed);
}

// Reads a response body as it arrives. The status line is not known yet
// while bytes arrive, so the shape decides: a body starting with "{" or "["
// is buffered whole (a non-streamed answer or an error); anything else is
// parsed as SSE and streamed to the assembler at once.
class BodyReader {
 public:
  explicit BodyReader(ChatAnswerAssembler* assembler)
      : assembler_(assembler), parser_([this](absl::string_view data) {
          status_ = assembler_->OnChunk(data);
          return status_.ok();
        }) {}

  // False stops the transfer; status() says why.
  bool Feed(absl::string_view chunk) {
    if (mode_ != Mode::kUnknown) return Consume(chunk);
    sniffed_.append(chunk.data(), chunk.size());
    const absl::string_view head = absl::StripLeadingAsciiWhitespace(sniffed_);
    if (head.empty()) return true;
    mode_ = (head[0] == '{' || head[0] == '[') ? Mode::kJson : Mode::kSse;
    const std::string all = std::move(sniffed_);
    return Consume(all);
  }

  // The 2xx body ended: delivers what is left.
  absl::Status Finish() {
    RETURN_IF_ERROR(status_);
    if (mode_ == Mode::kJson) return assembler_->OnCompletion(raw_);
    parser_.Finish();
    RETURN_IF_ERROR(status_);
    if (!assembler_->complete()) {
      return absl::UnavailableError(
          "the model server's stream ended before the answer was complete");
    }
    return absl::OkStatus();
  }

  const absl::Status& status() const { return status_; }
  const std::string& raw() const { return raw_; }

 private:
  enum class Mode { kUnknown, kSse, kJson };

  bool Consume(absl::string_view chunk) {
    if (mode_ == Mode::kJson || raw_.size() < kMaxQuotedStream) {
      const size_t room =
          kMaxBufferedBody - std::min(kMaxBufferedBody, raw_.size());
      raw_.append(chunk.data(), std::min(room, chunk.size()));
    }
    if (mode_ == Mode::kSse) return parser_.Feed(chunk);
    return true;
  }

  ChatAnswerAssembler* const assembler_;
  SseParser parser_;
  Mode mode_ = Mode::kUnknown;
  std::string sniffed_;  // leading whitespace, before the shape is known
  std::string raw_;
  absl::Status status_;
};

// Retry-After (seconds, possibly fractional) or retry-after-ms.
std::optional<absl::Duration> RetryAfter(const http::HttpResponse& response) {
  double value = 0;
  auto it = response.headers.find("retry-after-ms");
  if (it != response.headers.end() && absl::SimpleAtod(it->second, &value) &&
      std::isfinite(value) && value >= 0) {
    return absl::Milliseconds(value);
  }
  it = response.headers.find("retry-after");
  if (it != response.headers.end() && absl::SimpleAtod(it->second, &value) &&
      std::isfinite(value) && value >= 0) {
    return absl::Seconds(value);
  }
  return std::nullopt;  // an HTTP date is ignored: backoff applies
}

absl::Status StatusForHttp(int status, const std::string& message) {
  if (status == 429) return absl::ResourceExhaustedError(message);
  if (status == 401) return absl::UnauthenticatedError(message);
  if (status == 403) return absl::PermissionDeniedError(message);
  if (status == 404) return absl::NotFoundError(message);
  if (status == 408) return absl::DeadlineExceededError(message);
  if (status >= 500) return absl::UnavailableError(message);
  return absl::InvalidArgumentError(message);
}

}  // namespace

// The outcome of one HTTP exchange.
struct OpenAICompatibleChatModel::Attempt {
  absl::StatusOr<ChatResult> result = absl::UnknownError("not attempted");
  bool retryable = false;
  bool emitted = false;  // the observer has seen part of this answer
  std::optional<absl::Duration> retry_after;
};

absl::StatusOr<std::unique_ptr<OpenAICompatibleChatModel>>
OpenAICompatibleChatModel::Create(OpenAIChatModelOptions options,
                                  std::shared_ptr<http::HttpClient> client) {
  if (options.base_url.empty()) {
    return absl::InvalidArgumentError("model endpoint: base_url is required");
  }
  if (options.retry.max_attempts < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("model endpoint ", options.base_url,
                     ": retry.max_attempts must be >= 1"));
  }
  if (client == nullptr) client = http::NewCurlHttpClient();
  return std::unique_ptr<OpenAICompatibleChatModel>(
      new OpenAICompatibleChatModel(std::move(options), std::move(client)));
}

OpenAICompatibleChatModel::OpenAICompatibleChatModel(
    OpenAIChatModelOptions options, std::shared_ptr<http::HttpClient> client)
    : options_(std::move(options)),
      url_(absl::StrCat(absl::StripSuffix(options_.base_url, "/"),
                        "/chat/completions")),
      client_(std::move(client)) {}

absl::StatusOr<ChatResult> OpenAICompatibleChatModel::Complete(
    const ChatRequest& request, ChatStreamObserver* observer) {
  const std::string& upstream =
      options_.upstream_model.empty() ? request.model : options_.upstream_model;
  ASSIGN_OR_RETURN(const std::string body,
                   BuildChatCompletionBody(request, upstream, options_.stream));
  const absl::Time deadline =
      absl::Now() + std::min(request.timeout, options_.max_timeout);
  for (int retry = 0;; ++retry) {
    Attempt attempt = TryOnce(request, body, deadline, observer);
    if (attempt.result.ok() || attempt.emitted || !attempt.retryable ||
        retry + 1 >= options_.retry.max_attempts) {
      return std::move(attempt.result);
    }
    const absl::Duration wait =
        std::min(attempt.retry_after.value_or(Backoff(retry)),
                 options_.retry.max_backoff);
    // Waiting past the deadline only to time out helps nobody.
    if (absl::Now() + wait >= deadline) return std::move(attempt.result);
    Sleep(wait, request.cancelled);
    if (IsCancelled(request.cancelled)) {
      return absl::CancelledError(absl::StrCat(url_, ": cancelled"));
    }
  }
}

http::HttpRequest OpenAICompatibleChatModel::MakeHttpRequest(
    const ChatRequest& request, const std::string& body,
    absl::Duration timeout) const {
  http::HttpRequest http;
  http.method = "POST";
  http.url = url_;
  http.headers = options_.extra_headers;
  http.headers["Content-Type"] = "application/json";
  http.headers["Accept"] = options_.stream
                               ? "text/event-stream, application/json"
                               : "application/json";
  if (!options_.api_key.empty()) {
    http.headers["Authorization"] = absl::StrCat("Bearer ", options_.api_key);
  }
  http.body = body;
  http.timeout = timeout;
  http.connect_timeout = std::min(options_.connect_timeout, timeout);
  http.cancelled = request.cancelled;
  return http;
}

OpenAICompatibleChatModel::Attempt OpenAICompatibleChatModel::TryOnce(
    const ChatRequest& request, const std::string& body, absl::Time deadline,
    ChatStreamObserver* observer) const {
  Attempt attempt;
  ChatAnswerAssembler assembler(observer);
  BodyReader reader(&assembler);
  const absl::Time started = absl::Now();
  http::HttpRequest http = MakeHttpRequest(request, body, deadline - started);
  http.on_body = [&reader](absl::string_view chunk) {
    return reader.Feed(chunk);
  };
  absl::StatusOr<http::HttpResponse> response = client_->Send(http);
  // A timeout well before the request's own was the connect timeout.
  const bool connect_timeout =
      absl::Now() - started + kTimeoutSlack < http.timeout;
  attempt.emitted = assembler.emitted();
  if (!reader.status().ok()) {  // the stream itself was bad or unwanted
    attempt.result = reader.status();
    attempt.retryable =
        reader.status().code() == absl::StatusCode::kUnavailable;
    return attempt;
  }
  if (!response.ok()) {
    const absl::StatusCode code = response.status().code();
    attempt.retryable =
        code == absl::StatusCode::kUnavailable ||
        (code == absl::StatusCode::kDeadlineExceeded && connect_timeout);
    std::string message =
        absl::StrCat("model server: ", response.status().message());
    if (attempt.emitted && code == absl::StatusCode::kUnavailable) {
      absl::StrAppend(&message,
                      " (the answer had begun streaming; not retried)");
    }
    attempt.result = absl::Status(code, message);
    return attempt;
  }
  if (response->status < 200 || response->status >= 300) {
    attempt.result = StatusForHttp(
        response->status,
        absl::StrCat("model server ", url_, " answered HTTP ", response->status,
                     ": ", ServerErrorMessage(reader.raw())));
    attempt.retryable = response->status == 429 || response->status == 408 ||
                        response->status >= 500;
    attempt.retry_after = RetryAfter(*response);
    return attempt;
  }
  const absl::Status finished = reader.Finish();
  attempt.emitted = assembler.emitted();
  if (!finished.ok()) {
    attempt.result = finished;
    attempt.retryable = finished.code() == absl::StatusCode::kUnavailable;
    return attempt;
  }
  attempt.result = assembler.Finish(request);
  return attempt;
}

// initial_backoff * 2^retry (capped), with "equal jitter": a uniform draw
// from the upper half, so concurrent clients spread out but still back off.
absl::Duration OpenAICompatibleChatModel::Backoff(int retry) const {
  absl::Duration base = options_.retry.initial_backoff;
  for (int i = 0; i < retry && base < options_.retry.max_backoff; ++i)
    base *= 2;
  base = std::min(base, options_.retry.max_backoff);
  absl::BitGen gen;
  return base / 2 + base / 2 * absl::Uniform(gen, 0.0, 1.0);
}

void OpenAICompatibleChatModel::Sleep(
    absl::Duration duration, const std::atomic<bool>* cancelled) const {
  if (options_.sleep) {
    options_.sleep(duration);
    return;
  }
  const absl::Time end = absl::Now() + duration;
  for (absl::Time now = absl::Now(); now < end && !IsCancelled(cancelled);
       now = absl::Now()) {
    absl::SleepFor(std::min(kSleepSlice, end - now));
  }
}

}  // namespace assistd::model
