#include "services/gateway/sse.h"

#include "absl/strings/str_cat.h"
#include "services/gateway/http_status.h"
#include "services/gateway/json_mapping.h"

namespace assistd::gateway {

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string SseRecord(absl::string_view event, const nlohmann::json& data) {
  return absl::StrCat("event: ", event, "\ndata: ", DumpJson(data), "\n\n");
}

std::string SseRecord(const v1::RunEvent& event) {
  if (event.data_case() == v1::RunEvent::kDone) return SseDone();
  return SseRecord(event.event(), ToJson(event));
}

std::string SseError(const absl::Status& status) {
  return SseRecord("error", nlohmann::json{{"error", ErrorObject(status)}});
}

std::string SseDone() { return "event: done\ndata: [DONE]\n\n"; }

}  // namespace assistd::gateway
