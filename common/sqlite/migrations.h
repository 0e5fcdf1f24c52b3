#ifndef ASSISTD_COMMON_SQLITE_MIGRATIONS_H_
#define ASSISTD_COMMON_SQLITE_MIGRATIONS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/sqlite/connection.h"

namespace assistd::sqlite {

// One schema step. Versions start at 1 and increase by 1; a released
// migration is never edited, only followed by a new one.
struct Migration {
  int version;
  std::string sql;  // may hold several statements
};

// Brings the database to the last version in `migrations`, applying each
// missing step in its own transaction together with `PRAGMA user_version`,
// so a crash leaves the database at a whole version.
// InvalidArgument if the versions are not 1, 2, 3...; FailedPrecondition if
// the file is newer than this binary knows (a downgrade).
absl::Status ApplyMigrations(Connection* conn,
                             absl::Span<const Migration> migrations);

}  // namespace assistd::sqlite

#endif  // ASSISTD_COMMON_SQLITE_MIGRATIONS_H_
