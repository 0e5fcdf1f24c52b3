#include "services/gateway/router.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace assistd::gateway {
namespace {

bool IsParam(absl::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::string HttpRequest::Header(absl::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? "" : it->second;
}

std::string HttpRequest::PathParam(absl::string_view name) const {
  auto it = path_params.find(std::string(name));
  return it == path_params.end() ? "" : it->second;
}

void Router::Add(std::string method, const std::string& pattern, RouteHandler handler,
                 RouteOptions options) {
  routes_.push_back({std::move(method), pattern, absl::StrSplit(pattern, '/', absl::SkipEmpty()),
                     std::move(handler), options});
}

Router::Match Router::Find(HttpRequest* request) const {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(request->path, '/', absl::SkipEmpty());
  Match match;
  const Route* best = nullptr;
  size_t best_params = 0;
  std::map<std::string, std::string> best_values;
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; ok && i < parts.size(); ++i) {
      const std::string& segment = route.segments[i];
      if (IsParam(segment)) {
        params[segment.substr(1, segment.size() - 2)] = std::string(parts[i]);
      } else {
        ok = segment == parts[i];
      }
    }
    if (!ok) continue;
    match.path_known = true;
    // A literal segment beats a parameter: /threads/runs is not a thread id.
    if (route.method != request->method || (best != nullptr && params.size() >= best_params)) {
      continue;
    }
    best = &route;
    best_params = params.size();
    best_values = std::move(params);
  }
  if (best != nullptr) {
    request->path_params = std::move(best_values);
    match.handler = &best->handler;
    match.options = best->options;
    match.pattern = best->pattern;
  }
  return match;
}

}  // namespace assistd::gateway
