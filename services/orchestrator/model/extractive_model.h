#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_EXTRACTIVE_MODEL_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_EXTRACTIVE_MODEL_H_

// `assistd-extractive`: the built-in model that needs no weights. It drives
// the run loop through the same tool calls an LLM would make and answers
// only with what the tools returned, never with prose of its own:
//   - the newest user message contains fenced Python (```python ... ``` or
//     ``` ... ```) and a `code_interpreter` tool is offered: it calls
//     code_interpreter with {"code": <the fenced code>}; once the output is
//     back it answers with that output;
//   - otherwise, if `file_search` is offered: it calls file_search with
//     {"query": <the user's message>}; once the passages are back
//     (model/passages.h format) it answers by quoting the best sentences of
//     the best passages, each followed by its source marker;
//   - otherwise (or tool_choice "none"): it says what it is and what it can
//     do, and how to configure a real model.
// Answers are streamed in small fragments, like a real model.

#include "services/orchestrator/model/chat_model.h"

namespace assistd::model {

class ExtractiveModel final : public ChatModel {
 public:
  static constexpr char kName[] = "assistd-extractive";

  absl::StatusOr<ChatResult> Complete(const ChatRequest& request,
                                      ChatStreamObserver* observer) override;
};

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_EXTRACTIVE_MODEL_H_
