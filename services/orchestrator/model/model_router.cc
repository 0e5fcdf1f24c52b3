#include "services/orchestrator/model/model_router.h"

#include <cstdlib>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/http/http_client.h"
#include "common/status_macros.h"
#include "services/orchestrator/model/robust_chat_model.h"

namespace assistd::model {
namespace {

absl::Status CheckPattern(absl::string_view pattern) {
  const size_t star = pattern.find('*');
  if (pattern.empty() ||
      (star != absl::string_view::npos && star + 1 != pattern.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("model pattern \"", pattern,
                     "\" must be a name, a prefix ending in \"*\", or \"*\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<ModelRoute> ParseEntry(absl::string_view entry) {
  const size_t equals = entry.find('=');
  if (equals == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--model_endpoints entry \"", entry, "\" is not <model>=<url>"));
  }
  ModelRoute route;
  route.pattern =
      std::string(absl::StripAsciiWhitespace(entry.substr(0, equals)));
  RETURN_IF_ERROR(CheckPattern(route.pattern));
  absl::string_view target = entry.substr(equals + 1);
  const size_t bar = target.find('|');
  if (bar != absl::string_view::npos) {
    const std::string var(absl::StripAsciiWhitespace(target.substr(bar + 1)));
    const char* key = var.empty() ? nullptr : std::getenv(var.c_str());
    if (key == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--model_endpoints entry \"", entry, "\": environment variable \"",
          var, "\" (API key) is not set"));
    }
    route.api_key = key;
    target = target.substr(0, bar);
  }
  route.base_url = std::string(absl::StripAsciiWhitespace(target));
  if (!absl::StartsWith(route.base_url, "http://") &&
      !absl::StartsWith(route.base_url, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--model_endpoints entry \"", entry, "\": the URL must be http(s)"));
  }
  return route;
}

}  // namespace

absl::StatusOr<std::vector<ModelRoute>> ParseModelEndpoints(
    absl::string_view spec) {
  std::vector<ModelRoute> routes;
  std::set<std::string> seen;
  for (absl::string_view entry : absl::StrSplit(spec, ';')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) continue;
    ASSIGN_OR_RETURN(ModelRoute route, ParseEntry(entry));
    if (!seen.insert(route.pattern).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--model_endpoints routes model pattern \"",
                       route.pattern, "\" twice"));
    }
    routes.push_back(std::move(route));
  }
  return routes;
}

absl::StatusOr<std::unique_ptr<ModelRouter>> ModelRouter::Create(
    absl::string_view spec, const OpenAIChatModelOptions& defaults) {
  // One pool for every endpoint; the models share it.
  std::shared_ptr<http::HttpClient> client = http::NewCurlHttpClient();
  return Create(spec,
                [defaults, client](const ModelRoute& route)
                    -> absl::StatusOr<std::shared_ptr<ChatModel>> {
                  OpenAIChatModelOptions options = defaults;
                  options.base_url = route.base_url;
                  options.api_key = route.api_key;
                  ASSIGN_OR_RETURN(
                      std::shared_ptr<ChatModel> endpoint,
                      OpenAICompatibleChatModel::Create(options, client));
                  return std::make_shared<RobustChatModel>(std::move(endpoint));
                });
}

absl::StatusOr<std::unique_ptr<ModelRouter>> ModelRouter::Create(
    absl::string_view spec, Factory factory) {
  ASSIGN_OR_RETURN(std::vector<ModelRoute> routes, ParseModelEndpoints(spec));
  std::unique_ptr<ModelRouter> router(new ModelRouter());
  for (const ModelRoute& route : routes) {
    ASSIGN_OR_RETURN(std::shared_ptr<ChatModel> model, factory(route));
    RETURN_IF_ERROR(router->Register(route.pattern, std::move(model)));
  }
  return router;
}

absl::Status ModelRouter::Register(absl::string_view pattern,
                                   std::shared_ptr<ChatModel> model) {
  RETURN_IF_ERROR(CheckPattern(pattern));
  if (model == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("no model given for pattern \"", pattern, "\""));
  }
  absl::MutexLock lock(&mu_);
  if (!routes_.emplace(std::string(pattern), std::move(model)).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("model pattern \"", pattern, "\" is already routed"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<ChatModel>> ModelRouter::Resolve(
    absl::string_view model_name) const {
  absl::ReaderMutexLock lock(&mu_);
  // A name containing "*" must not hit a pattern by its spelling.
  if (model_name.find('*') == absl::string_view::npos) {
    const auto exact = routes_.find(model_name);
    if (exact != routes_.end()) return exact->second;
  }
  const std::shared_ptr<ChatModel>* best = nullptr;
  size_t best_length = 0;
  for (const auto& [pattern, model] : routes_) {
    if (!absl::EndsWith(pattern, "*")) continue;
    const absl::string_view prefix =
        absl::string_view(pattern).substr(0, pattern.size() - 1);
    if (absl::StartsWith(model_name, prefix) &&
        (best == nullptr || prefix.size() > best_length)) {
      best = &model;
      best_length = prefix.size();
    }
  }
  if (best != nullptr) return *best;
  return absl::NotFoundError(
      absl::StrCat("no model endpoint is configured for model '", model_name,
                   "'; set --model_endpoints"));
}

absl::StatusOr<ChatResult> ModelRouter::Complete(const ChatRequest& request,
                                                 ChatStreamObserver* observer) {
  ASSIGN_OR_RETURN(std::shared_ptr<ChatModel> model, Resolve(request.model));
  return model->Complete(request, observer);
}

}  // namespace assistd::model
