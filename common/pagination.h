#ifndef ASSISTD_COMMON_PAGINATION_H_
#define ASSISTD_COMMON_PAGINATION_H_

// OpenAI-style list pagination: `limit`, `order` (by creation), and object-id
// cursors `after` / `before`. Stores resolve a cursor id to the integer
// insertion sequence of its row (keyset pagination), so a page costs
// O(limit) whatever the table size, and ties within one second keep
// creation order.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace assistd {

enum class SortOrder { kDesc, kAsc };

struct PageLimits {
  int default_limit = 20;  // used when the request's limit is 0 (unset)
  int max_limit = 100;     // largest accepted limit
  bool allow_before = true;  // GET /files has no `before`
};

// A validated page request.
struct PageParams {
  int limit = 20;
  SortOrder order = SortOrder::kDesc;
  std::string after;   // empty: none
  std::string before;  // empty: none
};

// Validates a raw request. `limit` 0 means default; `order` is "", "asc" or
// "desc". InvalidArgument naming `limit`, `order` or `before` otherwise.
absl::StatusOr<PageParams> MakePageParams(int64_t limit,
                                          absl::string_view order,
                                          absl::string_view after,
                                          absl::string_view before,
                                          const PageLimits& limits = {});

// The SQL pieces for one page over rows ordered by an integer key column.
struct KeysetQuery {
  // A boolean SQL expression over the key column using `?` placeholders,
  // "1" when there is no cursor; bind `args` to it in order.
  std::string condition;
  std::vector<int64_t> args;
  std::string order_by;  // e.g. "seq DESC"
  int fetch_limit = 0;   // page limit + 1, to learn has_more
  bool reversed = false;  // walking backwards from `before`
};

// Plans the query for `params`. `after_key` / `before_key` are the keys of
// the cursor rows (the caller resolves ids and reports unknown ones).
KeysetQuery PlanKeysetPage(const PageParams& params,
                           std::optional<int64_t> after_key,
                           std::optional<int64_t> before_key,
                           absl::string_view key_column);

// One page of results in the requested order.
template <typename T>
struct Page {
  std::vector<T> data;
  bool has_more = false;
};

// Turns rows fetched with `query` (in its order, at most fetch_limit) into
// the page: trims the extra row into has_more and restores list order.
template <typename T>
Page<T> FinishKeysetPage(std::vector<T> rows, const KeysetQuery& query) {
  Page<T> page;
  const size_t limit = static_cast<size_t>(query.fetch_limit - 1);
  page.has_more = rows.size() > limit;
  if (page.has_more) rows.resize(limit);
  if (query.reversed) std::reverse(rows.begin(), rows.end());
  page.data = std::move(rows);
  return page;
}

}  // namespace assistd

#endif  // ASSISTD_COMMON_PAGINATION_H_
