#ifndef ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_FILE_SEARCH_TOOL_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_FILE_SEARCH_TOOL_H_

// The file_search built-in tool: searches the vector stores of the run's
// assistant and thread (one each, as OpenAI) and records the hits in the
// tool call. The model reads them as passages under source markers
// (model/passages.h), built from the recorded results by the prompt
// builder, so a restarted run sees exactly what was recorded.

#include "absl/time/time.h"
#include "services/orchestrator/builtin_tools.h"
#include "services/orchestrator/tools/service_calls.h"

namespace assistd::orchestrator {

class FileSearchTool {
 public:
  // `ingest_wait`: how long a search waits for a store that is still
  // ingesting files (e.g. just attached to the thread).
  FileSearchTool(ServiceCalls* calls, absl::Duration ingest_wait)
      : calls_(calls), ingest_wait_(ingest_wait) {}

  static model::ToolSchema Schema();

  // Arguments {"query": "..."} (or {"queries": [...]}). Records
  // ranking_options and results (with content and page numbers; readers
  // strip content unless include[] asks for it). A store that cannot be
  // searched fails the run; no stores or no hits give an empty result.
  absl::Status Execute(const BuiltinContext& context, const v1::FileSearchTool& tool,
                       const model::ToolCall& model_call, v1::ToolCall* call);

 private:
  // Waits until `store_id` has no file in progress, up to ingest_wait_.
  absl::Status AwaitIngestion(const BuiltinContext& context, const std::string& store_id);

  ServiceCalls* const calls_;
  const absl::Duration ingest_wait_;
};

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_TOOLS_FILE_SEARCH_TOOL_H_
