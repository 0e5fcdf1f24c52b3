#ifndef ASSISTD_CLI_RUN_SESSION_H_
#define ASSISTD_CLI_RUN_SESSION_H_

// The part `ask` and `run` share: upload the user's files, create a
// one-off assistant, run it on a new thread with the question, stream the
// answer, cancel the run on Ctrl-C, and delete the assistant afterwards.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "assistd/v1/assistants.pb.h"
#include "assistd/v1/files.pb.h"
#include "cli/command.h"
#include "cli/stream_printer.h"

namespace assistd::cli {

// Uploads each of `paths` with purpose "assistants", noting each on
// stderr. Errors of UploadFile; Cancelled if interrupted.
absl::StatusOr<std::vector<v1::File>> UploadAll(const CommandEnv& env,
                                                const std::vector<std::string>& paths);

struct SessionSpec {
  // The command, for messages ("ask").
  std::string what;
  std::string model;
  // Empty = not set.
  std::string instructions;
  v1::AssistantTool tool;
  v1::ToolResources tool_resources;
  // The user message.
  std::string question;
  // Keep the assistant instead of deleting it afterwards.
  bool keep_assistant = false;
};

struct SessionResult {
  std::string assistant_id;
  RunOutcome outcome;
};

// Creates the assistant and streams CreateThreadAndRun through `printer`.
// Returns the outcome whatever the run's status (see RunFailure). Errors:
// the server's, as CallError; Cancelled after an interrupt, once the run
// has been cancelled (CancelRun). The assistant is deleted in every case
// unless spec.keep_assistant.
absl::StatusOr<SessionResult> RunSession(const CommandEnv& env, const SessionSpec& spec,
                                         RunStreamPrinter* printer);

// OK iff the run completed. Otherwise Aborted: "<what>: run <id> <status>:
// <last_error code>: <message>" (or the stream's error).
absl::Status RunFailure(absl::string_view what, const RunOutcome& outcome);

// Notes on stderr what was created and kept, for reuse.
void PrintKept(const std::vector<v1::File>& files, const std::string& store_id,
               const SessionResult& result, bool kept_assistant);

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_RUN_SESSION_H_
