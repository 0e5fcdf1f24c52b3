// ask: question answering over the user's files with file_search.

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/answer_parts.h"
#include "cli/commands/commands.h"
#include "cli/indexing.h"
#include "cli/output.h"
#include "cli/proto_json.h"
#include "cli/run_session.h"
#include "common/status_macros.h"

namespace assistd::cli {
namespace {

constexpr char kDefaultModel[] = "assistd-extractive";

absl::StatusOr<v1::VectorStore> CreateStore(const CommandEnv& env,
                                            const std::vector<v1::File>& files) {
  v1::CreateVectorStoreRequest req;
  req.set_name("assistctl ask");
  for (const v1::File& f : files) req.add_file_ids(f.id());
  return env.client->Call(env.client->stores(), &v1::VectorStoreService::Stub::CreateVectorStore,
                          req, "ask: create vector store");
}

absl::Status AttachFiles(const CommandEnv& env, const std::string& store_id,
                         const std::vector<v1::File>& files) {
  for (const v1::File& f : files) {
    v1::CreateVectorStoreFileRequest req;
    req.set_vector_store_id(store_id);
    req.set_file_id(f.id());
    RETURN_IF_ERROR(env.client
                        ->Call(env.client->stores(),
                               &v1::VectorStoreService::Stub::CreateVectorStoreFile, req,
                               absl::StrCat("ask: add ", f.id(), " to ", store_id))
                        .status());
  }
  return absl::OkStatus();
}

// The store to search: `given` with `files` added, or a new one holding
// `files` ("" when there is neither). Waits until it is indexed.
absl::StatusOr<std::string> PrepareStore(const CommandEnv& env, const std::string& given,
                                         const std::vector<v1::File>& files) {
  std::string store_id = given;
  if (store_id.empty()) {
    if (files.empty()) return std::string();
    ASSIGN_OR_RETURN(v1::VectorStore store, CreateStore(env, files));
    store_id = store.id();
    std::fprintf(stderr, "created vector store %s\n", store_id.c_str());
  } else {
    RETURN_IF_ERROR(AttachFiles(env, store_id, files));
  }
  std::set<std::string> watched;
  for (const v1::File& f : files) watched.insert(f.id());
  IndexingOptions options;
  options.interrupt = env.interrupt;
  RETURN_IF_ERROR(WaitForIndexing(*env.client, store_id, watched, options).status());
  return store_id;
}

// Fills in the names the server left out of the citations.
void NameSources(const Client& client, std::vector<Source>* sources) {
  std::map<std::string, std::string> names;
  for (Source& s : *sources) {
    if (!s.file_name.empty()) continue;
    if (names.count(s.file_id) == 0) {
      v1::GetFileRequest req;
      req.set_file_id(s.file_id);
      auto file = client.Call(client.files(), &v1::FileService::Stub::GetFile, req, "");
      names[s.file_id] = file.ok() ? file->filename() : "";
    }
    s.file_name = names[s.file_id];
  }
}

nlohmann::json AskJson(const SessionResult& result, const std::vector<Source>& sources,
                       const std::string& store_id, const std::vector<v1::File>& files) {
  const RunOutcome& o = result.outcome;
  nlohmann::json j = {{"answer", o.messages.empty() ? o.text : AnswerText(o.messages)},
                      {"status", ProtoToJson(o.run).value("status", "")},
                      {"sources", nlohmann::json::array()},
                      {"assistant_id", result.assistant_id},
                      {"thread_id", o.thread_id},
                      {"run_id", o.run.id()},
                      {"vector_store_id", store_id},
                      {"file_ids", nlohmann::json::array()},
                      {"messages", nlohmann::json::array()}};
  for (const Source& s : sources) {
    j["sources"].push_back({{"marker", s.marker},
                            {"file_id", s.file_id},
                            {"file_name", s.file_name},
                            {"page_number", s.page_number}});
  }
  for (const v1::File& f : files) j["file_ids"].push_back(f.id());
  for (const v1::Message& m : o.messages) j["messages"].push_back(ProtoToJson(m));
  if (o.run.has_last_error()) j["last_error"] = ProtoToJson(o.run.last_error());
  return j;
}

absl::StatusOr<SessionResult> AskWithStore(const CommandEnv& env, const Args& args,
                                           const std::string& question, const std::string& store_id,
                                           bool keep) {
  SessionSpec spec;
  spec.what = "ask";
  spec.model = args.Get("model", kDefaultModel);
  spec.instructions = args.Get("instructions");
  spec.tool.mutable_file_search();
  if (!store_id.empty()) spec.tool_resources.mutable_file_search()->add_vector_store_ids(store_id);
  spec.question = question;
  spec.keep_assistant = keep;
  RunStreamPrinter printer(env.json ? nullptr : stdout, nullptr);
  return RunSession(env, spec, &printer);
}

absl::Status Ask(const CommandEnv& env, const Args& args,
                 const std::vector<std::string>& operands) {
  const std::string question = absl::StrJoin(operands, " ");
  if (question.empty()) return UsageError("ask: the question is empty");
  ASSIGN_OR_RETURN(bool keep, args.GetBool("keep"));
  ASSIGN_OR_RETURN(std::vector<v1::File> files, UploadAll(env, args.GetAll("file")));
  absl::StatusOr<std::string> store_id = PrepareStore(env, args.Get("vector_store"), files);
  absl::StatusOr<SessionResult> result =
      store_id.ok() ? AskWithStore(env, args, question, *store_id, keep) : store_id.status();
  if (!result.ok()) {
    PrintKept(files, store_id.value_or(""), SessionResult(), false);
    return result.status();
  }
  std::vector<Source> sources = CollectSources(result->outcome.messages);
  NameSources(*env.client, &sources);
  if (env.json) {
    PrintJson(AskJson(*result, sources, *store_id, files));
  } else {
    std::fputs(FormatSources(sources).c_str(), stdout);
  }
  PrintKept(files, *store_id, *result, keep);
  return RunFailure("ask", result->outcome);
}

}  // namespace

std::vector<Command> AskCommands() {
  return {{"ask",
           "[--file PATH]... [--vector_store VS] [--model M] [--instructions TEXT] [--keep] "
           "QUESTION",
           "answer a question from files (file_search), citing sources",
           {"file", "vector_store", "model", "instructions", "keep"},
           1,
           -1,
           true,
           Ask}};
}

}  // namespace assistd::cli
