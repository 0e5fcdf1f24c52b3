#ifndef ASSISTD_SERVICES_COMMON_PROTO_PAGE_H_
#define ASSISTD_SERVICES_COMMON_PROTO_PAGE_H_

#include "absl/status/statusor.h"
#include "assistd/v1/common.pb.h"
#include "common/ids.h"
#include "common/pagination.h"

namespace assistd {

// A list request's page: limit 1..100 (default 20), order, and cursors that
// must be ids of `kind`. InvalidArgument naming the field otherwise.
absl::StatusOr<PageParams> PageFromProto(const v1::PageRequest& page, IdKind kind);

}  // namespace assistd

#endif  // ASSISTD_SERVICES_COMMON_PROTO_PAGE_H_
