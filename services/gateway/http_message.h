#ifndef ASSISTD_SERVICES_GATEWAY_HTTP_MESSAGE_H_
#define ASSISTD_SERVICES_GATEWAY_HTTP_MESSAGE_H_

// The gateway's own view of an HTTP exchange, so that only http_server.cc
// knows the HTTP library.

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace assistd::gateway {

// The headers of one multipart/form-data part.
struct MultipartPart {
  // The form field's name, e.g. "file" or "purpose".
  std::string name;
  // Set for file parts.
  std::string filename;
  std::string content_type;
};

// Reads a request body as it arrives, at most once, on the handler's thread.
// A handler that stops early leaves the rest unread; the connection is then
// closed after the response.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Appends the whole body to `out`. ResourceExhausted ("Request body too
  // large", answered with 413) past `max_bytes`; DataLoss if the client
  // breaks off.
  virtual absl::Status ReadAll(size_t max_bytes, std::string* out) = 0;
  // Passes the body to `on_data` in pieces as they arrive; `on_data`
  // returning false stops the read (Cancelled). DataLoss if the client
  // breaks off.
  virtual absl::Status ReadStream(const std::function<bool(absl::string_view)>& on_data) = 0;
};

struct HttpRequest {
  // "GET", "POST", "DELETE", ...
  std::string method;
  // The path without the query, e.g. "/v1/threads/thread_1".
  std::string path;
  // Header names lowercased.
  std::map<std::string, std::string> headers;
  // Query parameters in order, decoded; repeated keys repeat.
  std::vector<std::pair<std::string, std::string>> query;
  // The body, once read (the gateway reads it before the handler runs,
  // except on routes that stream it through `body_reader`).
  std::string body;
  // Null when the request has no body.
  BodyReader* body_reader = nullptr;
  // `{name}` segments of the matched route, filled by the router.
  std::map<std::string, std::string> path_params;

  // The header's value, or "" (`name` lowercase).
  std::string Header(absl::string_view name) const;
  std::string PathParam(absl::string_view name) const;
};

// The body of a streamed response. Used by one thread.
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  // Sends `data` now. False once the client has gone; stop writing then.
  virtual bool Write(absl::string_view data) = 0;
};

struct HttpResponse {
  int status = 200;
  // Extra headers (content-type aside).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type = "application/json";
  std::string body;
  // When set, the body is streamed with chunked encoding instead: called
  // once, on the server's worker thread, after the headers went out. It
  // returns false when the body is incomplete (its source failed): the
  // connection is then dropped without the final chunk, so the client sees
  // a cut body, not a complete one.
  std::function<bool(BodyWriter&)> stream;

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_HTTP_MESSAGE_H_
