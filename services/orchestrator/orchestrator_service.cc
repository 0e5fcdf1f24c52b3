#include "services/orchestrator/orchestrator_service.h"

#include <algorithm>

#include "common/status_macros.h"
#include "services/common/project.h"
#include "services/common/proto_page.h"
#include "services/orchestrator/run_store.h"

namespace assistd::orchestrator {
namespace {

// How long a stream waits for the next event before it checks the run.
constexpr absl::Duration kRelayPoll = absl::Seconds(2);

constexpr char kIncludeContent[] = "step_details.tool_calls[*].file_search.results[*].content";

template <typename Msg, typename Response>
void FillList(Page<Msg> page, Response* resp) {
  for (Msg& m : page.data) *resp->add_data() = std::move(m);
  if (resp->data_size() > 0) {
    resp->set_first_id(resp->data(0).id());
    resp->set_last_id(resp->data(resp->data_size() - 1).id());
  }
  resp->set_has_more(page.has_more);
}

absl::Status CheckInclude(const google::protobuf::RepeatedPtrField<std::string>& include,
                          bool* content) {
  *content = false;
  for (const std::string& value : include) {
    if (value != kIncludeContent) {
      return absl::InvalidArgumentError("include: unsupported value '" + value + "'");
    }
    *content = true;
  }
  return absl::OkStatus();
}

v1::RunEvent DoneEvent() {
  v1::RunEvent e;
  e.set_event("done");
  e.set_done(true);
  return e;
}

}  // namespace

// ---- AssistantService ------------------------------------------------------

grpc::Status AssistantServiceImpl::CreateAssistant(grpc::ServerContext* ctx,
                                                   const v1::CreateAssistantRequest* req,
                                                   v1::Assistant* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    v1::CreateAssistantRequest r = *req;
    RETURN_IF_ERROR(CheckToolResources(stores_, project, r.tool_resources()));
    RETURN_IF_ERROR(ResolveOptionalHelper(stores_, project, /*for_thread=*/false, &r));
    ASSIGN_OR_RETURN(*resp, store_->Create(project, r));
    return absl::OkStatus();
  });
}

grpc::Status AssistantServiceImpl::GetAssistant(grpc::ServerContext* ctx,
                                                const v1::GetAssistantRequest* req,
                                                v1::Assistant* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, store_->Get(project, req->assistant_id()));
    return absl::OkStatus();
  });
}

grpc::Status AssistantServiceImpl::ListAssistants(grpc::ServerContext* ctx,
                                                  const v1::ListAssistantsRequest* req,
                                                  v1::ListAssistantsResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(PageParams page, PageFromProto(req->page(), IdKind::kAssistant));
    ASSIGN_OR_RETURN(Page<v1::Assistant> result, store_->List(project, page));
    FillList(std::move(result), resp);
    return absl::OkStatus();
  });
}

grpc::Status AssistantServiceImpl::UpdateAssistant(grpc::ServerContext* ctx,
                                                   const v1::UpdateAssistantRequest* req,
                                                   v1::Assistant* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckToolResources(stores_, project, req->tool_resources()));
    ASSIGN_OR_RETURN(*resp, store_->Update(project, *req));
    return absl::OkStatus();
  });
}

grpc::Status AssistantServiceImpl::DeleteAssistant(grpc::ServerContext* ctx,
                                                   const v1::DeleteAssistantRequest* req,
                                                   v1::DeleteResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, store_->Delete(project, req->assistant_id()));
    return absl::OkStatus();
  });
}

// ---- ThreadService ---------------------------------------------------------

grpc::Status ThreadServiceImpl::CreateThread(grpc::ServerContext* ctx,
                                             const v1::CreateThreadRequest* req,
                                             v1::Thread* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    v1::CreateThreadRequest r = *req;
    RETURN_IF_ERROR(PrepareNewThread(stores_, project, &r));
    ASSIGN_OR_RETURN(*resp, store_->Create(project, r));
    return absl::OkStatus();
  });
}

grpc::Status ThreadServiceImpl::GetThread(grpc::ServerContext* ctx,
                                          const v1::GetThreadRequest* req, v1::Thread* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, store_->Get(project, req->thread_id()));
    return absl::OkStatus();
  });
}

grpc::Status ThreadServiceImpl::UpdateThread(grpc::ServerContext* ctx,
                                             const v1::UpdateThreadRequest* req,
                                             v1::Thread* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    RETURN_IF_ERROR(CheckToolResources(stores_, project, req->tool_resources()));
    ASSIGN_OR_RETURN(*resp, store_->Update(project, *req));
    return absl::OkStatus();
  });
}

grpc::Status ThreadServiceImpl::DeleteThread(grpc::ServerContext* ctx,
                                             const v1::DeleteThreadRequest* req,
                                             v1::DeleteResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, store_->Delete(project, req->thread_id()));
    return absl::OkStatus();
  });
}

