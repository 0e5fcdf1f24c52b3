#include "services/common/proto_page.h"

#include "common/status_macros.h"

namespace assistd {

absl::StatusOr<PageParams> PageFromProto(const v1::PageRequest& page, IdKind kind) {
  absl::string_view order = "desc";
  if (page.order() == v1::ORDER_ASC) {
    order = "asc";
  } else if (page.order() != v1::ORDER_DESC && page.order() != v1::ORDER_UNSPECIFIED) {
    order = "unknown";
  }
  ASSIGN_OR_RETURN(PageParams params,
                   MakePageParams(page.limit(), order, page.after(), page.before()));
  if (!params.after.empty()) RETURN_IF_ERROR(ValidateId(params.after, kind, "after"));
  if (!params.before.empty()) RETURN_IF_ERROR(ValidateId(params.before, kind, "before"));
  return params;
}

}  // namespace assistd
