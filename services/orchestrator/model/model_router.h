#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_MODEL_ROUTER_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_MODEL_ROUTER_H_

// Maps an assistant's `model` name to the ChatModel that serves it.
//
// Routes come from a spec string (the --model_endpoints flag):
//
//   --model_endpoints='qwen2.5-7b=http://gpu1:8000/v1;llama*=http://gpu2:8080/v1|LLAMA_KEY;*=http://127.0.0.1:11434/v1'
//
//  - entries are separated by ";" (whitespace around parts is ignored);
//  - each entry is  <pattern>=<base url>[|<ENV_VAR holding an API key>];
//  - <pattern> is an exact model name, a prefix ending in "*" ("llama*"),
//    or "*" alone (the default route);
//  - the model name is sent to the server as the run asked for it.
// Resolution: an exact name first, then the longest matching prefix, then
// "*". Built-in models (e.g. "assistd-extractive") are added with
// Register(), under the same kinds of pattern.
//
// Each URL route is an OpenAICompatibleChatModel wrapped in a
// RobustChatModel; all routes share one HTTP connection pool.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "services/orchestrator/model/chat_model.h"
#include "services/orchestrator/model/openai_chat_model.h"

namespace assistd::model {

// One parsed entry of the spec.
struct ModelRoute {
  std::string pattern;  // "name", "prefix*" or "*"
  std::string base_url;
  std::string api_key;  // read from the named environment variable
};

// Parses a spec (see above). "" gives no routes. InvalidArgument naming
// the entry for a missing "=", an empty pattern or URL, a "*" that is not
// last in the pattern, a repeated pattern, a URL that is not http(s), or
// an API-key variable that is not set.
absl::StatusOr<std::vector<ModelRoute>> ParseModelEndpoints(
    absl::string_view spec);

// Thread-safe: Resolve() and Complete() may run while Register() adds a
// route.
class ModelRouter final : public ChatModel {
 public:
  // Makes the ChatModel of a URL route; tests substitute their own.
  using Factory = std::function<absl::StatusOr<std::shared_ptr<ChatModel>>(
      const ModelRoute&)>;

  // Routes of `spec`, each built from `defaults` (timeouts, retry policy)
  // with the route's base_url and api_key. Errors of ParseModelEndpoints
  // and OpenAICompatibleChatModel::Create.
  static absl::StatusOr<std::unique_ptr<ModelRouter>> Create(
      absl::string_view spec, const OpenAIChatModelOptions& defaults = {});
  // As above, with `factory` making each route's model.
  static absl::StatusOr<std::unique_ptr<ModelRouter>> Create(
      absl::string_view spec, Factory factory);

  ModelRouter(const ModelRouter&) = delete;
  ModelRouter& operator=(const ModelRouter&) = delete;

  // Adds a route to `model` (a built-in model). AlreadyExists if `pattern`
  // is routed already (e.g. by the spec, which then wins); InvalidArgument
  // for a bad pattern or a null model.
  absl::Status Register(absl::string_view pattern,
                        std::shared_ptr<ChatModel> model);

  // The model for `model_name`. NotFound: "no model endpoint is configured
  // for model 'x'; set --model_endpoints". The model is shared: in-flight
  // runs keep using it while the router lives on.
  absl::StatusOr<std::shared_ptr<ChatModel>> Resolve(
      absl::string_view model_name) const;

  // Resolves request.model and delegates; NotFound as Resolve().
  absl::StatusOr<ChatResult> Complete(const ChatRequest& request,
                                      ChatStreamObserver* observer) override;

 private:
  ModelRouter() = default;

  mutable absl::Mutex mu_;
  // Pattern -> model. Exact names, "prefix*" patterns and "*" in one map;
  // the patterns are few, so Resolve() scans the prefixes.
  std::map<std::string, std::shared_ptr<ChatModel>, std::less<>> routes_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_MODEL_ROUTER_H_