grpc::Status ThreadServiceImpl::CreateMessage(grpc::ServerContext* ctx,
                                              const v1::CreateMessageRequest* req,
                                              v1::Message* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    google::protobuf::RepeatedPtrField<v1::MessageCreate> created;
    *created.Add() = req->message();
    RETURN_IF_ERROR(CheckAttachments(stores_, project, created));
    RETURN_IF_ERROR(AttachToThread(stores_, store_, project, req->thread_id(),
                                   FileSearchAttachments(created)));
    ASSIGN_OR_RETURN(*resp, store_->CreateMessage(project, *req));
    return absl::OkStatus();
  });
}

grpc::Status ThreadServiceImpl::GetMessage(grpc::ServerContext* ctx,
                                           const v1::GetMessageRequest* req, v1::Message* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, store_->GetMessage(project, req->thread_id(), req->message_id()));
    return absl::OkStatus();
  });
}

grpc::Status ThreadServiceImpl::ListMessages(grpc::ServerContext* ctx,
                                             const v1::ListMessagesRequest* req,
                                             v1::ListMessagesResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(PageParams page, PageFromProto(req->page(), IdKind::kMessage));
    ASSIGN_OR_RETURN(Page<v1::Message> result,
                     store_->ListMessages(project, req->thread_id(), req->run_id(), page));
    FillList(std::move(result), resp);
    return absl::OkStatus();
  });
}

grpc::Status ThreadServiceImpl::UpdateMessage(grpc::ServerContext* ctx,
                                              const v1::UpdateMessageRequest* req,
                                              v1::Message* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, store_->UpdateMessage(project, *req));
    return absl::OkStatus();
  });
}

grpc::Status ThreadServiceImpl::DeleteMessage(grpc::ServerContext* ctx,
                                              const v1::DeleteMessageRequest* req,
                                              v1::DeleteResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, store_->DeleteMessage(project, req->thread_id(), req->message_id()));
    return absl::OkStatus();
  });
}

// ---- RunService ------------------------------------------------------------

grpc::Status RunServiceImpl::CreateRun(grpc::ServerContext* ctx, const v1::CreateRunRequest* req,
                                       v1::Run* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    v1::CreateRunRequest r = *req;
    RETURN_IF_ERROR(Prepare(project, &r));
    ASSIGN_OR_RETURN(*resp, engine_->CreateRun(project, r));
    return absl::OkStatus();
  });
}

grpc::Status RunServiceImpl::CreateThreadAndRun(grpc::ServerContext* ctx,
                                                const v1::CreateThreadAndRunRequest* req,
                                                v1::Run* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    v1::CreateThreadAndRunRequest r = *req;
    RETURN_IF_ERROR(Prepare(project, &r));
    ASSIGN_OR_RETURN(*resp, engine_->CreateThreadAndRun(project, r));
    return absl::OkStatus();
  });
}

grpc::Status RunServiceImpl::GetRun(grpc::ServerContext* ctx, const v1::GetRunRequest* req,
                                    v1::Run* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, engine_->GetRun(project, req->thread_id(), req->run_id()));
    return absl::OkStatus();
  });
}

grpc::Status RunServiceImpl::ListRuns(grpc::ServerContext* ctx, const v1::ListRunsRequest* req,
                                      v1::ListRunsResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(PageParams page, PageFromProto(req->page(), IdKind::kRun));
    ASSIGN_OR_RETURN(Page<v1::Run> result, engine_->ListRuns(project, req->thread_id(), page));
    FillList(std::move(result), resp);
    return absl::OkStatus();
  });
}

grpc::Status RunServiceImpl::UpdateRun(grpc::ServerContext* ctx, const v1::UpdateRunRequest* req,
                                       v1::Run* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, engine_->UpdateRun(project, *req));
    return absl::OkStatus();
  });
}

grpc::Status RunServiceImpl::CancelRun(grpc::ServerContext* ctx, const v1::CancelRunRequest* req,
                                       v1::Run* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, engine_->CancelRun(project, req->thread_id(), req->run_id()));
    return absl::OkStatus();
  });
}

grpc::Status RunServiceImpl::SubmitToolOutputs(grpc::ServerContext* ctx,
                                               const v1::SubmitToolOutputsRequest* req,
                                               v1::Run* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, engine_->SubmitToolOutputs(project, *req));
    return absl::OkStatus();
  });
}

grpc::Status RunServiceImpl::GetRunStep(grpc::ServerContext* ctx,
                                        const v1::GetRunStepRequest* req, v1::RunStep* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    bool content = false;
    RETURN_IF_ERROR(CheckInclude(req->include(), &content));
    ASSIGN_OR_RETURN(*resp, engine_->GetStep(project, req->thread_id(), req->run_id(),
                                             req->step_id(), content));
    return absl::OkStatus();
  });
}

