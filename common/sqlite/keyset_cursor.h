#ifndef ASSISTD_COMMON_SQLITE_KEYSET_CURSOR_H_
#define ASSISTD_COMMON_SQLITE_KEYSET_CURSOR_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sqlite/connection.h"

namespace assistd::sqlite {

// Resolves a list cursor (`after` / `before`: an object id) to the row's
// integer key, for PlanKeysetPage. `sql` selects that key with two
// parameters, the scope (project or parent id) then the object id. Empty
// `id`: no cursor. InvalidArgument naming `field` when no row matches (a
// deleted cursor object included).
absl::StatusOr<std::optional<int64_t>> ResolveKeysetCursor(Connection& c, absl::string_view sql,
                                                           absl::string_view scope,
                                                           absl::string_view id,
                                                           absl::string_view field);

}  // namespace assistd::sqlite

#endif  // ASSISTD_COMMON_SQLITE_KEYSET_CURSOR_H_
