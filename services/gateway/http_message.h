#ifndef ASSISTD_SERVICES_GATEWAY_HTTP_MESSAGE_H_
#define ASSISTD_SERVICES_GATEWAY_HTTP_MESSAGE_H_

// The gateway's own view of an HTTP exchange, so that only http_server.cc
// knows the HTTP library.

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace assistd::gateway {

struct HttpRequest {
  // "GET", "POST", "DELETE", ...
  std::string method;
  // The path without the query, e.g. "/v1/threads/thread_1".
  std::string path;
  // Header names lowercased.
  std::map<std::string, std::string> headers;
  // Query parameters in order, decoded; repeated keys repeat.
  std::vector<std::pair<std::string, std::string>> query;
  std::string body;
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
  // once, on the server's worker thread, after the headers went out.
  std::function<void(BodyWriter&)> stream;

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_HTTP_MESSAGE_H_
