#include "indexer/embed/http_embedder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"

namespace assistd::embed {
namespace {

using Json = nlohmann::json;
using Rows = std::vector<std::vector<float>>;

constexpr absl::Duration kMaxRetryDelay = absl::Seconds(60);
constexpr absl::Duration kMaxConnectTimeout = absl::Seconds(10);
constexpr size_t kMaxQuotedBody = 300;
constexpr char kProbeText[] = "dimension probe";

// The outcome of one request.
struct Attempt {
  absl::Status status;  // OK: `rows` holds the parsed embeddings
  Rows rows;
  bool retryable = false;
  std::optional<absl::Duration> retry_after;  // from the server, capped
};

bool IsBlank(absl::string_view text) {
  return absl::StripAsciiWhitespace(text).empty();
}

// The server's own words for an error: OpenAI's {"error":{"message":..}},
// {"error":".."}, FastAPI's {"detail":..}, or the start of the raw body.
std::string ServerMessage(absl::string_view body) {
  const Json doc = Json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_object()) {
    const auto error = doc.find("error");
    if (error != doc.end() && error->is_object()) {
      const auto message = error->find("message");
      if (message != error->end() && message->is_string())
        return message->get<std::string>();
    }
    if (error != doc.end() && error->is_string())
      return error->get<std::string>();
    for (const char* key : {"detail", "message"}) {
      const auto it = doc.find(key);
      if (it != doc.end() && it->is_string()) return it->get<std::string>();
    }
  }
  if (body.empty()) return "(empty body)";
  return std::string(body.substr(0, kMaxQuotedBody));
}

// Retry-After in seconds (HTTP dates are ignored), capped at 60 s.
std::optional<absl::Duration> RetryAfter(const http::HttpResponse& response) {
  const auto it = response.headers.find("retry-after");
  if (it == response.headers.end()) return std::nullopt;
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(it->second, &seconds) || seconds < 0)
    return std::nullopt;
  return std::min(absl::Seconds(seconds), kMaxRetryDelay);
}

// Reads one data[] item's embedding; `*dimension` is 0 until known.
absl::StatusOr<std::vector<float>> ParseVector(const Json& item,
                                               int* dimension) {
  const auto embedding = item.find("embedding");
  if (embedding == item.end() || !embedding->is_array() || embedding->empty()) {
    return absl::InvalidArgumentError("an item has no \"embedding\" list");
  }
  const int size = static_cast<int>(embedding->size());
  if (*dimension != 0 && size != *dimension) {
    return absl::InvalidArgumentError(absl::StrCat(
        "an embedding has dimension ", size, ", expected ", *dimension));
  }
  *dimension = size;
  std::vector<float> row;
  row.reserve(size);
  for (const Json& value : *embedding) {
    if (!value.is_number()) {
      return absl::InvalidArgumentError("an embedding holds a non-number");
    }
    const float f = static_cast<float>(value.get<double>());
    if (!std::isfinite(f)) {
      return absl::InvalidArgumentError(
          "an embedding holds a non-finite number");
    }
    row.push_back(f);
  }
  return row;
}

// Parses data[i].embedding into rows ordered by data[i].index (falling back
// to the position when a server omits the index). `dimension` 0: any, but
// every row the same.
absl::StatusOr<Rows> ParseEmbeddings(absl::string_view body, size_t count,
                                     int dimension) {
  const Json doc = Json::parse(body.begin(), body.end(), nullptr, false);
  if (!doc.is_object()) return absl::InvalidArgumentError("not a JSON object");
  const auto data = doc.find("data");
  if (data == doc.end() || !data->is_array()) {
    return absl::InvalidArgumentError("no \"data\" list");
  }
  if (data->size() != count) {
    return absl::InvalidArgumentError(
        absl::StrCat(data->size(), " embeddings for ", count, " inputs"));
  }
  Rows rows(count);
  std::vector<bool> seen(count, false);
  for (size_t position = 0; position < count; ++position) {
    const Json& item = (*data)[position];
    if (!item.is_object())
      return absl::InvalidArgumentError("an item is not an object");
    int64_t index = static_cast<int64_t>(position);
    const auto index_it = item.find("index");
    if (index_it != item.end()) {
      if (!index_it->is_number_integer()) {
        return absl::InvalidArgumentError("an \"index\" is not an integer");
      }
      index = index_it->get<int64_t>();
    }
    if (index < 0 || index >= static_cast<int64_t>(count) || seen[index]) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad or repeated index ", index));
    }
    seen[index] = true;
    ASSIGN_OR_RETURN(rows[index], ParseVector(item, &dimension));
  }
  return rows;
}

