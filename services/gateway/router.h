#ifndef ASSISTD_SERVICES_GATEWAY_ROUTER_H_
#define ASSISTD_SERVICES_GATEWAY_ROUTER_H_

// The route table: method + path pattern ("/v1/threads/{thread_id}") ->
// handler. Filled once, then read concurrently.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "services/gateway/http_message.h"
#include "services/gateway/request_context.h"

namespace assistd::gateway {

using RouteHandler = std::function<void(const RequestContext& ctx, const HttpRequest& request,
                                        HttpResponse* response)>;

struct RouteOptions {
  // Needs `OpenAI-Beta: assistants=v2` (spec 0).
  bool assistants_beta = true;
  // The handler reads the body itself through HttpRequest::body_reader
  // (uploads); otherwise it is read into HttpRequest::body first.
  bool stream_body = false;
};

class Router final {
 public:
  // `pattern` segments are literals or `{name}` (one whole segment). When
  // several patterns match, the one with the fewest parameters wins.
  void Add(std::string method, const std::string& pattern, RouteHandler handler,
           RouteOptions options = {});

  struct Match {
    const RouteHandler* handler = nullptr;  // null: no route
    RouteOptions options;
    // The matched route's pattern (for metrics), or "".
    std::string pattern;
    // True when the path matched some route but not with this method.
    bool path_known = false;
  };
  // Fills request->path_params on a match.
  Match Find(HttpRequest* request) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    RouteHandler handler;
    RouteOptions options;
  };
  std::vector<Route> routes_;
};

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_ROUTER_H_
