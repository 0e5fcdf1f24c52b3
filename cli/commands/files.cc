// files list|get|upload|download|delete: FileService.

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/commands/commands.h"
#include "cli/file_transfer.h"
#include "cli/output.h"
#include "cli/paging.h"
#include "cli/proto_json.h"
#include "common/status_macros.h"

namespace assistd::cli {
namespace {

using Stub = v1::FileService::Stub;

absl::StatusOr<v1::File> GetFile(const Client& client, const std::string& id,
                                 absl::string_view what) {
  v1::GetFileRequest req;
  req.set_file_id(id);
  return client.Call(client.files(), &Stub::GetFile, req, what);
}

void PrintFile(const CommandEnv& env, const v1::File& file) {
  if (env.json) {
    PrintJson(ProtoToJson(file));
  } else {
    PrintDetails(ProtoToJson(file));
  }
}

absl::Status List(const CommandEnv& env, const Args& args, const std::vector<std::string>&) {
  v1::ListFilesRequest req;
  req.set_purpose(args.Get("purpose"));
  ASSIGN_OR_RETURN(*req.mutable_page(), PageFromArgs(args));
  ASSIGN_OR_RETURN(v1::ListFilesResponse resp,
                   env.client->Call(env.client->files(), &Stub::ListFiles, req, "files list"));
  if (env.json) {
    PrintJson(ProtoToJson(resp));
    return absl::OkStatus();
  }
  Table table({"ID", "FILENAME", "PURPOSE", "BYTES", "CREATED"});
  for (const v1::File& f : resp.data()) {
    table.AddRow(
        {f.id(), f.filename(), f.purpose(), absl::StrCat(f.bytes()), FormatTime(f.created_at())});
  }
  table.Print(stdout);
  PrintNextPageHint(resp.has_more(), resp.last_id());
  return absl::OkStatus();
}

absl::Status Get(const CommandEnv& env, const Args&, const std::vector<std::string>& operands) {
  ASSIGN_OR_RETURN(v1::File file,
                   GetFile(*env.client, operands[0], absl::StrCat("files get ", operands[0])));
  PrintFile(env, file);
  return absl::OkStatus();
}

absl::Status Upload(const CommandEnv& env, const Args& args,
                    const std::vector<std::string>& operands) {
  ASSIGN_OR_RETURN(v1::File file,
                   UploadFile(*env.client, operands[0], args.Get("purpose", "assistants")));
  PrintFile(env, file);
  return absl::OkStatus();
}

absl::Status Download(const CommandEnv& env, const Args& args,
                      const std::vector<std::string>& operands) {
  const std::string what = absl::StrCat("files download ", operands[0]);
  std::string path = args.Get("out");
  if (path == "-" && env.json) return UsageError("--json and --out - both want stdout");
  ASSIGN_OR_RETURN(v1::File file, GetFile(*env.client, operands[0], what));
  if (path.empty()) path = LocalName(file);
  ASSIGN_OR_RETURN(int64_t bytes, DownloadFile(*env.client, file.id(), path));
  if (env.json) {
    PrintJson({{"id", file.id()}, {"filename", file.filename()}, {"path", path}, {"bytes", bytes}});
  } else if (path != "-") {
    std::printf("saved %s (%lld bytes)\n", path.c_str(), static_cast<long long>(bytes));
  }
  return absl::OkStatus();
}

absl::Status Delete(const CommandEnv& env, const Args&, const std::vector<std::string>& operands) {
  v1::DeleteFileRequest req;
  req.set_file_id(operands[0]);
  ASSIGN_OR_RETURN(v1::DeleteResponse resp,
                   env.client->Call(env.client->files(), &Stub::DeleteFile, req,
                                    absl::StrCat("files delete ", operands[0])));
  PrintDeleted(env.json, resp);
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> FileCommands() {
  std::set<std::string> list_flags = PageFlags();
  list_flags.insert("purpose");
  return {
      {"files list", "[--purpose P] [--limit N] [--after ID] [--order asc|desc]",
       "list uploaded files", list_flags, 0, 0, false, List},
      {"files get", "ID", "show a file", {}, 1, 1, false, Get},
      {"files upload",
       "PATH [--purpose P]",
       "upload a file (purpose default assistants)",
       {"purpose"},
       1,
       1,
       false,
       Upload},
      {"files download",
       "ID [--out PATH|-]",
       "save a file's bytes (default: its name)",
       {"out"},
       1,
       1,
       false,
       Download},
      {"files delete", "ID", "delete a file", {}, 1, 1, false, Delete},
  };
}

}  // namespace assistd::cli
