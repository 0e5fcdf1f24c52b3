#ifndef ASSISTD_SERVICES_GATEWAY_SSE_H_
#define ASSISTD_SERVICES_GATEWAY_SSE_H_

// Server-sent events as the OpenAI SDKs parse them (spec section 3):
// `event: <name>\ndata: <one-line JSON>\n\n`, ending with
// `event: done\ndata: [DONE]\n\n`; errors as `data: {"error": {...}}` so both
// SDKs raise.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "assistd/v1/runs.pb.h"
#include "nlohmann/json.hpp"

namespace assistd::gateway {

inline constexpr char kSseContentType[] = "text/event-stream";

// One record; `data` is serialized on one line.
std::string SseRecord(absl::string_view event, const nlohmann::json& data);
// The record of a run stream event (the `done` event included).
std::string SseRecord(const v1::RunEvent& event);
// `event: error` with {"error": ErrorObject(status)}.
std::string SseError(const absl::Status& status);
// `event: done\ndata: [DONE]\n\n`.
std::string SseDone();

// JSON on one line; invalid UTF-8 is replaced rather than thrown on.
std::string DumpJson(const nlohmann::json& json);

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_SSE_H_
