// threads get|messages|delete: ThreadService (there is no ListThreads).

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

using Stub = v1::ThreadService::Stub;

// The message's text parts joined; other parts as "[image_file file-x]".
std::string MessageText(const v1::Message& m) {
  std::vector<std::string> parts;
  for (const v1::MessageContent& c : m.content()) {
    if (c.has_text()) {
      parts.push_back(c.text().value());
    } else if (c.has_image_file()) {
      parts.push_back(absl::StrCat("[image_file ", c.image_file().file_id(), "]"));
    } else if (c.has_image_url()) {
      parts.push_back(absl::StrCat("[image_url ", c.image_url().url(), "]"));
    } else if (c.part_case() == v1::MessageContent::kRefusal) {
      parts.push_back(absl::StrCat("[refusal] ", c.refusal()));
    }
  }
  return absl::StrJoin(parts, " ");
}

absl::Status Get(const CommandEnv& env, const Args&, const std::vector<std::string>& operands) {
  v1::GetThreadRequest req;
  req.set_thread_id(operands[0]);
  ASSIGN_OR_RETURN(v1::Thread thread, env.client->Call(env.client->threads(), &Stub::GetThread, req,
                                                       absl::StrCat("threads get ", operands[0])));
  if (env.json) {
    PrintJson(ProtoToJson(thread));
  } else {
    PrintDetails(ProtoToJson(thread));
  }
  return absl::OkStatus();
}

absl::Status Messages(const CommandEnv& env, const Args& args,
                      const std::vector<std::string>& operands) {
  v1::ListMessagesRequest req;
  req.set_thread_id(operands[0]);
  req.set_run_id(args.Get("run_id"));
  // A conversation reads oldest first.
  ASSIGN_OR_RETURN(*req.mutable_page(), PageFromArgs(args, v1::ORDER_ASC));
  ASSIGN_OR_RETURN(v1::ListMessagesResponse resp,
                   env.client->Call(env.client->threads(), &Stub::ListMessages, req,
                                    absl::StrCat("threads messages ", operands[0])));
  if (env.json) {
    PrintJson(ProtoToJson(resp));
    return absl::OkStatus();
  }
  Table table({"ID", "ROLE", "STATUS", "CREATED", "TEXT"});
  for (const v1::Message& m : resp.data()) {
    const nlohmann::json j = ProtoToJson(m);
    table.AddRow({m.id(), j.value("role", "-"), j.value("status", "-"), FormatTime(m.created_at()),
                  OneLine(MessageText(m), 80)});
  }
  table.Print(stdout);
  PrintNextPageHint(resp.has_more(), resp.last_id());
  return absl::OkStatus();
}

absl::Status Delete(const CommandEnv& env, const Args&, const std::vector<std::string>& operands) {
  v1::DeleteThreadRequest req;
  req.set_thread_id(operands[0]);
  ASSIGN_OR_RETURN(v1::DeleteResponse resp,
                   env.client->Call(env.client->threads(), &Stub::DeleteThread, req,
                                    absl::StrCat("threads delete ", operands[0])));
  PrintDeleted(env.json, resp);
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ThreadCommands() {
  std::set<std::string> message_flags = PageFlags();
  message_flags.insert("run_id");
  return {
      {"threads get", "ID", "show a thread", {}, 1, 1, false, Get},
      {"threads messages", "ID [--run_id RUN] [--limit N] [--after ID] [--order asc|desc]",
       "list a thread's messages, oldest first", message_flags, 1, 1, false, Messages},
      {"threads delete",
       "ID",
       "delete a thread with its messages and runs",
       {},
       1,
       1,
       false,
       Delete},
  };
}

}  // namespace assistd::cli