void Normalize(std::vector<float>& row) {
  double norm = 0;
  for (float v : row) norm += static_cast<double>(v) * v;
  if (norm == 0) return;
  const float scale = static_cast<float>(1.0 / std::sqrt(norm));
  for (float& v : row) v *= scale;
}

std::string RequestBody(const std::string& model,
                        absl::Span<const std::string* const> texts) {
  Json input = Json::array();
  for (const std::string* text : texts) input.push_back(*text);
  const Json body = {{"model", model},
                     {"input", std::move(input)},
                     {"encoding_format", "float"}};
  // Invalid UTF-8 would make dump() throw; replace it instead.
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Turns an HTTP answer into rows, or an error saying whether to retry.
Attempt ReadAnswer(const http::HttpResponse& response, absl::string_view url,
                   size_t count, int dimension) {
  Attempt attempt;
  const int status = response.status;
  if (status < 200 || status >= 300) {
    attempt.retryable = status == 429 || status >= 500;
    const std::string message =
        absl::StrCat("embedding server ", url, " answered HTTP ", status, ": ",
                     ServerMessage(response.body));
    attempt.status = attempt.retryable ? absl::UnavailableError(message)
                                       : absl::InvalidArgumentError(message);
    if (attempt.retryable) attempt.retry_after = RetryAfter(response);
    return attempt;
  }
  absl::StatusOr<Rows> rows = absl::InternalError("unparsed");
  try {  // ParseEmbeddings checks each type before use; this is a backstop
    rows = ParseEmbeddings(response.body, count, dimension);
  } catch (const Json::exception& e) {
    rows = absl::InvalidArgumentError(e.what());
  }
  if (!rows.ok()) {
    attempt.status = absl::InvalidArgumentError(
        absl::StrCat("embedding server ", url,
                     " sent a bad answer: ", rows.status().message()));
    return attempt;
  }
  attempt.rows = *std::move(rows);
  return attempt;
}

absl::Status ValidateOptions(const HttpEmbedderOptions& options) {
  if (options.base_url.empty() || options.model.empty()) {
    return absl::InvalidArgumentError(
        "embedding server base_url and model are required");
  }
  if (options.batch_size < 1 || options.max_retries < 0 ||
      options.dimension < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("embedding options out of range: batch_size ",
                     options.batch_size, ", max_retries ", options.max_retries,
                     ", dimension ", options.dimension));
  }
  return absl::OkStatus();
}

// Thread-safe: everything is constant once Probe() has run (before the
// embedder is handed out); the client is thread-safe and `sleep_` must be.
class HttpEmbedder final : public Embedder {
 public:
  HttpEmbedder(HttpEmbedderOptions options,
               std::shared_ptr<http::HttpClient> client, RetrySleeper sleep)
      : options_(std::move(options)),
        url_(absl::StrCat(absl::StripSuffix(options_.base_url, "/"),
                          "/embeddings")),
        client_(std::move(client)),
        sleep_(std::move(sleep)) {}

  std::string name() const override {
    return absl::StrCat("http:", options_.model);
  }
  int dimension() const override { return dimension_; }
  absl::StatusOr<std::vector<float>> Embed(
      absl::Span<const std::string> texts) override;

  // Learns (or checks) the dimension with one request.
  absl::Status Probe();

 private:
  absl::StatusOr<Rows> EmbedBatch(absl::Span<const std::string* const> texts,
                                  int dimension) const;
  Attempt TryOnce(const std::string& body, size_t count, int dimension) const;
  absl::Duration Backoff(int retry) const;

  const HttpEmbedderOptions options_;
  const std::string url_;
  // Shared: see NewHttpEmbedder.
  const std::shared_ptr<http::HttpClient> client_;
  const RetrySleeper sleep_;
  int dimension_ = 0;  // written only by Probe()
};

