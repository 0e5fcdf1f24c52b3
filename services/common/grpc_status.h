#ifndef ASSISTD_SERVICES_COMMON_GRPC_STATUS_H_
#define ASSISTD_SERVICES_COMMON_GRPC_STATUS_H_

// The one place where absl::Status and grpc::Status meet.

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace assistd {

// Same code (the two enumerations share values), same message.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace assistd

#endif  // ASSISTD_SERVICES_COMMON_GRPC_STATUS_H_
