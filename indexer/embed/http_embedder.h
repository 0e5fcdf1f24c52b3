#ifndef ASSISTD_INDEXER_EMBED_HTTP_EMBEDDER_H_
#define ASSISTD_INDEXER_EMBED_HTTP_EMBEDDER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "indexer/embed/embedder.h"

namespace assistd::embed {

struct HttpEmbedderOptions {
  std::string base_url;   // e.g. "http://127.0.0.1:8000/v1" (POST <base_url>/embeddings)
  std::string model;      // sent as "model"
  std::string api_key;    // "Authorization: Bearer <key>" when non-empty
  int batch_size = 64;    // texts per request
  absl::Duration timeout = absl::Seconds(60);  // per request
  int max_retries = 4;    // on connection errors, 429 and 5xx
  absl::Duration initial_backoff = absl::Milliseconds(250);  // doubles, jittered
  int dimension = 0;      // 0: learn it from the first response (Create probes)
};

// An embedder for any OpenAI-compatible POST /v1/embeddings server (vLLM,
// llama.cpp, Ollama, TEI). Batches texts, keeps connections alive, retries
// with exponential backoff (honouring Retry-After up to 60 s) on connection
// errors, 429 and 5xx, and L2-normalises the vectors it gets. name() is
// "http:<model>". Create fails (Unavailable, InvalidArgument) if the server
// can't be reached or answers with something that is not an embedding list
// of a consistent dimension.
//
// Create always probes with one short text, and fails with InvalidArgument
// when options.dimension is set and the server's differs (or when base_url
// or model is empty, batch_size < 1, max_retries < 0 or dimension < 0).
// Embed sends nothing for an empty or all-whitespace text (servers reject
// those) and gives it a zero row. Embed errors: InvalidArgument when the
// server rejects a request with a 4xx other than 429 (the message carries
// the server's error message; never retried) or answers with a malformed
// list, a wrong count or a dimension other than dimension(); Unavailable
// (connection errors, 429, 5xx) or DeadlineExceeded once retries are spent.
absl::StatusOr<std::unique_ptr<Embedder>> NewHttpEmbedder(HttpEmbedderOptions options);

// Waits between retries; absl::SleepFor unless a test injects another.
using RetrySleeper = std::function<void(absl::Duration)>;

// As above, but sends through `client` and waits with `sleep` (null: the
// real clock). `client` is shared because one process keeps one connection
// pool per model server, used by the embedder and the chat client alike.
absl::StatusOr<std::unique_ptr<Embedder>> NewHttpEmbedder(
    HttpEmbedderOptions options, std::shared_ptr<http::HttpClient> client,
    RetrySleeper sleep = nullptr);

}  // namespace assistd::embed

#endif  // ASSISTD_INDEXER_EMBED_HTTP_EMBEDDER_H_
