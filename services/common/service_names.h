#ifndef ASSISTD_SERVICES_COMMON_SERVICE_NAMES_H_
#define ASSISTD_SERVICES_COMMON_SERVICE_NAMES_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace assistd {

// The deployable parts of assistd, as named in --services and --<name>_addr.
enum class ServiceId { kFiles, kRetrieval, kSandbox, kOrchestrator };

// Every ServiceId, in wiring order.
const std::vector<ServiceId>& AllServices();

// "files", "retrieval", "sandbox", "orchestrator".
absl::string_view ServiceIdName(ServiceId id);

// The fully qualified gRPC service names each part serves, e.g.
// {"assistd.v1.AssistantService", "assistd.v1.ThreadService", ...}.
std::vector<std::string> GrpcServiceNames(ServiceId id);

// Parses "all" or a comma-separated list of names. InvalidArgument naming
// the unknown entry, or for an empty list.
absl::StatusOr<std::set<ServiceId>> ParseServiceList(absl::string_view list);

}  // namespace assistd

#endif  // ASSISTD_SERVICES_COMMON_SERVICE_NAMES_H_