grpc::Status RunServiceImpl::ListRunSteps(grpc::ServerContext* ctx,
                                          const v1::ListRunStepsRequest* req,
                                          v1::ListRunStepsResponse* resp) {
  return ServeForProject(ctx, [&](const std::string& project) -> absl::Status {
    bool content = false;
    RETURN_IF_ERROR(CheckInclude(req->include(), &content));
    ASSIGN_OR_RETURN(PageParams page, PageFromProto(req->page(), IdKind::kStep));
    ASSIGN_OR_RETURN(Page<v1::RunStep> result,
                     engine_->ListSteps(project, req->thread_id(), req->run_id(), page, content));
    FillList(std::move(result), resp);
    return absl::OkStatus();
  });
}

absl::Status RunServiceImpl::Prepare(const std::string& project, v1::CreateRunRequest* r) {
  RETURN_IF_ERROR(CheckAttachments(stores_, project, r->additional_messages()));
  return AttachToThread(stores_, threads_, project, r->thread_id(),
                        FileSearchAttachments(r->additional_messages()));
}

absl::Status RunServiceImpl::Prepare(const std::string& project,
                                     v1::CreateThreadAndRunRequest* r) {
  if (r->has_thread()) RETURN_IF_ERROR(PrepareNewThread(stores_, project, r->mutable_thread()));
  RETURN_IF_ERROR(CheckToolResources(stores_, project, r->tool_resources()));
  return ResolveOptionalHelper(stores_, project, /*for_thread=*/true, r);
}

grpc::Status RunServiceImpl::Relay(grpc::ServerContext* ctx, const std::string& project,
                                   const v1::Run& run, std::shared_ptr<RunEventLog> log,
                                   size_t from, bool include_content,
                                   grpc::ServerWriter<v1::RunEvent>* writer) {
  std::vector<v1::RunEvent> batch;
  while (!ctx->IsCancelled()) {
    batch.clear();
    if (log->Read(from, kRelayPoll, &batch) == 0) {
      // Nothing new: if the run has stopped without us seeing it (its log
      // was already complete elsewhere), end with its current state.
      absl::StatusOr<v1::Run> now = engine_->GetRun(project, run.thread_id(), run.id());
      if (!now.ok()) return ToGrpcStatus(now.status());
      v1::RunEvent last = RunEventOf(RunEventName(now->status()), *now);
      if (EndsStreamSegment(last) && log->size() == from) {
        writer->Write(last);
        writer->Write(DoneEvent());
        return grpc::Status::OK;
      }
      continue;
    }
    from += batch.size();
    for (v1::RunEvent& e : batch) {
      if (!include_content && e.has_run_step()) StripFileSearchContent(e.mutable_run_step());
      if (!writer->Write(e)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
      if (EndsStreamSegment(e)) {
        writer->Write(DoneEvent());
        return grpc::Status::OK;
      }
    }
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
}

grpc::Status RunServiceImpl::CreateRunStream(grpc::ServerContext* ctx,
                                             const v1::CreateRunRequest* req,
                                             grpc::ServerWriter<v1::RunEvent>* writer) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  v1::CreateRunRequest r = *req;
  absl::Status prepared = Prepare(*project, &r);
  if (!prepared.ok()) return ToGrpcStatus(prepared);
  std::shared_ptr<RunEventLog> log;
  absl::StatusOr<v1::Run> run = engine_->CreateRun(*project, r, &log);
  if (!run.ok()) return ToGrpcStatus(run.status());
  bool content = false;
  if (!CheckInclude(req->include(), &content).ok()) content = false;  // CreateRun validated it
  return Relay(ctx, *project, *run, std::move(log), 0, content, writer);
}

grpc::Status RunServiceImpl::CreateThreadAndRunStream(grpc::ServerContext* ctx,
                                                      const v1::CreateThreadAndRunRequest* req,
                                                      grpc::ServerWriter<v1::RunEvent>* writer) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  v1::CreateThreadAndRunRequest r = *req;
  absl::Status prepared = Prepare(*project, &r);
  if (!prepared.ok()) return ToGrpcStatus(prepared);
  std::shared_ptr<RunEventLog> log;
  absl::StatusOr<v1::Run> run = engine_->CreateThreadAndRun(*project, r, &log);
  if (!run.ok()) return ToGrpcStatus(run.status());
  return Relay(ctx, *project, *run, std::move(log), 0, /*include_content=*/false, writer);
}

grpc::Status RunServiceImpl::SubmitToolOutputsStream(grpc::ServerContext* ctx,
                                                     const v1::SubmitToolOutputsRequest* req,
                                                     grpc::ServerWriter<v1::RunEvent>* writer) {
  absl::StatusOr<std::string> project = ProjectOf(*ctx);
  if (!project.ok()) return ToGrpcStatus(project.status());
  std::shared_ptr<RunEventLog> log;
  size_t from = 0;
  absl::StatusOr<v1::Run> run = engine_->SubmitToolOutputs(*project, *req, &log, &from);
  if (!run.ok()) return ToGrpcStatus(run.status());
  return Relay(ctx, *project, *run, std::move(log), from, /*include_content=*/false, writer);
}

}  // namespace assistd::orchestrator
