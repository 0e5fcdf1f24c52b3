#ifndef ASSISTD_SERVICES_COMMON_PROJECT_H_
#define ASSISTD_SERVICES_COMMON_PROJECT_H_

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/statusor.h"
#include "services/common/grpc_status.h"
#include "absl/strings/string_view.h"

namespace assistd {

// Call metadata key naming the caller's project (see common.proto).
inline constexpr char kProjectMetadataKey[] = "x-assistd-project";
// The project of calls that carry no key (until API keys exist).
inline constexpr char kDefaultProject[] = "default";

// The caller's project. With API keys on (services/common/auth_interceptor.h)
// an external call's project is its key's, whatever it sent as
// x-assistd-project, and a call whose key was missing or refused gets
// Unauthenticated here: so every project-scoped handler must call this (or
// ServeForProject) before touching data. InvalidArgument if the value is not
// 1-64 characters of [A-Za-z0-9_-].
absl::StatusOr<std::string> ProjectOf(const grpc::ServerContext& ctx);

// Runs `body(project)` for the caller's project and converts its status:
// the shape of every project-scoped gRPC handler.
//   return ServeForProject(ctx, [&](const std::string& project) { ... });
template <typename Body>
grpc::Status ServeForProject(grpc::ServerContext* ctx, Body body) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  return ToGrpcStatus(body(*project));
}

// Marks an outgoing call (service to service) as made for `project`.
void SetProject(grpc::ClientContext* ctx, absl::string_view project);

}  // namespace assistd

#endif  // ASSISTD_SERVICES_COMMON_PROJECT_H_
