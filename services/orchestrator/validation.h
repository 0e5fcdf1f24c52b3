#ifndef ASSISTD_SERVICES_ORCHESTRATOR_VALIDATION_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_VALIDATION_H_

// Checks requests against the limits of spec section 2 before anything is
// stored. Every error is InvalidArgument and its message starts with the
// offending field's JSON path, e.g. "tools[3].function.name: ...".

#include "absl/status/status.h"
#include "assistd/v1/assistants.pb.h"
#include "assistd/v1/runs.pb.h"
#include "assistd/v1/threads.pb.h"

namespace assistd::orchestrator {

inline constexpr int kMaxNameChars = 256;
inline constexpr int kMaxDescriptionChars = 512;
inline constexpr int kMaxInstructionsChars = 256000;
inline constexpr int kMaxTools = 128;
inline constexpr int kMaxCodeInterpreterFiles = 20;
inline constexpr int kMaxMessageChars = 256000;  // per text part (assistd limit)
inline constexpr int kMaxContentParts = 64;      // assistd limit
inline constexpr int kMaxAttachments = 20;       // like code_interpreter files
inline constexpr int kMaxInitialMessages = 32;   // messages in one create (assistd limit)
inline constexpr int kMinTokenLimit = 256;       // max_prompt/completion_tokens

absl::Status ValidateMetadataProto(const v1::Metadata& metadata,
                                   absl::string_view field = "metadata");
absl::Status ValidateTools(const google::protobuf::RepeatedPtrField<v1::AssistantTool>& tools,
                           absl::string_view field = "tools");
// `on_create`: the vector_stores helper is allowed (create only).
absl::Status ValidateToolResources(const v1::ToolResources& resources, bool on_create,
                                   absl::string_view field = "tool_resources");
// A named tool choice must name one of `tools` (the run's effective tools).
absl::Status ValidateToolChoice(const v1::ToolChoice& choice,
                                const google::protobuf::RepeatedPtrField<v1::AssistantTool>& tools);
absl::Status ValidateMessageCreate(const v1::MessageCreate& message, absl::string_view field);

absl::Status ValidateCreateAssistant(const v1::CreateAssistantRequest& request);
absl::Status ValidateUpdateAssistant(const v1::UpdateAssistantRequest& request);
absl::Status ValidateCreateThread(const v1::CreateThreadRequest& request,
                                  absl::string_view field = "");
absl::Status ValidateUpdateThread(const v1::UpdateThreadRequest& request);
absl::Status ValidateCreateRun(const v1::CreateRunRequest& request);
absl::Status ValidateCreateThreadAndRun(const v1::CreateThreadAndRunRequest& request);

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_VALIDATION_H_
