// assistants list|get|delete: AssistantService.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands/commands.h"
#include "cli/output.h"
#include "cli/paging.h"
#include "cli/proto_json.h"
#include "common/status_macros.h"

namespace assistd::cli {
namespace {

using Stub = v1::AssistantService::Stub;

std::string ToolNames(const v1::Assistant& a) {
  std::vector<std::string> names;
  for (const v1::AssistantTool& t : a.tools()) {
    names.push_back(t.has_function() ? t.function().name() : ProtoToJson(t).value("type", "?"));
  }
  return names.empty() ? "-" : absl::StrJoin(names, ",");
}

absl::Status List(const CommandEnv& env, const Args& args, const std::vector<std::string>&) {
  v1::ListAssistantsRequest req;
  ASSIGN_OR_RETURN(*req.mutable_page(), PageFromArgs(args));
  ASSIGN_OR_RETURN(
      v1::ListAssistantsResponse resp,
      env.client->Call(env.client->assistants(), &Stub::ListAssistants, req, "assistants list"));
  if (env.json) {
    PrintJson(ProtoToJson(resp));
    return absl::OkStatus();
  }
  Table table({"ID", "NAME", "MODEL", "TOOLS", "CREATED"});
  for (const v1::Assistant& a : resp.data()) {
    table.AddRow({a.id(), a.has_name() ? a.name() : "-", a.model(), ToolNames(a),
                  FormatTime(a.created_at())});
  }
  table.Print(stdout);
  PrintNextPageHint(resp.has_more(), resp.last_id());
  return absl::OkStatus();
}

absl::Status Get(const CommandEnv& env, const Args&, const std::vector<std::string>& operands) {
  v1::GetAssistantRequest req;
  req.set_assistant_id(operands[0]);
  ASSIGN_OR_RETURN(v1::Assistant assistant,
                   env.client->Call(env.client->assistants(), &Stub::GetAssistant, req,
                                    absl::StrCat("assistants get ", operands[0])));
  if (env.json) {
    PrintJson(ProtoToJson(assistant));
  } else {
    PrintDetails(ProtoToJson(assistant));
  }
  return absl::OkStatus();
}

absl::Status Delete(const CommandEnv& env, const Args&, const std::vector<std::string>& operands) {
  v1::DeleteAssistantRequest req;
  req.set_assistant_id(operands[0]);
  ASSIGN_OR_RETURN(v1::DeleteResponse resp,
                   env.client->Call(env.client->assistants(), &Stub::DeleteAssistant, req,
                                    absl::StrCat("assistants delete ", operands[0])));
  PrintDeleted(env.json, resp);
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> AssistantCommands() {
  return {
      {"assistants list", "[--limit N] [--after ID] [--order asc|desc]", "list assistants",
       PageFlags(), 0, 0, false, List},
      {"assistants get", "ID", "show an assistant", {}, 1, 1, false, Get},
      {"assistants delete", "ID", "delete an assistant", {}, 1, 1, false, Delete},
  };
}

}  // namespace assistd::cli
