#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_ROBUST_CHAT_MODEL_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_ROBUST_CHAT_MODEL_H_

// A ChatModel decorator that makes small local models' tool calls
// reliable. For a request that offers tools (tool_choice other than
// "none"), it:
//  1. recognises tool calls the model wrote as text (<tool_call>,
//     [TOOL_CALLS], a bare JSON call; see ExtractTextToolCalls) when the
//     server did not parse them, and keeps that markup out of the text the
//     observer sees (plain text still streams as it comes);
//  2. repairs arguments where that is safe (RepairToolArguments);
//  3. checks each call names an offered function and that its arguments
//     satisfy the function's JSON schema (ValidateJsonAgainstSchema);
//  4. when a call is invalid, asks the model again exactly once, with its
//     bad call and the error appended to the conversation.
// Tool-call deltas are held back until the calls are valid and then sent
// to the observer whole: one delta per call carrying id, name and the
// (repaired) arguments. Text streams through, so after a re-ask the
// observer has seen the text of both answers, and ChatResult::text is
// both texts joined; usage is summed over both calls.

#include <memory>

#include "absl/status/statusor.h"
#include "services/orchestrator/model/chat_model.h"

namespace assistd::model {

// Thread-safe when `inner` is.
class RobustChatModel final : public ChatModel {
 public:
  // `inner` is shared: the router hands the same endpoint model to many
  // runs, and may also expose it unwrapped.
  explicit RobustChatModel(std::shared_ptr<ChatModel> inner)
      : inner_(std::move(inner)) {}

  // The inner model's errors, plus FailedPrecondition when the answer to
  // the re-ask still holds an invalid call ("model made an invalid tool
  // call after one retry: function 'get_weather': $.city: expected string,
  // got integer"); the run should fail then. DeadlineExceeded when no time
  // is left for the re-ask. Never more than two inner calls.
  absl::StatusOr<ChatResult> Complete(const ChatRequest& request,
                                      ChatStreamObserver* observer) override;

 private:
  struct Attempt;
  absl::StatusOr<Attempt> Try(const ChatRequest& request,
                              ChatStreamObserver* observer) const;

  const std::shared_ptr<ChatModel> inner_;
};

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_ROBUST_CHAT_MODEL_H_
