// The libcurl implementation of HttpClient; the only file that includes
// curl.h.
//
// Each pooled slot pairs an easy handle with its own multi handle: the multi
// handle owns the connection cache, so reusing the pair reuses the kept-alive
// connection. Driving the transfer through curl_multi_poll() in short slices
// (instead of curl_easy_perform) lets us notice HttpRequest::cancelled within
// kPollMs even while the server sends nothing.

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/http/http_client.h"
#include "common/status_macros.h"

namespace assistd::http {
namespace {

constexpr size_t kMaxIdleHandles = 32;
// How long a cancellation can go unnoticed while no bytes arrive.
constexpr int kPollMs = 50;

// curl_global_init is not safe to race with itself; run it once per process.
CURLcode GlobalInit() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

// A pooled transfer slot. Owns both handles.
struct CurlHandle {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;

  CurlHandle() = default;
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;
  ~CurlHandle() {
    // The easy handle is never left attached to the multi handle.
    if (multi != nullptr) curl_multi_cleanup(multi);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// State shared with the libcurl callbacks during one transfer.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  bool aborted = false;  // a callback stopped the transfer: Cancelled
  char error[CURL_ERROR_SIZE] = {0};
};

bool IsCancelled(const HttpRequest& request) {
  return request.cancelled != nullptr &&
         request.cancelled->load(std::memory_order_relaxed);
}

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  // Returning a short count makes libcurl fail with CURLE_WRITE_ERROR.
  if (IsCancelled(*t->request)) {
    t->aborted = true;
    return n == 0 ? 1 : 0;
  }
  if (t->request->on_body) {
    if (!t->request->on_body(absl::string_view(data, n))) {
      t->aborted = true;
      return n == 0 ? 1 : 0;
    }
  } else {
    t->response->body.append(data, n);
  }
  return n;
}

size_t OnHeader(char* data, size_t size, size_t nitems, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nitems;
  absl::string_view line =
      absl::StripAsciiWhitespace(absl::string_view(data, n));
  auto& headers = t->response->headers;
  // A status line starts a new response (after "100 Continue"): keep only
  // the final response's headers.
  if (absl::StartsWith(line, "HTTP/")) {
    headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos || colon == 0) return n;
  std::string name =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
  std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  auto [it, inserted] = headers.emplace(std::move(name), value);
  if (!inserted) absl::StrAppend(&it->second, ", ", value);  // RFC 9110 5.3
  return n;
}

bool HasHeader(const HttpRequest& request, absl::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (absl::EqualsIgnoreCase(key, name)) return true;
  }
  return false;
}

absl::Status ValidateRequest(const HttpRequest& request) {
  if (request.method.empty() ||
      !std::all_of(request.method.begin(), request.method.end(),
                   [](char c) { return absl::ascii_isupper(c); })) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad HTTP method \"", request.method, "\""));
  }
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || name.find_first_of(":\r\n \t") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad HTTP header \"", name, "\""));
    }
  }
  return absl::OkStatus();
}

// Builds the request header list. libcurl drops a header given as "Name:"
// and sends an empty one given as "Name;".
absl::StatusOr<HeaderList> BuildHeaders(const HttpRequest& request) {
  std::vector<std::string> lines;
  for (const auto& [name, value] : request.headers) {
    lines.push_back(value.empty() ? absl::StrCat(name, ";")
                                  : absl::StrCat(name, ": ", value));
  }
  // libcurl would wait for "100 Continue" before sending large bodies, and
  // label bodies as form data; neither helps a JSON API.
  if (!HasHeader(request, "Expect")) lines.push_back("Expect:");
  if (!HasHeader(request, "Content-Type")) lines.push_back("Content-Type:");
  HeaderList list;
  for (const std::string& line : lines) {
    curl_slist* appended = curl_slist_append(list.get(), line.c_str());
    if (appended == nullptr)
      return absl::InternalError("curl_slist_append failed");
    list.release();
    list.reset(appended);
  }
  return list;
}

// Sets how the method and body are sent.
CURLcode SetMethod(CURL* easy, const HttpRequest& request) {
  const std::string& method = request.method;
  if (method == "GET" && request.body.empty()) {
    return curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  }
  if (method == "HEAD") return curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  if (request.body.empty() && method != "POST") {
    return curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  CURLcode rc = curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                                 static_cast<curl_off_t>(request.body.size()));
  if (rc == CURLE_OK) {
    rc = curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
  }
  if (rc == CURLE_OK && method != "POST") {
    rc = curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  return rc;
}

long ToMillis(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return 0;  // libcurl: no limit
  return static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

absl::Status Configure(CURL* easy, const HttpRequest& request,
                       curl_slist* headers, Transfer* t) {
  curl_easy_reset(easy);  // keeps live connections
  CURLcode rc = CURLE_OK;
  auto set = [&rc](CURLcode result) {
    if (rc == CURLE_OK) rc = result;
  };
  set(curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str()));
  set(curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, ToMillis(request.timeout)));
  set(curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                       ToMillis(request.connect_timeout)));
  set(curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error));
  set(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody));
  set(curl_easy_setopt(easy, CURLOPT_WRITEDATA, t));
  set(curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader));
  set(curl_easy_setopt(easy, CURLOPT_HEADERDATA, t));
  set(curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers));
  set(SetMethod(easy, request));
  if (rc != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("configuring libcurl: ", curl_easy_strerror(rc)));
  }
  return absl::OkStatus();
}

