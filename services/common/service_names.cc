#include "services/common/service_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace assistd {

const std::vector<ServiceId>& AllServices() {
  static const auto* const all = new std::vector<ServiceId>{
      ServiceId::kFiles, ServiceId::kRetrieval, ServiceId::kSandbox,
      ServiceId::kOrchestrator};
  return *all;
}

absl::string_view ServiceIdName(ServiceId id) {
  switch (id) {
    case ServiceId::kFiles: return "files";
    case ServiceId::kRetrieval: return "retrieval";
    case ServiceId::kSandbox: return "sandbox";
    case ServiceId::kOrchestrator: return "orchestrator";
  }
  return "unknown";
}

std::vector<std::string> GrpcServiceNames(ServiceId id) {
  switch (id) {
    case ServiceId::kFiles: return {"assistd.v1.FileService"};
    case ServiceId::kRetrieval: return {"assistd.v1.VectorStoreService"};
    case ServiceId::kSandbox: return {"assistd.v1.SandboxService"};
    case ServiceId::kOrchestrator:
      return {"assistd.v1.AssistantService", "assistd.v1.ThreadService",
              "assistd.v1.RunService"};
  }
  return {};
}

absl::StatusOr<std::set<ServiceId>> ParseServiceList(absl::string_view list) {
  std::set<ServiceId> out;
  for (absl::string_view raw : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    absl::string_view name = absl::StripAsciiWhitespace(raw);
    if (name == "all") {
      out.insert(AllServices().begin(), AllServices().end());
      continue;
    }
    bool found = false;
    for (ServiceId id : AllServices()) {
      if (ServiceIdName(id) == name) {
        out.insert(id);
        found = true;
      }
    }
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--services: unknown service '", name,
          "'; expected 'all' or a list of files, retrieval, sandbox, "
          "orchestrator"));
    }
  }
  if (out.empty()) {
    return absl::InvalidArgumentError("--services: no service given");
  }
  return out;
}

}  // namespace assistd
