#ifndef ASSISTD_SERVICES_AUTH_AUTH_MODE_H_
#define ASSISTD_SERVICES_AUTH_AUTH_MODE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace assistd::auth {

// How external calls are authenticated (--auth).
enum class AuthMode {
  // keys, unless the server binds only loopback and no key exists yet.
  kAuto,
  // Every external call needs `authorization: Bearer <key>`; the key's
  // project is the call's project.
  kKeys,
  // No keys: the project is x-assistd-project ("default" if absent).
  // Allowed only on loopback addresses.
  kNone,
};

// "auto" | "keys" | "none". InvalidArgument otherwise.
absl::StatusOr<AuthMode> ParseAuthMode(absl::string_view text);
absl::string_view AuthModeName(AuthMode mode);

// Whether a listen address ("host:port", "[v6]:port", "unix:path") accepts
// only local connections: 127.0.0.0/8, ::1, localhost, or a unix socket.
bool IsLoopbackAddress(absl::string_view addr);

// The mode to run with: kAuto becomes kKeys or kNone (see above).
// InvalidArgument if kNone is asked for on a non-loopback address.
absl::StatusOr<AuthMode> ResolveAuthMode(AuthMode requested, absl::string_view addr,
                                         bool keys_exist);

}  // namespace assistd::auth

#endif  // ASSISTD_SERVICES_AUTH_AUTH_MODE_H_