absl::Status MapResult(CURLcode code, const HttpRequest& request,
                       const Transfer& t) {
  if (code == CURLE_OK) return absl::OkStatus();
  const std::string message =
      absl::StrCat(request.method, " ", request.url, ": ",
                   t.error[0] != '\0' ? t.error : curl_easy_strerror(code));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(message);
    case CURLE_ABORTED_BY_CALLBACK:
      return absl::CancelledError(message);
    case CURLE_WRITE_ERROR:
      if (t.aborted) return absl::CancelledError(message);
      return absl::UnavailableError(message);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(message);
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
      return absl::InternalError(message);
    default:  // connect, DNS, reset, truncated or garbled response, TLS
      return absl::UnavailableError(message);
  }
}

// Reads the finished transfer's result, if it has finished.
bool TakeResult(CURLM* multi, CURLcode* result) {
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg == CURLMSG_DONE) {
      *result = msg->data.result;
      return true;
    }
  }
  return false;
}

// Runs the configured transfer to completion, failure or cancellation.
absl::Status Run(const CurlHandle& handle, const HttpRequest& request,
                 const Transfer& t) {
  CURLMcode mc = curl_multi_add_handle(handle.multi, handle.easy);
  if (mc != CURLM_OK) {
    return absl::InternalError(
        absl::StrCat("curl_multi_add_handle: ", curl_multi_strerror(mc)));
  }
  CURLcode result = CURLE_OK;
  bool done = false;
  bool cancelled = false;
  while (mc == CURLM_OK) {
    int running = 0;
    mc = curl_multi_perform(handle.multi, &running);
    if (mc != CURLM_OK) break;
    done = TakeResult(handle.multi, &result);
    if (done || running == 0) break;
    if (IsCancelled(request)) {
      cancelled = true;
      break;
    }
    mc = curl_multi_poll(handle.multi, nullptr, 0, kPollMs, nullptr);
  }
  // Removing an unfinished transfer aborts it and closes its connection.
  curl_multi_remove_handle(handle.multi, handle.easy);
  if (cancelled) {
    return absl::CancelledError(
        absl::StrCat(request.method, " ", request.url, ": cancelled"));
  }
  if (mc != CURLM_OK || !done) {
    return absl::InternalError(
        absl::StrCat("libcurl multi: ", curl_multi_strerror(mc)));
  }
  return MapResult(result, request, t);
}

// Thread-safe: the pool is guarded by mu_; a handle is used by one call at a
// time.
class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() = default;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  absl::StatusOr<std::unique_ptr<CurlHandle>> Acquire();
  void Release(std::unique_ptr<CurlHandle> handle);

  absl::Mutex mu_;
  // Most recently used last, so sequential calls reuse the warmest connection.
  std::vector<std::unique_ptr<CurlHandle>> idle_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<CurlHandle>> CurlHttpClient::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<CurlHandle> handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  auto handle = std::make_unique<CurlHandle>();
  handle->easy = curl_easy_init();
  handle->multi = curl_multi_init();
  if (handle->easy == nullptr || handle->multi == nullptr) {
    return absl::InternalError("libcurl: cannot create a handle");
  }
  return handle;
}

void CurlHttpClient::Release(std::unique_ptr<CurlHandle> handle) {
  absl::MutexLock lock(&mu_);
  // Past the cap the handle (and its connections) closes when `handle` goes
  // out of scope, after the lock is released.
  if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
}

absl::StatusOr<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  if (const CURLcode init = GlobalInit(); init != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("curl_global_init: ", curl_easy_strerror(init)));
  }
  RETURN_IF_ERROR(ValidateRequest(request));
  if (IsCancelled(request)) {
    return absl::CancelledError(absl::StrCat(request.url, ": cancelled"));
  }
  if (request.timeout <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(
        absl::StrCat(request.url, ": no time left"));
  }
  ASSIGN_OR_RETURN(HeaderList headers, BuildHeaders(request));
  ASSIGN_OR_RETURN(std::unique_ptr<CurlHandle> handle, Acquire());
  HttpResponse response;
  Transfer transfer;
  transfer.request = &request;
  transfer.response = &response;
  absl::Status status =
      Configure(handle->easy, request, headers.get(), &transfer);
  if (status.ok()) status = Run(*handle, request, transfer);
  if (status.ok()) {
    long code = 0;
    curl_easy_getinfo(handle->easy, CURLINFO_RESPONSE_CODE, &code);
    response.status = static_cast<int>(code);
  }
  Release(std::move(handle));
  if (!status.ok()) return status;
  return response;
}

}  // namespace

std::unique_ptr<HttpClient> NewCurlHttpClient() {
  GlobalInit();
  return std::make_unique<CurlHttpClient>();
}

}  // namespace assistd::http
