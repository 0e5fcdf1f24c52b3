#include "cli/run_session.h"

#include <cstdio>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/file_transfer.h"
#include "cli/proto_json.h"
#include "common/status_macros.h"

namespace assistd::cli {
namespace {

absl::StatusOr<v1::Assistant> CreateAssistant(const CommandEnv& env, const SessionSpec& spec) {
  v1::CreateAssistantRequest req;
  req.set_model(spec.model);
  req.set_name(absl::StrCat("assistctl ", spec.what));
  if (!spec.instructions.empty()) req.set_instructions(spec.instructions);
  *req.add_tools() = spec.tool;
  *req.mutable_tool_resources() = spec.tool_resources;
  return env.client->Call(env.client->assistants(), &v1::AssistantService::Stub::CreateAssistant,
                          req, absl::StrCat(spec.what, ": create assistant"));
}

v1::CreateThreadAndRunRequest RunRequest(const SessionSpec& spec, const std::string& assistant) {
  v1::CreateThreadAndRunRequest req;
  req.set_assistant_id(assistant);
  v1::MessageCreate* message = req.mutable_thread()->add_messages();
  message->set_role(v1::MESSAGE_ROLE_USER);
  message->set_text(spec.question);
  return req;
}

// Cancels the session's run (or, if its id never came, the thread's
// newest run). Best effort: the run may have ended meanwhile.
void CancelTheRun(const CommandEnv& env, const RunOutcome& outcome) {
  std::string run_id = outcome.run.id();
  if (run_id.empty() && !outcome.thread_id.empty()) {
    v1::ListRunsRequest list;
    list.set_thread_id(outcome.thread_id);
    list.mutable_page()->set_limit(1);
    auto runs = env.client->Call(env.client->runs(), &v1::RunService::Stub::ListRuns, list, "");
    if (runs.ok() && runs->data_size() > 0) run_id = runs->data(0).id();
  }
  if (run_id.empty()) return;
  v1::CancelRunRequest req;
  req.set_thread_id(outcome.thread_id);
  req.set_run_id(run_id);
  auto run =
      env.client->Call(env.client->runs(), &v1::RunService::Stub::CancelRun, req, "cancel run");
  std::fprintf(stderr, "%s run %s\n", run.ok() ? "cancelled" : "could not cancel", run_id.c_str());
}

absl::StatusOr<RunOutcome> StreamRun(const CommandEnv& env, const SessionSpec& spec,
                                     const std::string& assistant, RunStreamPrinter* printer) {
  std::unique_ptr<grpc::ClientContext> ctx = env.client->StreamContext();
  grpc::Status status;
  {
    CancelOnInterrupt cancel(env.interrupt, ctx.get());
    auto reader =
        env.client->runs().CreateThreadAndRunStream(ctx.get(), RunRequest(spec, assistant));
    v1::RunEvent event;
    bool announced = false;
    while (reader->Read(&event)) {
      printer->Consume(event);
      const RunOutcome& o = printer->outcome();
      if (!announced && !o.run.id().empty()) {
        std::fprintf(stderr, "run %s on thread %s\n", o.run.id().c_str(), o.thread_id.c_str());
        announced = true;
      }
    }
    status = reader->Finish();
  }
  printer->EndText();
  const bool interrupted = env.interrupt != nullptr && env.interrupt->interrupted();
  const bool stuck = printer->outcome().run.status() == v1::RUN_STATUS_REQUIRES_ACTION;
  if (interrupted || stuck) CancelTheRun(env, printer->outcome());
  if (interrupted) return absl::CancelledError(absl::StrCat(spec.what, ": interrupted"));
  if (!status.ok()) return CallError(status, absl::StrCat(spec.what, ": run"));
  return printer->outcome();
}

}  // namespace

absl::StatusOr<std::vector<v1::File>> UploadAll(const CommandEnv& env,
                                                const std::vector<std::string>& paths) {
  std::vector<v1::File> files;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(v1::File file, UploadFile(*env.client, path, "assistants", env.interrupt));
    std::fprintf(stderr, "uploaded %s as %s (%lld bytes)\n", path.c_str(), file.id().c_str(),
                 static_cast<long long>(file.bytes()));
    files.push_back(std::move(file));
  }
  return files;
}

absl::StatusOr<SessionResult> RunSession(const CommandEnv& env, const SessionSpec& spec,
                                         RunStreamPrinter* printer) {
  ASSIGN_OR_RETURN(v1::Assistant assistant, CreateAssistant(env, spec));
  absl::StatusOr<RunOutcome> outcome = StreamRun(env, spec, assistant.id(), printer);
  if (!spec.keep_assistant) {
    v1::DeleteAssistantRequest req;
    req.set_assistant_id(assistant.id());
    absl::Status deleted =
        env.client
            ->Call(env.client->assistants(), &v1::AssistantService::Stub::DeleteAssistant, req,
                   absl::StrCat("delete assistant ", assistant.id()))
            .status();
    if (!deleted.ok())
      std::fprintf(stderr, "warning: %s\n", std::string(deleted.message()).c_str());
  }
  if (!outcome.ok()) return outcome.status();
  return SessionResult{assistant.id(), *std::move(outcome)};
}

absl::Status RunFailure(absl::string_view what, const RunOutcome& outcome) {
  if (!outcome.stream_error.empty()) {
    return absl::AbortedError(
        absl::StrCat(what, ": run ", outcome.run.id(), ": ", outcome.stream_error));
  }
  if (outcome.run.status() == v1::RUN_STATUS_COMPLETED) return absl::OkStatus();
  const nlohmann::json run = ProtoToJson(outcome.run);
  std::string message = absl::StrCat(what, ": run ", outcome.run.id(), " ",
                                     run.value("status", "ended without a status"));
  if (run.contains("last_error")) {
    absl::StrAppend(&message, ": ", run["last_error"].value("code", "error"), ": ",
                    run["last_error"].value("message", ""));
  } else if (run.contains("incomplete_details")) {
    absl::StrAppend(&message, ": ", run["incomplete_details"].value("reason", ""));
  }
  return absl::AbortedError(message);
}

void PrintKept(const std::vector<v1::File>& files, const std::string& store_id,
               const SessionResult& result, bool kept_assistant) {
  std::vector<std::string> ids;
  for (const v1::File& f : files) ids.push_back(f.id());
  if (!ids.empty()) std::fprintf(stderr, "files: %s\n", absl::StrJoin(ids, " ").c_str());
  if (!store_id.empty()) {
    std::fprintf(stderr, "vector store: %s (reuse with --vector_store %s)\n", store_id.c_str(),
                 store_id.c_str());
  }
  if (!result.outcome.thread_id.empty()) {
    std::fprintf(stderr, "thread: %s\n", result.outcome.thread_id.c_str());
  }
  if (kept_assistant) std::fprintf(stderr, "assistant: %s (kept)\n", result.assistant_id.c_str());
}

}  // namespace assistd::cli
