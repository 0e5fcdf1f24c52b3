#include "common/pagination.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace assistd {

absl::StatusOr<PageParams> MakePageParams(int64_t limit,
                                          absl::string_view order,
                                          absl::string_view after,
                                          absl::string_view before,
                                          const PageLimits& limits) {
  PageParams params;
  if (limit == 0) {
    params.limit = limits.default_limit;
  } else if (limit < 1 || limit > limits.max_limit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid 'limit': integer ", limit, " is out of range. Expected a "
        "value between 1 and ", limits.max_limit, "."));
  } else {
    params.limit = static_cast<int>(limit);
  }
  if (order.empty() || order == "desc") {
    params.order = SortOrder::kDesc;
  } else if (order == "asc") {
    params.order = SortOrder::kAsc;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid 'order': '", order,
                     "'. Expected one of 'asc' or 'desc'."));
  }
  if (!before.empty() && !limits.allow_before) {
    return absl::InvalidArgumentError(
        "Invalid 'before': this list does not support 'before'.");
  }
  params.after = std::string(after);
  params.before = std::string(before);
  return params;
}

KeysetQuery PlanKeysetPage(const PageParams& params,
                           std::optional<int64_t> after_key,
                           std::optional<int64_t> before_key,
                           absl::string_view key_column) {
  const bool asc = params.order == SortOrder::kAsc;
  // In list order, "after X" is the side X's successors are on.
  const char* after_op = asc ? ">" : "<";
  const char* before_op = asc ? "<" : ">";
  KeysetQuery q;
  q.fetch_limit = params.limit + 1;
  std::string cond;
  if (after_key) {
    cond = absl::StrCat(key_column, " ", after_op, " ?");
    q.args.push_back(*after_key);
  }
  if (before_key) {
    if (!cond.empty()) absl::StrAppend(&cond, " AND ");
    absl::StrAppend(&cond, key_column, " ", before_op, " ?");
    q.args.push_back(*before_key);
  }
  q.condition = cond.empty() ? "1" : cond;
  // With only `before`, the page is the rows right next to the cursor, so
  // walk away from it and reverse the result afterwards.
  q.reversed = before_key.has_value() && !after_key.has_value();
  const bool sql_asc = q.reversed ? !asc : asc;
  q.order_by = absl::StrCat(key_column, sql_asc ? " ASC" : " DESC");
  return q;
}

}  // namespace assistd
