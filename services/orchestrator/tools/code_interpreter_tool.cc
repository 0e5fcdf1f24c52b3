#include "services/orchestrator/tools/code_interpreter_tool.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace assistd::orchestrator {
namespace {

constexpr char kOutputPurpose[] = "assistants_output";
constexpr int64_t kMaxFileBytes = 512ll << 20;
constexpr char kMountPoint[] = "/mnt/data/";

std::string CodeOf(const std::string& arguments) {
  nlohmann::json args = nlohmann::json::parse(arguments, nullptr, /*allow_exceptions=*/false);
  if (args.is_object() && args.contains("code") && args["code"].is_string()) {
    return args["code"].get<std::string>();
  }
  if (args.is_discarded()) return arguments;  // bare code
  return "";
}

bool Alive(const v1::Session& session) {
  return session.status() == v1::SESSION_STATUS_READY ||
         session.status() == v1::SESSION_STATUS_BUSY;
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void AppendDone(const v1::ExecuteDone& done, std::string* logs) {
  if (done.timed_out()) {
    absl::StrAppend(logs, "\n[execution timed out after ", done.duration_ms(), " ms]\n");
  }
  if (done.memory_exceeded()) *logs += "\n[execution stopped: memory limit exceeded]\n";
  if (done.truncated()) *logs += "\n[output truncated]\n";
  if (done.session_restarted()) {
    *logs += "[the Python session was restarted: variables and imports are lost; files in "
             "/mnt/data are kept]\n";
  }
}

}  // namespace

model::ToolSchema CodeInterpreterTool::Schema() {
  model::ToolSchema schema;
  schema.name = "code_interpreter";
  schema.description =
      "Run Python 3 in a stateful sandbox (no network) with numpy, pandas and matplotlib. "
      "The user's files are in /mnt/data; save files you create there and link them as "
      "sandbox:/mnt/data/<name>. Printed output, the value of the last expression and "
      "matplotlib figures are returned.";
  schema.parameters_json =
      R"({"type":"object","properties":{"code":{"type":"string","description":)"
      R"("The Python code to run."}},"required":["code"]})";
  return schema;
}

absl::Status CodeInterpreterTool::Execute(const BuiltinContext& context,
                                          const model::ToolCall& model_call,
                                          v1::ToolCall* call) {
  v1::CodeInterpreterToolCall* record = call->mutable_code_interpreter();
  const std::string code = CodeOf(model_call.arguments);
  record->set_input(code);
  if (code.empty()) {
    record->add_outputs()->set_logs("No code was given: call code_interpreter with {\"code\": ...}.");
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> session = SessionFor(context);
  absl::StatusOr<Outcome> outcome =
      session.ok() ? Run(context, *session, code, record) : session.status();
  if (context.cancelled != nullptr && context.cancelled->load()) {
    return absl::CancelledError("run cancelled");
  }
  if (!outcome.ok()) {
    LogWarning("orchestrator: run ", context.run_id, ": code_interpreter: ",
               outcome.status().ToString());
    record->clear_outputs();
    record->add_outputs()->set_logs(absl::StrCat(
        "The sandbox could not run the code: ", outcome.status().message()));
    return absl::OkStatus();
  }
  if (!outcome->logs.empty()) {
    // Logs first, then images, as OpenAI records them.
    v1::CodeInterpreterOutput logs;
    logs.set_logs(outcome->logs);
    record->mutable_outputs()->Add(std::move(logs));
    std::rotate(record->mutable_outputs()->begin(), record->mutable_outputs()->end() - 1,
                record->mutable_outputs()->end());
  }
  absl::Status stored = StoreWritten(context, *session, outcome->written, record);
  if (!stored.ok()) {
    LogWarning("orchestrator: run ", context.run_id, ": code_interpreter: ", stored.ToString());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CodeInterpreterTool::SessionFor(const BuiltinContext& context) {
  ThreadSession session;
  {
    absl::MutexLock lock(&mu_);
    auto it = sessions_.find(context.thread_id);
    if (it != sessions_.end()) session = it->second;
  }
  if (!session.session_id.empty()) {
    absl::StatusOr<v1::Session> live = calls_->GetSession(context.project, session.session_id);
    if (!live.ok() || !Alive(*live)) session = ThreadSession();
  }
  if (session.session_id.empty()) {
    ASSIGN_OR_RETURN(v1::Session created, calls_->CreateSession(context.project, context.thread_id));
    session.session_id = created.id();
  }
  absl::Status copied = CopyFiles(context, &session);
  {
    absl::MutexLock lock(&mu_);
    sessions_[context.thread_id] = session;
  }
  RETURN_IF_ERROR(copied);
  return session.session_id;
}

absl::Status CodeInterpreterTool::CopyFiles(const BuiltinContext& context,
                                            ThreadSession* session) {
  for (const v1::ToolResources* r : {&context.assistant_resources, &context.thread_resources}) {
    for (const std::string& file_id : r->code_interpreter().file_ids()) {
      if (session->files.count(file_id) > 0) continue;
      ASSIGN_OR_RETURN(v1::File file, calls_->GetFile(context.project, file_id));
      ASSIGN_OR_RETURN(std::string bytes,
                       calls_->ReadFile(context.project, file_id, kMaxFileBytes));
      RETURN_IF_ERROR(calls_->PutSessionFile(context.project, session->session_id,
                                             file.filename(), bytes));
      session->files.insert(file_id);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CodeInterpreterTool::Outcome> CodeInterpreterTool::Run(
    const BuiltinContext& context, const std::string& session_id, const std::string& code,
    v1::CodeInterpreterToolCall* record) {
  Outcome outcome;
  absl::Status image_error;
  v1::ExecuteRequest req;
  req.set_session_id(session_id);
  req.set_code(code);
  auto on_event = [&](const v1::ExecuteEvent& e) {
    switch (e.event_case()) {
      case v1::ExecuteEvent::kStdout: outcome.logs += e.stdout(); break;
      case v1::ExecuteEvent::kStderr: outcome.logs += e.stderr(); break;
      case v1::ExecuteEvent::kResult: absl::StrAppend(&outcome.logs, e.result().text_repr(), "\n"); break;
      case v1::ExecuteEvent::kError:
        absl::StrAppend(&outcome.logs, absl::StrJoin(e.error().traceback(), "\n"), "\n",
                        e.error().ename(), ": ", e.error().evalue(), "\n");
        break;
      case v1::ExecuteEvent::kImage: {
        absl::StatusOr<v1::File> file = calls_->UploadFile(
            context.project, e.image().name(), kOutputPurpose, e.image().data());
        if (file.ok()) {
          record->add_outputs()->mutable_image()->set_file_id(file->id());
        } else {
          image_error = file.status();
        }
        break;
      }
      case v1::ExecuteEvent::kFile: outcome.written.push_back(e.file().path()); break;
      case v1::ExecuteEvent::kDone: AppendDone(e.done(), &outcome.logs); break;
      case v1::ExecuteEvent::EVENT_NOT_SET: break;
    }
  };
  RETURN_IF_ERROR(calls_->Execute(context.project, req, context.cancelled, on_event));
  if (!image_error.ok()) {
    absl::StrAppend(&outcome.logs, "[a figure could not be stored: ", image_error.message(), "]\n");
  }
  return outcome;
}

absl::Status CodeInterpreterTool::StoreWritten(const BuiltinContext& context,
                                               const std::string& session_id,
                                               const std::vector<std::string>& paths,
                                               v1::CodeInterpreterToolCall* record) {
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(std::string bytes,
                     calls_->ReadSessionFile(context.project, session_id, path, kMaxFileBytes));
    ASSIGN_OR_RETURN(v1::File file,
                     calls_->UploadFile(context.project, BaseName(path), kOutputPurpose, bytes));
    v1::CodeInterpreterFile* out = record->add_files();
    out->set_path(absl::StrCat(kMountPoint, path));
    out->set_file_id(file.id());
  }
  return absl::OkStatus();
}

}  // namespace assistd::orchestrator
