#ifndef ASSISTD_SERVICES_GATEWAY_HTTP_STATUS_H_
#define ASSISTD_SERVICES_GATEWAY_HTTP_STATUS_H_

// The gateway's one mapping from absl::Status (gRPC codes) to an HTTP status
// and OpenAI's error body (spec section 4):
//   {"error": {"message", "type", "param", "code"}}
//   INVALID_ARGUMENT, FAILED_PRECONDITION (thread locked by a run),
//   ALREADY_EXISTS, ABORTED, OUT_OF_RANGE, UNIMPLEMENTED -> 400 (never 409:
//   the SDKs retry 409); NOT_FOUND -> 404; UNAUTHENTICATED -> 401;
//   PERMISSION_DENIED -> 403; RESOURCE_EXHAUSTED -> 413 when the message is
//   about a size, else 429; UNAVAILABLE -> 503; DEADLINE_EXCEEDED -> 504;
//   everything else (INTERNAL, DATA_LOSS, UNKNOWN, ...) -> 500.
// `param` is the JSON path FromJson attached (json_errors.h), else the field
// a message names ("metadata: more than 16 keys", "Invalid 'thread_id': ...").

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace assistd::gateway {

struct HttpError {
  int status = 500;
  // {"error": {...}}
  nlohmann::json body;
};

HttpError ToHttpError(const absl::Status& status);

// The error object (without the {"error": } wrapper) for `status`; also the
// payload of an in-stream error event.
nlohmann::json ErrorObject(const absl::Status& status);

// Attaches OpenAI's `error.code` (e.g. "invalid_beta") to `status`.
absl::Status WithErrorCode(absl::Status status, absl::string_view code);

// An error body for a status the HTTP layer produced itself (413, 400, ...).
HttpError HttpErrorFor(int http_status, absl::string_view message);

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_HTTP_STATUS_H_
