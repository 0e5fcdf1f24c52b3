#ifndef ASSISTD_SERVICES_GATEWAY_FORM_UPLOAD_H_
#define ASSISTD_SERVICES_GATEWAY_FORM_UPLOAD_H_

// POST /v1/files: a multipart/form-data body (`file`, `purpose`,
// `expires_after[anchor]`, `expires_after[seconds]`) streamed into
// FileService.Upload as it arrives. The file is never held in memory: its
// bytes go out in pieces of at most 1 MiB. When the form sends `file` before
// `purpose` (openai-node keeps the order of the caller's object keys), the
// bytes are spooled to an unlinked temporary file until `purpose` arrives,
// since the upload's header needs it. Internal to services/gateway.

#include "absl/status/statusor.h"
#include "assistd/v1/files.pb.h"
#include "services/gateway/route_util.h"

namespace assistd::gateway {

// Reads `body` and uploads its file for `ctx`'s project. InvalidArgument in
// OpenAI's wording for a malformed form, a missing `file` or `purpose`, or
// an unknown field; FileService's errors otherwise (ResourceExhausted "too
// large" past the upload limit). A client that breaks off leaves nothing.
absl::StatusOr<v1::File> UploadForm(const RouteEnv& env, const RequestContext& ctx,
                                    const HttpRequest& request);

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_FORM_UPLOAD_H_
