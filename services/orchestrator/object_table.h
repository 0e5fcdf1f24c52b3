#ifndef ASSISTD_SERVICES_ORCHESTRATOR_OBJECT_TABLE_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_OBJECT_TABLE_H_

// Reads and writes the orchestrator's objects, stored as serialized proto
// messages in tables of the shape described in orchestrator_schema.h. All
// functions run inside a caller's transaction (Database::Read/Write).

#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message_lite.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/pagination.h"
#include "common/sqlite/connection.h"
#include "common/sqlite/statement.h"
#include "common/status_macros.h"

namespace assistd::orchestrator {

// Which table, and the object's name for error messages ("thread").
struct Table {
  const char* name;  // SQL table
  const char* noun;  // "No <noun> found with id '<id>'."
};
inline constexpr Table kAssistants{"assistants", "assistant"};
inline constexpr Table kThreads{"threads", "thread"};
inline constexpr Table kMessages{"messages", "message"};
inline constexpr Table kRuns{"runs", "run"};
inline constexpr Table kSteps{"run_steps", "run step"};

// OpenAI's wording: "No thread found with id 'thread_x'."
absl::Status NotFound(const Table& table, absl::string_view id);

// The row's body, or nullopt when no row of `project` (and, when `parent`
// is not null, of that parent) has `id`.
absl::StatusOr<std::optional<std::string>> LoadBody(
    sqlite::Connection& c, const Table& table, absl::string_view project,
    const std::string* parent, absl::string_view id);

// Parses a stored body; DataLoss if it does not parse.
absl::Status ParseBody(const std::string& bytes, google::protobuf::MessageLite* out);

// Loads and parses, NotFound in OpenAI's wording when absent.
template <typename Msg>
absl::StatusOr<Msg> LoadObject(sqlite::Connection& c, const Table& table,
                               absl::string_view project, const std::string* parent,
                               absl::string_view id) {
  ASSIGN_OR_RETURN(std::optional<std::string> body, LoadBody(c, table, project, parent, id));
  if (!body) return NotFound(table, id);
  Msg msg;
  RETURN_IF_ERROR(ParseBody(*body, &msg));
  return msg;
}

// Inserts a new row. `extra` names further columns set from `extra_values`
// (text or null), e.g. {"run_id"}.
absl::Status InsertObject(sqlite::Connection& c, const Table& table,
                          absl::string_view project, absl::string_view parent,
                          absl::string_view id, const google::protobuf::MessageLite& body,
                          const std::vector<std::string>& extra_columns = {},
                          const std::vector<std::optional<std::string>>& extra_values = {});

// Replaces the body of row `id`. NotFound if there is none.
absl::Status UpdateBody(sqlite::Connection& c, const Table& table, absl::string_view id,
                        const google::protobuf::MessageLite& body);

// Deletes row `id`; returns whether it existed.
absl::StatusOr<bool> DeleteObject(sqlite::Connection& c, const Table& table,
                                  absl::string_view project, absl::string_view id);

// One page of bodies under (`project`, `parent`), optionally narrowed by
// `filter_sql` (a condition with one `?`, bound to `filter_value`).
absl::StatusOr<Page<std::string>> ListBodies(sqlite::Connection& c, const Table& table,
                                             absl::string_view project,
                                             absl::string_view parent,
                                             const PageParams& params,
                                             absl::string_view filter_sql = "",
                                             absl::string_view filter_value = "");

template <typename Msg>
absl::StatusOr<Page<Msg>> ListObjects(sqlite::Connection& c, const Table& table,
                                      absl::string_view project, absl::string_view parent,
                                      const PageParams& params,
                                      absl::string_view filter_sql = "",
                                      absl::string_view filter_value = "") {
  ASSIGN_OR_RETURN(Page<std::string> bodies,
                   ListBodies(c, table, project, parent, params, filter_sql, filter_value));
  Page<Msg> page;
  page.has_more = bodies.has_more;
  for (const std::string& b : bodies.data) {
    RETURN_IF_ERROR(ParseBody(b, &page.data.emplace_back()));
  }
  return page;
}

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_OBJECT_TABLE_H_
