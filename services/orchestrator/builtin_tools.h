#ifndef ASSISTD_SERVICES_ORCHESTRATOR_BUILTIN_TOOLS_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_BUILTIN_TOOLS_H_

#include <atomic>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "assistd/v1/assistants.pb.h"
#include "assistd/v1/runs.pb.h"
#include "services/orchestrator/model/chat_model.h"

namespace assistd::orchestrator {

// What a built-in tool needs to know about the run calling it.
struct BuiltinContext {
  std::string project;
  std::string thread_id;
  std::string run_id;
  std::string assistant_id;
  const std::atomic<bool>* cancelled = nullptr;  // set when the run is cancelled
  // The tool_resources of the run's assistant and thread (the thread's
  // include files attached to its messages), read when the run was claimed.
  v1::ToolResources assistant_resources;
  v1::ToolResources thread_resources;
};

// The tools the server runs itself (file_search, code_interpreter). The run
// loop offers each one to the model as a function schema and executes the
// calls the model makes to it; `function` tools go to the client instead.
// Thread-safe.
class BuiltinTools {
 public:
  virtual ~BuiltinTools() = default;
  // The function the model sees for `tool` (a file_search or
  // code_interpreter tool of the run); nullopt if it is not available.
  virtual std::optional<model::ToolSchema> Schema(const v1::AssistantTool& tool) = 0;
  // Executes `model_call` of `tool` (the run's tool whose Schema() has the
  // call's name) and records it in
  // `call` (id already set): file_search results or code_interpreter input
  // and outputs. A tool failure the model should see goes into the record
  // (e.g. as logs); an error status fails the run.
  virtual absl::Status Execute(const BuiltinContext& context, const v1::AssistantTool& tool,
                               const model::ToolCall& model_call, v1::ToolCall* call) = 0;
};

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_BUILTIN_TOOLS_H_
