#include "services/auth/auth_mode.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace assistd::auth {

absl::StatusOr<AuthMode> ParseAuthMode(absl::string_view text) {
  if (text == "auto" || text.empty()) return AuthMode::kAuto;
  if (text == "keys") return AuthMode::kKeys;
  if (text == "none") return AuthMode::kNone;
  return absl::InvalidArgumentError(
      absl::StrCat("--auth=", text, ": expected 'keys', 'none' or 'auto'"));
}

absl::string_view AuthModeName(AuthMode mode) {
  switch (mode) {
    case AuthMode::kAuto: return "auto";
    case AuthMode::kKeys: return "keys";
    case AuthMode::kNone: return "none";
  }
  return "unknown";
}

bool IsLoopbackAddress(absl::string_view addr) {
  if (absl::StartsWith(addr, "unix:") || absl::StartsWith(addr, "unix-abstract:")) return true;
  absl::ConsumePrefix(&addr, "dns:");
  absl::ConsumePrefix(&addr, "ipv4:");
  absl::ConsumePrefix(&addr, "ipv6:");
  absl::string_view host = addr;
  if (absl::ConsumePrefix(&host, "[")) {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return false;
    host = host.substr(0, close);
  } else {
    const size_t colon = host.rfind(':');
    if (colon != absl::string_view::npos) host = host.substr(0, colon);
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<AuthMode> ResolveAuthMode(AuthMode requested, absl::string_view addr,
                                         bool keys_exist) {
  const bool loopback = IsLoopbackAddress(addr);
  switch (requested) {
    case AuthMode::kKeys:
      return AuthMode::kKeys;
    case AuthMode::kNone:
      if (loopback) return AuthMode::kNone;
      return absl::InvalidArgumentError(absl::StrCat(
          "--auth=none is allowed only on a loopback --grpc_addr (127.0.0.1, [::1], "
          "localhost), not ", addr,
          ": create an API key with `assistd keys create --project NAME` and use "
          "--auth=keys"));
    case AuthMode::kAuto:
      return loopback && !keys_exist ? AuthMode::kNone : AuthMode::kKeys;
  }
  return absl::InternalError("unknown auth mode");
}

}  // namespace assistd::auth
