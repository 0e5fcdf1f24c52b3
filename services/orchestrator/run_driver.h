#ifndef ASSISTD_SERVICES_ORCHESTRATOR_RUN_DRIVER_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_RUN_DRIVER_H_

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "assistd/v1/runs.pb.h"
#include "assistd/v1/threads.pb.h"
#include "services/orchestrator/model/chat_model.h"
#include "services/orchestrator/prompt_builder.h"
#include "services/orchestrator/run_engine.h"

namespace assistd::orchestrator {

// Drives one claimed run on a worker thread: turn after turn, builds the
// prompt, calls the model, streams its text into an assistant message and
// its tool calls into a tool_calls step, runs built-in tools, and stops at
// a final answer (completed), at function calls (requires_action), at a
// limit (incomplete / failed) or when cancelled. Every change is stored
// before its event is published.
class RunEngine::Driver final : public model::ChatStreamObserver {
 public:
  Driver(RunEngine* engine, std::string run_id, std::atomic<bool>* cancelled)
      : e_(engine), run_id_(std::move(run_id)), cancelled_(cancelled) {}

  void Drive();

  bool OnText(absl::string_view fragment) override;
  bool OnToolCallDelta(int index, absl::string_view id, absl::string_view name,
                       absl::string_view arguments) override;

 private:
  absl::StatusOr<bool> Claim();
  // One model call; true when the run stopped (terminal or requires_action).
  absl::StatusOr<bool> Turn();
  absl::StatusOr<PromptInput> LoadPromptInput();
  model::ChatRequest MakeRequest(std::vector<model::ChatMessage> prompt) const;
  absl::StatusOr<bool> FinishTurn(const model::ChatResult& result);
  absl::Status OpenMessage();
  // Completes the open message, or, when `cut` (the model hit its token
  // limit), makes it incomplete with reason max_tokens.
  absl::Status CloseMessage(const v1::Usage* usage, bool cut = false);
  // Stores the text streamed so far into the open message (before the run
  // fails or is cancelled, which marks it incomplete).
  void SavePartialMessage();
  absl::Status OpenToolStep();
  absl::Status SaveToolStep(bool completed, const v1::Usage* usage);
  absl::StatusOr<bool> ExecuteTools(const std::vector<model::ToolCall>& calls);
  absl::Status ExecuteBuiltin(int index, const v1::AssistantTool& tool,
                              const model::ToolCall& model_call, v1::ToolCall* call);
  absl::Status LoadToolResources();
  // The final text with citations and file paths annotated, and the images
  // code_interpreter made since the previous message, as content parts.
  absl::Status ComposeContent(std::vector<v1::MessageContent>* content);
  absl::Status RequireAction();
  void Fail(const absl::Status& status);
  void Interrupted();
  void Emit(v1::RunEvent event);

  RunEngine* const e_;
  const std::string run_id_;
  std::atomic<bool>* const cancelled_;
  std::string project_;
  v1::Run run_;
  std::shared_ptr<model::ChatModel> model_;
  // Built-in tools offered this run, by the function name the model sees.
  absl::flat_hash_map<std::string, v1::AssistantTool> builtins_;
  // The assistant's and thread's tool_resources (when built-ins are offered).
  v1::ToolResources assistant_resources_;
  v1::ToolResources thread_resources_;
  int model_calls_ = 0;
  int64_t used_prompt_ = 0;
  int64_t used_completion_ = 0;

  // The current turn.
  std::optional<v1::RunStep> message_step_;
  std::optional<v1::Message> message_;
  std::string text_;
  std::optional<v1::RunStep> tool_step_;
  std::vector<std::string> call_ids_;
  std::vector<std::string> call_names_;
  absl::Status stream_error_;  // a store failure inside a callback
};

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_RUN_DRIVER_H_
