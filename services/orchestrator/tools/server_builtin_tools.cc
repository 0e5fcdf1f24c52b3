#include "services/orchestrator/tools/server_builtin_tools.h"

namespace assistd::orchestrator {

std::optional<model::ToolSchema> ServerBuiltinTools::Schema(const v1::AssistantTool& tool) {
  if (tool.has_file_search()) return FileSearchTool::Schema();
  if (tool.has_code_interpreter()) return CodeInterpreterTool::Schema();
  return std::nullopt;
}

absl::Status ServerBuiltinTools::Execute(const BuiltinContext& context,
                                         const v1::AssistantTool& tool,
                                         const model::ToolCall& model_call, v1::ToolCall* call) {
  if (tool.has_file_search()) {
    return file_search_.Execute(context, tool.file_search(), model_call, call);
  }
  if (tool.has_code_interpreter()) return code_interpreter_.Execute(context, model_call, call);
  return absl::InvalidArgumentError("not a built-in tool: " + model_call.name);
}

}  // namespace assistd::orchestrator
