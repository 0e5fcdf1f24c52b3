// stores list|get|create|delete|files: VectorStoreService.

#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/commands/commands.h"
#include "cli/indexing.h"
#include "cli/output.h"
#include "cli/paging.h"
#include "cli/proto_json.h"
#include "common/status_macros.h"

namespace assistd::cli {
namespace {

using Stub = v1::VectorStoreService::Stub;

void PrintObject(const CommandEnv& env, const google::protobuf::Message& object) {
  if (env.json) {
    PrintJson(ProtoToJson(object));
  } else {
    PrintDetails(ProtoToJson(object));
  }
}

absl::Status List(const CommandEnv& env, const Args& args, const std::vector<std::string>&) {
  v1::ListVectorStoresRequest req;
  ASSIGN_OR_RETURN(*req.mutable_page(), PageFromArgs(args));
  ASSIGN_OR_RETURN(
      v1::ListVectorStoresResponse resp,
      env.client->Call(env.client->stores(), &Stub::ListVectorStores, req, "stores list"));
  if (env.json) {
    PrintJson(ProtoToJson(resp));
    return absl::OkStatus();
  }
  Table table({"ID", "NAME", "STATUS", "FILES", "BYTES", "CREATED"});
  for (const v1::VectorStore& s : resp.data()) {
    const v1::FileCounts& c = s.file_counts();
    table.AddRow({s.id(), s.name(), ProtoToJson(s).value("status", "-"),
                  absl::StrCat(c.completed(), "/", c.total()), absl::StrCat(s.usage_bytes()),
                  FormatTime(s.created_at())});
  }
  table.Print(stdout);
  PrintNextPageHint(resp.has_more(), resp.last_id());
  return absl::OkStatus();
}

absl::Status Get(const CommandEnv& env, const Args&, const std::vector<std::string>& operands) {
  v1::GetVectorStoreRequest req;
  req.set_vector_store_id(operands[0]);
  ASSIGN_OR_RETURN(v1::VectorStore store,
                   env.client->Call(env.client->stores(), &Stub::GetVectorStore, req,
                                    absl::StrCat("stores get ", operands[0])));
  PrintObject(env, store);
  return absl::OkStatus();
}

absl::Status Create(const CommandEnv& env, const Args& args, const std::vector<std::string>&) {
  v1::CreateVectorStoreRequest req;
  req.set_name(args.Get("name"));
  const std::vector<std::string> file_ids = args.GetAll("file_id");
  for (const std::string& id : file_ids) req.add_file_ids(id);
  ASSIGN_OR_RETURN(bool wait, args.GetBool("wait"));
  ASSIGN_OR_RETURN(
      v1::VectorStore store,
      env.client->Call(env.client->stores(), &Stub::CreateVectorStore, req, "stores create"));
  if (wait) {
    IndexingOptions options;
    options.interrupt = env.interrupt;
    const std::set<std::string> watched(file_ids.begin(), file_ids.end());
    ASSIGN_OR_RETURN(store, WaitForIndexing(*env.client, store.id(), watched, options));
  }
  PrintObject(env, store);
  return absl::OkStatus();
}

absl::Status Delete(const CommandEnv& env, const Args&, const std::vector<std::string>& operands) {
  v1::DeleteVectorStoreRequest req;
  req.set_vector_store_id(operands[0]);
  ASSIGN_OR_RETURN(v1::DeleteResponse resp,
                   env.client->Call(env.client->stores(), &Stub::DeleteVectorStore, req,
                                    absl::StrCat("stores delete ", operands[0])));
  PrintDeleted(env.json, resp);
  return absl::OkStatus();
}

absl::StatusOr<v1::VectorStoreFileStatus> StatusFilter(const Args& args) {
  static const std::map<std::string, v1::VectorStoreFileStatus> kByName = {
      {"", v1::VECTOR_STORE_FILE_STATUS_UNSPECIFIED},
      {"in_progress", v1::VECTOR_STORE_FILE_STATUS_IN_PROGRESS},
      {"completed", v1::VECTOR_STORE_FILE_STATUS_COMPLETED},
      {"cancelled", v1::VECTOR_STORE_FILE_STATUS_CANCELLED},
      {"failed", v1::VECTOR_STORE_FILE_STATUS_FAILED}};
  auto it = kByName.find(args.Get("status"));
  if (it == kByName.end()) {
    return UsageError("--status takes in_progress, completed, cancelled or failed");
  }
  return it->second;
}

// The file's name, or "-" if it cannot be read (e.g. deleted meanwhile).
std::string FileName(const Client& client, const std::string& id) {
  v1::GetFileRequest req;
  req.set_file_id(id);
  auto file = client.Call(client.files(), &v1::FileService::Stub::GetFile, req, "");
  return file.ok() ? file->filename() : "-";
}

absl::Status Files(const CommandEnv& env, const Args& args,
                   const std::vector<std::string>& operands) {
  v1::ListVectorStoreFilesRequest req;
  req.set_vector_store_id(operands[0]);
  ASSIGN_OR_RETURN(*req.mutable_page(), PageFromArgs(args));
  ASSIGN_OR_RETURN(v1::VectorStoreFileStatus filter, StatusFilter(args));
  req.set_filter(filter);
  ASSIGN_OR_RETURN(v1::ListVectorStoreFilesResponse resp,
                   env.client->Call(env.client->stores(), &Stub::ListVectorStoreFiles, req,
                                    absl::StrCat("stores files ", operands[0])));
  if (env.json) {
    PrintJson(ProtoToJson(resp));
    return absl::OkStatus();
  }
  Table table({"ID", "FILENAME", "STATUS", "BYTES", "CREATED", "ERROR"});
  for (const v1::VectorStoreFile& f : resp.data()) {
    const nlohmann::json j = ProtoToJson(f);
    table.AddRow({f.id(), FileName(*env.client, f.id()), j.value("status", "-"),
                  absl::StrCat(f.usage_bytes()), FormatTime(f.created_at()),
                  f.has_last_error() ? OneLine(f.last_error().message(), 60) : ""});
  }
  table.Print(stdout);
  PrintNextPageHint(resp.has_more(), resp.last_id());
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> StoreCommands() {
  std::set<std::string> files_flags = PageFlags();
  files_flags.insert("status");
  return {
      {"stores list", "[--limit N] [--after ID] [--order asc|desc]", "list vector stores",
       PageFlags(), 0, 0, false, List},
      {"stores get", "ID", "show a vector store", {}, 1, 1, false, Get},
      {"stores create",
       "[--name N] [--file_id ID]... [--wait]",
       "create a vector store; --wait shows indexing until done",
       {"name", "file_id", "wait"},
       0,
       0,
       true,
       Create},
      {"stores delete",
       "ID",
       "delete a vector store (its files are kept)",
       {},
       1,
       1,
       false,
       Delete},
      {"stores files", "ID [--status S] [--limit N] [--after ID] [--order asc|desc]",
       "list a vector store's files", files_flags, 1, 1, false, Files},
  };
}

}  // namespace assistd::cli
