#ifndef ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_SERVER_BUILTIN_TOOLS_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_SERVER_BUILTIN_TOOLS_H_

// BuiltinTools over the other assistd services: file_search through the
// retrieval service, code_interpreter through the sandbox service, output
// files through the file service.

#include "services/common/channel_registry.h"
#include "services/orchestrator/builtin_tools.h"
#include "services/orchestrator/tools/code_interpreter_tool.h"
#include "services/orchestrator/tools/file_search_tool.h"
#include "services/orchestrator/tools/service_calls.h"

namespace assistd::orchestrator {

class ServerBuiltinTools final : public BuiltinTools {
 public:
  ServerBuiltinTools(ChannelRegistry* channels, absl::Duration ingest_wait)
      : calls_(channels), file_search_(&calls_, ingest_wait), code_interpreter_(&calls_) {}

  std::optional<model::ToolSchema> Schema(const v1::AssistantTool& tool) override;
  absl::Status Execute(const BuiltinContext& context, const v1::AssistantTool& tool,
                       const model::ToolCall& model_call, v1::ToolCall* call) override;

  // Attaches files to a thread's vector store (ingested asynchronously).
  ServiceCalls* calls() { return &calls_; }

 private:
  ServiceCalls calls_;
  FileSearchTool file_search_;
  CodeInterpreterTool code_interpreter_;
};

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_SERVER_BUILTIN_TOOLS_H_
