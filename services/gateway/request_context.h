#ifndef ASSISTD_SERVICES_GATEWAY_REQUEST_CONTEXT_H_
#define ASSISTD_SERVICES_GATEWAY_REQUEST_CONTEXT_H_

// Per-request facts every route needs: the request id sent back as
// `x-request-id`, and the project the caller acts for.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/gateway/http_message.h"

namespace assistd::gateway {

struct RequestContext {
  // "req_<32 hex>", on every response as x-request-id.
  std::string request_id;
  // The project whose objects the request may see (x-assistd-project on the
  // gRPC calls).
  std::string project;
};

// "req_" + 32 random hex digits.
std::string NewRequestId();

// Maps the Authorization header ("" when absent, else e.g. "Bearer sk-...")
// to a project. Unauthenticated for a missing or refused key when keys are
// required. Called concurrently.
using ProjectResolver =
    std::function<absl::StatusOr<std::string>(const std::string& authorization_header)>;

// `--auth=none`: every request acts for the "default" project, whatever it
// sends.
ProjectResolver NoAuthProjectResolver();

// API keys: "Bearer <key>" -> lookup(key) (which returns Unauthenticated
// for a refused key); a missing key is Unauthenticated in OpenAI's wording.
ProjectResolver KeyProjectResolver(
    std::function<absl::StatusOr<std::string>(absl::string_view key)> lookup);

// Spec 0: assistants/threads/runs/vector_stores routes need
// `OpenAI-Beta: assistants=v2`. InvalidArgument with code "invalid_beta" in
// OpenAI's wording otherwise.
absl::Status CheckAssistantsBeta(const HttpRequest& request);

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_REQUEST_CONTEXT_H_
