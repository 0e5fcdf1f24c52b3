#ifndef ASSISTD_SERVICES_COMMON_AUTH_INTERCEPTOR_H_
#define ASSISTD_SERVICES_COMMON_AUTH_INTERCEPTOR_H_

// API keys on gRPC. A client sends `authorization: Bearer <key>`; the server
// interceptor resolves the key to its project before any handler runs and
// rewrites the call's metadata so that x-assistd-project (read by
// ProjectOf(), services/common/project.h) is exactly the key's project: a
// project sent by the client is dropped. A call whose key is missing or
// refused carries the reason under kAuthErrorMetadataKey instead, and
// ProjectOf() turns it into UNAUTHENTICATED; calls that never read the
// project (grpc.health.v1, server reflection) stay open, for probes.
//
// Calls between the services of this process (ChannelRegistry's in-process
// channel, made with NewInternalCallInterceptorFactory()) carry a random
// per-process token instead of a key and keep the x-assistd-project their
// caller set (SetProject), since the caller already resolved it. In a split
// deployment the processes share the token through $ASSISTD_INTERNAL_TOKEN.

#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace assistd {

// Metadata the interceptor sets on a call it refused; its value is the
// message. Clients cannot set it (the interceptor drops theirs).
inline constexpr char kAuthErrorMetadataKey[] = "x-assistd-auth-error";
// Metadata carrying InternalCallToken() on in-process calls.
inline constexpr char kInternalCallMetadataKey[] = "x-assistd-internal";

// Resolves an API key (without "Bearer ") to its project; Unauthenticated
// with the message for the client otherwise. Called once per external call,
// from gRPC threads, so it must be thread-safe and cheap.
using KeyResolver = std::function<absl::StatusOr<std::string>(absl::string_view key)>;

// The server interceptor; `resolver` is called for every call that does not
// carry the internal token.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewAuthInterceptorFactory(KeyResolver resolver);

// The token of calls between services: $ASSISTD_INTERNAL_TOKEN when set
// (shared by the processes of a split deployment, which then send it to
// each other), otherwise a random token made once per process (from the
// kernel CSPRNG) and never sent off the process. Read once.
const std::string& InternalCallToken();
// Whether $ASSISTD_INTERNAL_TOKEN is set (network channels to other assistd
// processes carry it then).
bool InternalTokenIsShared();
// InvalidArgument if $ASSISTD_INTERNAL_TOKEN is set but shorter than 32
// characters.
absl::Status CheckInternalToken();

// The client interceptor of in-process channels: adds InternalCallToken().
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>
NewInternalCallInterceptorFactory();

// The key of an `authorization` metadata value: "Bearer <key>" (scheme
// case-insensitive) -> "<key>"; empty if the value has another form.
absl::string_view BearerToken(absl::string_view authorization);

}  // namespace assistd

#endif  // ASSISTD_SERVICES_COMMON_AUTH_INTERCEPTOR_H_
