#ifndef ASSISTD_COMMON_HTTP_HTTP_CLIENT_H_
#define ASSISTD_COMMON_HTTP_HTTP_CLIENT_H_

// An HTTP/1.1 client over libcurl (the only place that includes curl.h),
// for model servers: JSON requests, streamed responses (SSE), timeouts,
// cancellation and connection reuse.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace assistd::http {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::map<std::string, std::string> headers;  // e.g. {"Content-Type", "application/json"}
  std::string body;
  // Whole request; InfiniteDuration() for none; <= 0 fails at once
  // (DeadlineExceeded), so a caller can pass what is left of a deadline.
  absl::Duration timeout = absl::Seconds(60);
  absl::Duration connect_timeout = absl::Seconds(10);
  // When set, response body bytes are passed here as they arrive (and not
  // kept in HttpResponse::body), on the calling thread; returning false
  // aborts the transfer (Cancelled).
  std::function<bool(absl::string_view chunk)> on_body;
  // When set and it becomes true, the transfer stops soon (Cancelled):
  // within about 50 ms even while the server sends nothing. Borrowed; must
  // outlive Send().
  const std::atomic<bool>* cancelled = nullptr;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// Thread-safe; each call uses a pooled connection handle (keep-alive).
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends the request. Any HTTP status is a successful response; errors
  // are transport failures: Unavailable (connect/reset/DNS, or the
  // connection closed mid-response), DeadlineExceeded (timeout), Cancelled,
  // InvalidArgument (bad URL, a scheme other than http/https, a method that
  // is not upper-case letters, a header containing CR/LF), Internal
  // (libcurl itself failed). Curl's default "Expect: 100-continue" and
  // form Content-Type are not sent unless given in `headers`.
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

std::unique_ptr<HttpClient> NewCurlHttpClient();

}  // namespace assistd::http

#endif  // ASSISTD_COMMON_HTTP_HTTP_CLIENT_H_
