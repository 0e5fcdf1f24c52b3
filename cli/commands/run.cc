// run: a request for code_interpreter over the user's files; files the
// answer hands back are saved locally.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/answer_parts.h"
#include "cli/commands/commands.h"
#include "cli/file_transfer.h"
#include "cli/output.h"
#include "cli/proto_json.h"
#include "cli/run_session.h"
#include "common/status_macros.h"

namespace assistd::cli {
namespace {

constexpr char kDefaultModel[] = "assistd-extractive";

struct SavedFile {
  std::string file_id;
  std::string filename;
  std::string path;
  int64_t bytes = 0;
};

absl::StatusOr<SavedFile> SaveOne(const CommandEnv& env, const std::string& file_id,
                                  const std::string& out_dir, std::set<std::string>* used) {
  v1::GetFileRequest req;
  req.set_file_id(file_id);
  ASSIGN_OR_RETURN(v1::File file,
                   env.client->Call(env.client->files(), &v1::FileService::Stub::GetFile, req,
                                    absl::StrCat("run: get output file ", file_id)));
  std::string name = LocalName(file);
  // Two outputs with one name: keep both.
  if (!used->insert(name).second) name = absl::StrCat(file.id(), "-", name);
  SavedFile saved{file.id(), file.filename(), absl::StrCat(out_dir, "/", name), 0};
  ASSIGN_OR_RETURN(saved.bytes, DownloadFile(*env.client, file.id(), saved.path));
  return saved;
}

// Downloads every file in `ids` into `out_dir` (created if missing). Tries
// them all; returns the first error.
absl::StatusOr<std::vector<SavedFile>> SaveOutputs(const CommandEnv& env,
                                                   const std::vector<std::string>& ids,
                                                   const std::string& out_dir) {
  std::vector<SavedFile> saved;
  if (ids.empty()) return saved;
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec)
    return absl::UnavailableError(absl::StrCat("run: --out_dir ", out_dir, ": ", ec.message()));
  std::set<std::string> used;
  absl::Status first_error;
  for (const std::string& id : ids) {
    absl::StatusOr<SavedFile> one = SaveOne(env, id, out_dir, &used);
    if (!one.ok()) {
      std::fprintf(stderr, "assistctl: %s\n", std::string(one.status().message()).c_str());
      first_error.Update(one.status());
      continue;
    }
    if (!env.json) std::printf("saved %s\n", one->path.c_str());
    saved.push_back(*std::move(one));
  }
  if (!first_error.ok()) return first_error;
  return saved;
}

nlohmann::json RunJson(const SessionResult& result, const std::vector<SavedFile>& saved,
                       const std::vector<v1::File>& files) {
  const RunOutcome& o = result.outcome;
  nlohmann::json j = {{"answer", o.messages.empty() ? o.text : AnswerText(o.messages)},
                      {"status", ProtoToJson(o.run).value("status", "")},
                      {"saved", nlohmann::json::array()},
                      {"tool_calls", nlohmann::json::array()},
                      {"assistant_id", result.assistant_id},
                      {"thread_id", o.thread_id},
                      {"run_id", o.run.id()},
                      {"file_ids", nlohmann::json::array()},
                      {"messages", nlohmann::json::array()}};
  for (const SavedFile& s : saved) {
    j["saved"].push_back(
        {{"file_id", s.file_id}, {"filename", s.filename}, {"path", s.path}, {"bytes", s.bytes}});
  }
  for (const v1::ToolCall& c : o.tool_calls) j["tool_calls"].push_back(ProtoToJson(c));
  for (const v1::File& f : files) j["file_ids"].push_back(f.id());
  for (const v1::Message& m : o.messages) j["messages"].push_back(ProtoToJson(m));
  if (o.run.has_last_error()) j["last_error"] = ProtoToJson(o.run.last_error());
  return j;
}

SessionSpec RunSpec(const Args& args, const std::string& request,
                    const std::vector<v1::File>& files, bool keep) {
  SessionSpec spec;
  spec.what = "run";
  spec.model = args.Get("model", kDefaultModel);
  spec.instructions = args.Get("instructions");
  spec.tool.mutable_code_interpreter();
  auto* ids = spec.tool_resources.mutable_code_interpreter()->mutable_file_ids();
  for (const v1::File& f : files) ids->Add(std::string(f.id()));
  spec.question = request;
  spec.keep_assistant = keep;
  return spec;
}

// The request, with the Python of --code appended as a fenced block (what
// the built-in model runs; an LLM reads it as the code to use).
absl::StatusOr<std::string> RequestText(const Args& args,
                                        const std::vector<std::string>& operands) {
  std::string request = absl::StrJoin(operands, " ");
  const std::string code_path = args.Get("code");
  if (!code_path.empty()) {
    std::ifstream in(code_path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("run: --code ", code_path, ": cannot read"));
    const std::string code((std::istreambuf_iterator<char>(in)), {});
    absl::StrAppend(&request, request.empty() ? "" : "\n\n", "```python\n", code,
                    absl::EndsWith(code, "\n") ? "" : "\n", "```\n");
  }
  if (request.empty()) return UsageError("run: the request is empty");
  return request;
}

absl::Status Run(const CommandEnv& env, const Args& args,
                 const std::vector<std::string>& operands) {
  ASSIGN_OR_RETURN(const std::string request, RequestText(args, operands));
  ASSIGN_OR_RETURN(bool keep, args.GetBool("keep"));
  ASSIGN_OR_RETURN(std::vector<v1::File> files, UploadAll(env, args.GetAll("file")));
  RunStreamPrinter printer(env.json ? nullptr : stdout, stderr);
  absl::StatusOr<SessionResult> result =
      RunSession(env, RunSpec(args, request, files, keep), &printer);
  if (!result.ok()) {
    PrintKept(files, "", SessionResult(), false);
    return result.status();
  }
  absl::StatusOr<std::vector<SavedFile>> saved =
      SaveOutputs(env, OutputFileIds(result->outcome.messages), args.Get("out_dir", "."));
  if (env.json) PrintJson(RunJson(*result, saved.value_or(std::vector<SavedFile>()), files));
  PrintKept(files, "", *result, keep);
  RETURN_IF_ERROR(RunFailure("run", result->outcome));
  return saved.status();
}

}  // namespace

std::vector<Command> RunCommands() {
  return {{"run",
           "[--file PATH]... [--code FILE.py] [--model M] [--instructions TEXT] [--out_dir DIR] "
           "[--keep] REQUEST",
           "do a task with code_interpreter (--code: Python to run, appended to the request as a "
           "fenced block); saves the files it hands back in --out_dir",
           {"file", "code", "model", "instructions", "out_dir", "keep"},
           0,
           -1,
           true,
           Run}};
}

}  // namespace assistd::cli
