#include "services/common/project.h"

#include "absl/strings/str_cat.h"
#include "common/project_name.h"
#include "services/common/auth_interceptor.h"

namespace assistd {

absl::StatusOr<std::string> ProjectOf(const grpc::ServerContext& ctx) {
  const auto& md = ctx.client_metadata();
  // Set by the auth interceptor when the call's API key was refused.
  auto refused = md.find(kAuthErrorMetadataKey);
  if (refused != md.end()) {
    return absl::UnauthenticatedError(
        absl::string_view(refused->second.data(), refused->second.size()));
  }
  auto it = md.find(kProjectMetadataKey);
  if (it == md.end()) return std::string(kDefaultProject);
  std::string project(it->second.data(), it->second.size());
  if (!ValidateProjectName(project).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", kProjectMetadataKey, " metadata: '", project,
                     "' (expected 1-64 characters of A-Z a-z 0-9 _ -)"));
  }
  return project;
}

void SetProject(grpc::ClientContext* ctx, absl::string_view project) {
  ctx->AddMetadata(kProjectMetadataKey, std::string(project));
}

}  // namespace assistd
