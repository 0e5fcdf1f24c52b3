#ifndef ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_CODE_INTERPRETER_TOOL_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_CODE_INTERPRETER_TOOL_H_

// The code_interpreter built-in tool: runs the model's Python in the
// thread's sandbox session (one per thread, created on first use and again
// if it expired), with the assistant's and thread's code_interpreter files
// in /mnt/data under their filenames. Records the code and its outputs
// (logs; images stored as Files); files the code writes are stored as
// Files with purpose assistants_output and listed in the record.

#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "services/orchestrator/builtin_tools.h"
#include "services/orchestrator/tools/service_calls.h"

namespace assistd::orchestrator {

class CodeInterpreterTool {
 public:
  explicit CodeInterpreterTool(ServiceCalls* calls) : calls_(calls) {}

  static model::ToolSchema Schema();

  // Arguments {"code": "..."} (a model that sends bare code is accepted).
  // Failures of the code (exceptions, timeouts) and of the sandbox
  // (no session available) go into the logs for the model to see; only a
  // cancelled run is an error.
  absl::Status Execute(const BuiltinContext& context, const model::ToolCall& model_call,
                       v1::ToolCall* call);

 private:
  struct ThreadSession {
    std::string session_id;
    std::set<std::string> files;  // file ids already copied in
  };
  struct Outcome {
    std::string logs;
    std::vector<std::string> written;  // paths relative to /mnt/data
  };

  // The thread's live session with its files in /mnt/data.
  absl::StatusOr<std::string> SessionFor(const BuiltinContext& context);
  absl::Status CopyFiles(const BuiltinContext& context, ThreadSession* session);
  absl::StatusOr<Outcome> Run(const BuiltinContext& context, const std::string& session_id,
                              const std::string& code, v1::CodeInterpreterToolCall* record);
  absl::Status StoreWritten(const BuiltinContext& context, const std::string& session_id,
                            const std::vector<std::string>& paths,
                            v1::CodeInterpreterToolCall* record);

  ServiceCalls* const calls_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, ThreadSession> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_CODE_INTERPRETER_TOOL_H_
