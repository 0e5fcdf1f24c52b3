#include "services/orchestrator/object_table.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/sqlite/keyset_cursor.h"

namespace assistd::orchestrator {

using sqlite::Blob;
using sqlite::Connection;
using sqlite::Statement;

absl::Status NotFound(const Table& table, absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("No ", table.noun, " found with id '", id, "'."));
}

absl::StatusOr<std::optional<std::string>> LoadBody(Connection& c, const Table& table,
                                                    absl::string_view project,
                                                    const std::string* parent,
                                                    absl::string_view id) {
  ASSIGN_OR_RETURN(Statement * st,
                   c.Prepare(absl::StrCat("SELECT body, parent_id FROM ", table.name,
                                          " WHERE id = ? AND project_id = ?")));
  RETURN_IF_ERROR(st->BindAll(id, project));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::nullopt;
  if (parent != nullptr && st->ColumnText(1) != *parent) return std::nullopt;
  std::string body = st->ColumnBlob(0);
  RETURN_IF_ERROR(st->Reset());
  return body;
}

absl::Status ParseBody(const std::string& bytes, google::protobuf::MessageLite* out) {
  if (!out->ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("stored ", out->GetTypeName(), " does not parse"));
  }
  return absl::OkStatus();
}

absl::Status InsertObject(Connection& c, const Table& table, absl::string_view project,
                          absl::string_view parent, absl::string_view id,
                          const google::protobuf::MessageLite& body,
                          const std::vector<std::string>& extra_columns,
                          const std::vector<std::optional<std::string>>& extra_values) {
  std::string columns = "id, project_id, parent_id, body";
  std::string marks = "?, ?, ?, ?";
  for (const std::string& col : extra_columns) {
    absl::StrAppend(&columns, ", ", col);
    absl::StrAppend(&marks, ", ?");
  }
  ASSIGN_OR_RETURN(Statement * st, c.Prepare(absl::StrCat("INSERT INTO ", table.name, " (",
                                                          columns, ") VALUES (", marks, ")")));
  const std::string bytes = body.SerializeAsString();
  RETURN_IF_ERROR(st->BindAll(id, project, parent, Blob{bytes}));
  for (size_t i = 0; i < extra_values.size(); ++i) {
    RETURN_IF_ERROR(st->Bind(static_cast<int>(i) + 5, extra_values[i]));
  }
  return st->Run();
}

absl::Status UpdateBody(Connection& c, const Table& table, absl::string_view id,
                        const google::protobuf::MessageLite& body) {
  ASSIGN_OR_RETURN(Statement * st,
                   c.Prepare(absl::StrCat("UPDATE ", table.name, " SET body = ? WHERE id = ?")));
  const std::string bytes = body.SerializeAsString();
  RETURN_IF_ERROR(st->BindAll(Blob{bytes}, id));
  RETURN_IF_ERROR(st->Run());
  if (c.Changes() == 0) return NotFound(table, id);
  return absl::OkStatus();
}

absl::StatusOr<bool> DeleteObject(Connection& c, const Table& table, absl::string_view project,
                                  absl::string_view id) {
  ASSIGN_OR_RETURN(Statement * st, c.Prepare(absl::StrCat(
                                       "DELETE FROM ", table.name,
                                       " WHERE id = ? AND project_id = ?")));
  RETURN_IF_ERROR(st->BindAll(id, project));
  RETURN_IF_ERROR(st->Run());
  return c.Changes() > 0;
}

absl::StatusOr<Page<std::string>> ListBodies(Connection& c, const Table& table,
                                             absl::string_view project,
                                             absl::string_view parent,
                                             const PageParams& params,
                                             absl::string_view filter_sql,
                                             absl::string_view filter_value) {
  const std::string seq_sql =
      absl::StrCat("SELECT seq FROM ", table.name, " WHERE project_id = ? AND id = ?");
  ASSIGN_OR_RETURN(auto after,
                   sqlite::ResolveKeysetCursor(c, seq_sql, project, params.after, "after"));
  ASSIGN_OR_RETURN(auto before,
                   sqlite::ResolveKeysetCursor(c, seq_sql, project, params.before, "before"));
  KeysetQuery q = PlanKeysetPage(params, after, before, "seq");
  std::string sql = absl::StrCat("SELECT body FROM ", table.name,
                                 " WHERE project_id = ? AND parent_id = ? AND ", q.condition);
  if (!filter_sql.empty()) absl::StrAppend(&sql, " AND ", filter_sql);
  absl::StrAppend(&sql, " ORDER BY ", q.order_by, " LIMIT ", q.fetch_limit);
  ASSIGN_OR_RETURN(Statement * st, c.Prepare(sql));
  RETURN_IF_ERROR(st->BindAll(project, parent));
  int index = 2;
  for (int64_t arg : q.args) RETURN_IF_ERROR(st->Bind(++index, arg));
  if (!filter_sql.empty()) RETURN_IF_ERROR(st->Bind(++index, filter_value));
  std::vector<std::string> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    rows.push_back(st->ColumnBlob(0));
  }
  return FinishKeysetPage(std::move(rows), q);
}

}  // namespace assistd::orchestrator
