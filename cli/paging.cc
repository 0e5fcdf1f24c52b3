#include "cli/paging.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace assistd::cli {

absl::StatusOr<v1::PageRequest> PageFromArgs(const Args& args, v1::Order fallback_order) {
  v1::PageRequest page;
  ASSIGN_OR_RETURN(int limit, args.GetInt("limit", 0, 1, 1000000));
  page.set_limit(limit);
  page.set_after(args.Get("after"));
  const std::string order = args.Get("order");
  if (order.empty()) {
    page.set_order(fallback_order);
  } else if (order == "asc") {
    page.set_order(v1::ORDER_ASC);
  } else if (order == "desc") {
    page.set_order(v1::ORDER_DESC);
  } else {
    return UsageError(absl::StrCat("--order takes asc or desc, not '", order, "'"));
  }
  return page;
}

}  // namespace assistd::cli
