#include "common/sqlite/keyset_cursor.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace assistd::sqlite {

absl::StatusOr<std::optional<int64_t>> ResolveKeysetCursor(Connection& c, absl::string_view sql,
                                                           absl::string_view scope,
                                                           absl::string_view id,
                                                           absl::string_view field) {
  if (id.empty()) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(Statement * st, c.Prepare(sql));
  RETURN_IF_ERROR(st->BindAll(scope, id));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid '", field, "': no object with id '", id, "'."));
  }
  const int64_t key = st->ColumnInt64(0);
  RETURN_IF_ERROR(st->Reset());
  return std::optional<int64_t>(key);
}

}  // namespace assistd::sqlite
