#include "services/gateway/request_context.h"

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/auth_interceptor.h"
#include "services/common/project.h"
#include "services/gateway/http_status.h"

namespace assistd::gateway {

std::string NewRequestId() {
  // absl::BitGen is seeded from the OS and not shared between threads.
  thread_local absl::BitGen gen;
  const uint64_t hi = absl::Uniform<uint64_t>(gen);
  const uint64_t lo = absl::Uniform<uint64_t>(gen);
  return absl::StrCat("req_", absl::Hex(hi, absl::kZeroPad16), absl::Hex(lo, absl::kZeroPad16));
}

ProjectResolver NoAuthProjectResolver() {
  return [](const std::string&) -> absl::StatusOr<std::string> {
    return std::string(kDefaultProject);
  };
}

ProjectResolver KeyProjectResolver(
    std::function<absl::StatusOr<std::string>(absl::string_view key)> lookup) {
  return [lookup = std::move(lookup)](
             const std::string& authorization) -> absl::StatusOr<std::string> {
    const absl::string_view key = BearerToken(authorization);
    if (key.empty()) {
      return absl::UnauthenticatedError(
          "You didn't provide an API key. You need to provide your API key in an "
          "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    }
    return lookup(key);
  };
}

absl::Status CheckAssistantsBeta(const HttpRequest& request) {
  // The header may list several betas: "assistants=v2, other=v1".
  for (absl::string_view beta : absl::StrSplit(request.Header("openai-beta"), ',')) {
    if (absl::StripAsciiWhitespace(beta) == "assistants=v2") return absl::OkStatus();
  }
  const std::string got = request.Header("openai-beta");
  return WithErrorCode(
      absl::InvalidArgumentError(
          got.empty() || !absl::StartsWith(got, "assistants=")
              ? "You must provide the 'OpenAI-Beta' header to access the Assistants API. "
                "Please try again by setting the header 'OpenAI-Beta: assistants=v2'."
              : absl::StrCat("Invalid 'OpenAI-Beta' header value '", got,
                             "'. Please try again by setting the header "
                             "'OpenAI-Beta: assistants=v2'.")),
      "invalid_beta");
}

}  // namespace assistd::gateway
