#ifndef ASSISTD_SERVICES_ORCHESTRATOR_ORCHESTRATOR_SERVICE_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_ORCHESTRATOR_SERVICE_H_

// The gRPC adapters of the orchestrator core: AssistantService,
// ThreadService and RunService. They validate the project, call the core
// and convert once; the streaming RPCs relay a run's event log.

#include "assistd/v1/assistants.grpc.pb.h"
#include "assistd/v1/runs.grpc.pb.h"
#include "assistd/v1/threads.grpc.pb.h"
#include "services/orchestrator/assistant_store.h"
#include "services/orchestrator/attachments.h"
#include "services/orchestrator/run_engine.h"
#include "services/orchestrator/thread_store.h"

namespace assistd::orchestrator {

class AssistantServiceImpl final : public v1::AssistantService::Service {
 public:
  // `stores` may be null (no retrieval service: vector_stores helpers fail).
  AssistantServiceImpl(AssistantStore* store, VectorStoreOps* stores)
      : store_(store), stores_(stores) {}
  grpc::Status CreateAssistant(grpc::ServerContext* ctx, const v1::CreateAssistantRequest* req,
                               v1::Assistant* resp) override;
  grpc::Status GetAssistant(grpc::ServerContext* ctx, const v1::GetAssistantRequest* req,
                            v1::Assistant* resp) override;
  grpc::Status ListAssistants(grpc::ServerContext* ctx, const v1::ListAssistantsRequest* req,
                              v1::ListAssistantsResponse* resp) override;
  grpc::Status UpdateAssistant(grpc::ServerContext* ctx, const v1::UpdateAssistantRequest* req,
                               v1::Assistant* resp) override;
  grpc::Status DeleteAssistant(grpc::ServerContext* ctx, const v1::DeleteAssistantRequest* req,
                               v1::DeleteResponse* resp) override;

 private:
  AssistantStore* const store_;
  VectorStoreOps* const stores_;
};

class ThreadServiceImpl final : public v1::ThreadService::Service {
 public:
  ThreadServiceImpl(ThreadStore* store, VectorStoreOps* stores)
      : store_(store), stores_(stores) {}
  grpc::Status CreateThread(grpc::ServerContext* ctx, const v1::CreateThreadRequest* req,
                            v1::Thread* resp) override;
  grpc::Status GetThread(grpc::ServerContext* ctx, const v1::GetThreadRequest* req,
                         v1::Thread* resp) override;
  grpc::Status UpdateThread(grpc::ServerContext* ctx, const v1::UpdateThreadRequest* req,
                            v1::Thread* resp) override;
  grpc::Status DeleteThread(grpc::ServerContext* ctx, const v1::DeleteThreadRequest* req,
                            v1::DeleteResponse* resp) override;
  grpc::Status CreateMessage(grpc::ServerContext* ctx, const v1::CreateMessageRequest* req,
                             v1::Message* resp) override;
  grpc::Status GetMessage(grpc::ServerContext* ctx, const v1::GetMessageRequest* req,
                          v1::Message* resp) override;
  grpc::Status ListMessages(grpc::ServerContext* ctx, const v1::ListMessagesRequest* req,
                            v1::ListMessagesResponse* resp) override;
  grpc::Status UpdateMessage(grpc::ServerContext* ctx, const v1::UpdateMessageRequest* req,
                             v1::Message* resp) override;
  grpc::Status DeleteMessage(grpc::ServerContext* ctx, const v1::DeleteMessageRequest* req,
                             v1::DeleteResponse* resp) override;

 private:
  ThreadStore* const store_;
  VectorStoreOps* const stores_;
};

class RunServiceImpl final : public v1::RunService::Service {
 public:
  RunServiceImpl(RunEngine* engine, ThreadStore* threads, VectorStoreOps* stores)
      : engine_(engine), threads_(threads), stores_(stores) {}
  grpc::Status CreateRun(grpc::ServerContext* ctx, const v1::CreateRunRequest* req,
                         v1::Run* resp) override;
  grpc::Status CreateThreadAndRun(grpc::ServerContext* ctx,
                                  const v1::CreateThreadAndRunRequest* req,
                                  v1::Run* resp) override;
  grpc::Status GetRun(grpc::ServerContext* ctx, const v1::GetRunRequest* req,
                      v1::Run* resp) override;
  grpc::Status ListRuns(grpc::ServerContext* ctx, const v1::ListRunsRequest* req,
                        v1::ListRunsResponse* resp) override;
  grpc::Status UpdateRun(grpc::ServerContext* ctx, const v1::UpdateRunRequest* req,
                         v1::Run* resp) override;
  grpc::Status CancelRun(grpc::ServerContext* ctx, const v1::CancelRunRequest* req,
                         v1::Run* resp) override;
  grpc::Status SubmitToolOutputs(grpc::ServerContext* ctx,
                                 const v1::SubmitToolOutputsRequest* req,
                                 v1::Run* resp) override;
  grpc::Status GetRunStep(grpc::ServerContext* ctx, const v1::GetRunStepRequest* req,
                          v1::RunStep* resp) override;
  grpc::Status ListRunSteps(grpc::ServerContext* ctx, const v1::ListRunStepsRequest* req,
                            v1::ListRunStepsResponse* resp) override;
  grpc::Status CreateRunStream(grpc::ServerContext* ctx, const v1::CreateRunRequest* req,
                               grpc::ServerWriter<v1::RunEvent>* writer) override;
  grpc::Status CreateThreadAndRunStream(grpc::ServerContext* ctx,
                                        const v1::CreateThreadAndRunRequest* req,
                                        grpc::ServerWriter<v1::RunEvent>* writer) override;
  grpc::Status SubmitToolOutputsStream(grpc::ServerContext* ctx,
                                       const v1::SubmitToolOutputsRequest* req,
                                       grpc::ServerWriter<v1::RunEvent>* writer) override;

 private:
  // Writes the log's events from `from` until the segment ends, then
  // `done`. A client that goes away stops the relay, not the run.
  // Step events carry file_search chunk text only when `include_content`.
  grpc::Status Relay(grpc::ServerContext* ctx, const std::string& project, const v1::Run& run,
                     std::shared_ptr<RunEventLog> log, size_t from, bool include_content,
                     grpc::ServerWriter<v1::RunEvent>* writer);

  // Applies the attachments and vector_stores helpers of a create request.
  absl::Status Prepare(const std::string& project, v1::CreateRunRequest* r);
  absl::Status Prepare(const std::string& project, v1::CreateThreadAndRunRequest* r);

  RunEngine* const engine_;
  ThreadStore* const threads_;
  VectorStoreOps* const stores_;
};

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_ORCHESTRATOR_SERVICE_H_