absl::Status HttpEmbedder::Probe() {
  const std::string probe = kProbeText;
  const std::string* texts[] = {&probe};
  ASSIGN_OR_RETURN(Rows rows, EmbedBatch(texts, options_.dimension));
  dimension_ = static_cast<int>(rows[0].size());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<float>> HttpEmbedder::Embed(
    absl::Span<const std::string> texts) {
  std::vector<float> out(texts.size() * dimension_, 0.0f);
  std::vector<size_t> todo;  // non-blank texts, in order
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!IsBlank(texts[i])) todo.push_back(i);
  }
  const size_t batch_size = static_cast<size_t>(options_.batch_size);
  for (size_t begin = 0; begin < todo.size(); begin += batch_size) {
    const size_t end = std::min(todo.size(), begin + batch_size);
    std::vector<const std::string*> batch;
    for (size_t k = begin; k < end; ++k) batch.push_back(&texts[todo[k]]);
    ASSIGN_OR_RETURN(Rows rows, EmbedBatch(batch, dimension_));
    for (size_t k = begin; k < end; ++k) {
      std::copy(rows[k - begin].begin(), rows[k - begin].end(),
                out.begin() + todo[k] * dimension_);
    }
  }
  return out;
}

absl::StatusOr<Rows> HttpEmbedder::EmbedBatch(
    absl::Span<const std::string* const> texts, int dimension) const {
  const std::string body = RequestBody(options_.model, texts);
  for (int retry = 0;; ++retry) {
    Attempt attempt = TryOnce(body, texts.size(), dimension);
    if (attempt.status.ok()) {
      for (std::vector<float>& row : attempt.rows) Normalize(row);
      return std::move(attempt.rows);
    }
    if (!attempt.retryable || retry >= options_.max_retries)
      return attempt.status;
    sleep_(attempt.retry_after.value_or(Backoff(retry)));
  }
}

Attempt HttpEmbedder::TryOnce(const std::string& body, size_t count,
                              int dimension) const {
  http::HttpRequest request;
  request.method = "POST";
  request.url = url_;
  request.headers = {{"Content-Type", "application/json"},
                     {"Accept", "application/json"}};
  if (!options_.api_key.empty()) {
    request.headers["Authorization"] =
        absl::StrCat("Bearer ", options_.api_key);
  }
  request.body = body;
  request.timeout = options_.timeout;
  request.connect_timeout = std::min(options_.timeout, kMaxConnectTimeout);
  Attempt attempt;
  absl::StatusOr<http::HttpResponse> response = client_->Send(request);
  if (!response.ok()) {
    const absl::StatusCode code = response.status().code();
    attempt.retryable = code == absl::StatusCode::kUnavailable ||
                        code == absl::StatusCode::kDeadlineExceeded;
    attempt.status = absl::Status(
        code, absl::StrCat("embedding server: ", response.status().message()));
    return attempt;
  }
  return ReadAnswer(*response, url_, count, dimension);
}

// initial_backoff * 2^retry (capped), with "equal jitter": a uniform draw
// from the upper half, so concurrent clients spread out but still back off.
absl::Duration HttpEmbedder::Backoff(int retry) const {
  absl::Duration base = options_.initial_backoff;
  for (int i = 0; i < retry && base < kMaxRetryDelay; ++i) base *= 2;
  base = std::min(base, kMaxRetryDelay);
  absl::BitGen gen;
  return base / 2 + base / 2 * absl::Uniform(gen, 0.0, 1.0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Embedder>> NewHttpEmbedder(
    HttpEmbedderOptions options) {
  return NewHttpEmbedder(std::move(options), http::NewCurlHttpClient());
}

absl::StatusOr<std::unique_ptr<Embedder>> NewHttpEmbedder(
    HttpEmbedderOptions options, std::shared_ptr<http::HttpClient> client,
    RetrySleeper sleep) {
  RETURN_IF_ERROR(ValidateOptions(options));
  if (client == nullptr) return absl::InvalidArgumentError("no HTTP client");
  if (!sleep) sleep = [](absl::Duration d) { absl::SleepFor(d); };
  auto embedder = std::make_unique<HttpEmbedder>(
      std::move(options), std::move(client), std::move(sleep));
  RETURN_IF_ERROR(embedder->Probe());
  return embedder;
}

}  // namespace assistd::embed
