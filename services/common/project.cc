#include "services/common/project.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace assistd {

absl::StatusOr<std::string> ProjectOf(const grpc::ServerContext& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(kProjectMetadataKey);
  if (it == md.end()) return std::string(kDefaultProject);
  std::string project(it->second.data(), it->second.size());
  bool valid = !project.empty() && project.size() <= 64;
  for (char c : project) {
    valid = valid && (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                      c == '_' || c == '-');
  }
  if (!valid) {
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
