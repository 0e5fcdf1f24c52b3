#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_OPENAI_CHAT_MODEL_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_OPENAI_CHAT_MODEL_H_

// A ChatModel for any OpenAI-style /v1/chat/completions server (vLLM,
// llama.cpp's server, Ollama, OpenAI itself) over common/http.
//
// It asks for a streamed answer (SSE, with usage in the final chunk) and
// also accepts a whole JSON answer from servers that ignore "stream".
// Retries with exponential backoff (honouring Retry-After and
// retry-after-ms) on 429, 408, 5xx, connection failures and streams that
// broke, but only while nothing has reached the observer: once a byte of
// the answer was streamed, a failure is final (Unavailable), so the caller
// never sees a fragment twice. See openai_wire.h for the request body.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "services/orchestrator/model/chat_model.h"

namespace assistd::model {

struct ChatRetryPolicy {
  int max_attempts = 3;  // >= 1; 1 = no retries
  absl::Duration initial_backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Seconds(20);  // also caps Retry-After
};

struct OpenAIChatModelOptions {
  // E.g. "http://127.0.0.1:8000/v1"; "/chat/completions" is appended.
  std::string base_url;
  // Sent as "Authorization: Bearer <api_key>" when non-empty.
  std::string api_key;
  // Sent as "model" instead of ChatRequest::model when non-empty.
  std::string upstream_model;
  absl::Duration connect_timeout = absl::Seconds(10);
  // Caps ChatRequest::timeout (the whole call, retries included).
  absl::Duration max_timeout = absl::Minutes(10);
  ChatRetryPolicy retry;
  // Added to every request (e.g. an organisation header).
  std::map<std::string, std::string> extra_headers;
  // False asks for one whole JSON answer (delivered to the observer at once).
  bool stream = true;
  // Waits between attempts; null: a real sleep that ends early when the
  // request is cancelled. Tests pass a recorder.
  std::function<void(absl::Duration)> sleep;
};

// Thread-safe: constant after Create; the HTTP client is thread-safe.
class OpenAICompatibleChatModel final : public ChatModel {
 public:
  // `client` is shared because one process keeps one connection pool for
  // all model servers (chat and embeddings); null makes a curl client.
  // InvalidArgument for an empty base_url or max_attempts < 1.
  static absl::StatusOr<std::unique_ptr<OpenAICompatibleChatModel>> Create(
      OpenAIChatModelOptions options,
      std::shared_ptr<http::HttpClient> client = nullptr);

  OpenAICompatibleChatModel(const OpenAICompatibleChatModel&) = delete;
  OpenAICompatibleChatModel& operator=(const OpenAICompatibleChatModel&) =
      delete;

  // Errors as ChatModel documents: ResourceExhausted (429 after retries),
  // Unavailable (5xx or connection failures after retries; any failure
  // after streaming began; a broken stream), DeadlineExceeded, Cancelled
  // (request.cancelled or the observer said stop), InvalidArgument
  // (400/413/422 and other 4xx with the server's message; a bad request
  // field), Unauthenticated (401), PermissionDenied (403), NotFound (404).
  absl::StatusOr<ChatResult> Complete(const ChatRequest& request,
                                      ChatStreamObserver* observer) override;

  const std::string& url() const { return url_; }

 private:
  struct Attempt;
  OpenAICompatibleChatModel(OpenAIChatModelOptions options,
                            std::shared_ptr<http::HttpClient> client);
  Attempt TryOnce(const ChatRequest& request, const std::string& body,
                  absl::Time deadline, ChatStreamObserver* observer) const;
  http::HttpRequest MakeHttpRequest(const ChatRequest& request,
                                    const std::string& body,
                                    absl::Duration timeout) const;
  absl::Duration Backoff(int retry) const;
  void Sleep(absl::Duration duration, const std::atomic<bool>* cancelled) const;

  const OpenAIChatModelOptions options_;
  const std::string url_;
  const std::shared_ptr<http::HttpClient> client_;
};

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_OPENAI_CHAT_MODEL_H_
