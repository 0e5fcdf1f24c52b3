#include "services/gateway/http_status.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "services/gateway/json_errors.h"

namespace assistd::gateway {
namespace {

constexpr absl::string_view kErrorCodeUrl = "type.googleapis.com/assistd.gateway.ErrorCode";

bool IsFieldPath(absl::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '[' && c != ']') return false;
  }
  return true;
}

// "metadata: more than 16 keys" -> metadata; "Invalid 'thread_id': ..." ->
// thread_id.
std::optional<std::string> ParamOf(const absl::Status& status) {
  if (std::optional<std::string> param = JsonErrorParam(status)) return param;
  absl::string_view message = status.message();
  if (absl::ConsumePrefix(&message, "Invalid '")) {
    const size_t end = message.find('\'');
    if (end != absl::string_view::npos && IsFieldPath(message.substr(0, end))) {
      return std::string(message.substr(0, end));
    }
    return std::nullopt;
  }
  const size_t colon = message.find(": ");
  if (colon != absl::string_view::npos && IsFieldPath(message.substr(0, colon))) {
    return std::string(message.substr(0, colon));
  }
  return std::nullopt;
}

bool IsAboutSize(absl::string_view message) {
  const std::string lower = absl::AsciiStrToLower(message);
  return absl::StrContains(lower, "too large") || absl::StrContains(lower, "size") ||
         absl::StrContains(lower, "bytes");
}

int HttpStatusOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kUnimplemented:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kResourceExhausted:
      return IsAboutSize(status.message()) ? 413 : 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

nlohmann::json DefaultCode(int http_status) {
  switch (http_status) {
    case 401:
      return "invalid_api_key";
    case 429:
      return "rate_limit_exceeded";
    default:
      return http_status >= 500 ? nlohmann::json("server_error") : nlohmann::json(nullptr);
  }
}

nlohmann::json Wrap(int http_status, absl::string_view message, nlohmann::json param,
                    nlohmann::json code) {
  return {{"error",
           {{"message", std::string(message)},
            {"type", http_status >= 500 ? "server_error" : "invalid_request_error"},
            {"param", std::move(param)},
            {"code", std::move(code)}}}};
}

}  // namespace

nlohmann::json ErrorObject(const absl::Status& status) {
  return ToHttpError(status).body["error"];
}

HttpError ToHttpError(const absl::Status& status) {
  const int http_status = HttpStatusOf(status);
  std::optional<std::string> param = ParamOf(status);
  absl::optional<absl::Cord> code = status.GetPayload(kErrorCodeUrl);
  HttpError error;
  error.status = http_status;
  error.body = Wrap(http_status, status.message(),
                    param ? nlohmann::json(*param) : nlohmann::json(nullptr),
                    code ? nlohmann::json(std::string(*code)) : DefaultCode(http_status));
  return error;
}

absl::Status WithErrorCode(absl::Status status, absl::string_view code) {
  status.SetPayload(kErrorCodeUrl, absl::Cord(code));
  return status;
}

HttpError HttpErrorFor(int http_status, absl::string_view message) {
  return {http_status, Wrap(http_status, message, nullptr, DefaultCode(http_status))};
}

}  // namespace assistd::gateway
