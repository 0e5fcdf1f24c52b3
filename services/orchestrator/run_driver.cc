#include "services/orchestrator/run_driver.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/metrics/metrics.h"
#include "common/status_macros.h"
#include "services/orchestrator/citations.h"
#include "services/orchestrator/object_table.h"
#include "services/orchestrator/run_store.h"
#include "services/orchestrator/thread_store.h"

namespace assistd::orchestrator {

using sqlite::Connection;
using sqlite::Statement;

namespace {

v1::LastError ErrorOf(const absl::Status& status) {
  v1::LastError error;
  switch (status.code()) {
    case absl::StatusCode::kResourceExhausted:
      error.set_code(v1::LAST_ERROR_CODE_RATE_LIMIT_EXCEEDED);
      break;
    case absl::StatusCode::kInvalidArgument:
      error.set_code(v1::LAST_ERROR_CODE_INVALID_PROMPT);
      break;
    default:
      error.set_code(v1::LAST_ERROR_CODE_SERVER_ERROR);
  }
  error.set_message(std::string(status.message()));
  return error;
}

std::string ToolChoiceOf(const v1::ToolChoice& choice) {
  if (choice.has_tool()) {
    const v1::NamedToolChoice& t = choice.tool();
    if (t.has_function()) return absl::StrCat("function:", t.function().name());
    return t.has_file_search() ? "function:file_search" : "function:code_interpreter";
  }
  switch (choice.mode()) {
    case v1::TOOL_CHOICE_MODE_NONE: return "none";
    case v1::TOOL_CHOICE_MODE_REQUIRED: return "required";
    default: return "auto";
  }
}

std::string ResponseFormatOf(const v1::ResponseFormat& format) {
  if (format.has_json_object()) return "json_object";
  if (!format.has_json_schema()) return "";
  const auto& js = format.json_schema();
  nlohmann::json out = {{"name", js.name()}};
  if (js.has_description()) out["description"] = js.description();
  if (js.has_schema_json()) {
    out["schema"] = nlohmann::json::parse(js.schema_json(), nullptr, false);
  }
  if (js.has_strict()) out["strict"] = js.strict();
  return out.dump();
}

v1::Usage UsageOf(const model::TokenUsage& u) {
  v1::Usage usage;
  usage.set_prompt_tokens(u.prompt_tokens);
  usage.set_completion_tokens(u.completion_tokens);
  usage.set_total_tokens(u.prompt_tokens + u.completion_tokens);
  return usage;
}

v1::RunStep NewStep(const v1::Run& run, int64_t now, v1::RunStepType type) {
  v1::RunStep step;
  step.set_id(NewId(IdKind::kStep));
  step.set_object("thread.run.step");
  step.set_created_at(now);
  step.set_assistant_id(run.assistant_id());
  step.set_thread_id(run.thread_id());
  step.set_run_id(run.id());
  step.set_type(type);
  step.set_status(v1::RUN_STEP_STATUS_IN_PROGRESS);
  return step;
}

v1::RunEvent StepDeltaEvent(const std::string& step_id, v1::ToolCallDelta delta) {
  v1::RunEvent e;
  e.set_event("thread.run.step.delta");
  v1::RunStepDelta* d = e.mutable_run_step_delta();
  d->set_id(step_id);
  d->set_object("thread.run.step.delta");
  *d->mutable_delta()->mutable_step_details()->mutable_tool_calls()->add_tool_calls() =
      std::move(delta);
  return e;
}

v1::RunEvent MessageDeltaEvent(const std::string& message_id) {
  v1::RunEvent e;
  e.set_event("thread.message.delta");
  e.mutable_message_delta()->set_id(message_id);
  e.mutable_message_delta()->set_object("thread.message.delta");
  return e;
}

// The annotations of content part 0 as one delta.
v1::RunEvent AnnotationsDelta(const std::string& message_id, const v1::MessageText& text) {
  v1::RunEvent e = MessageDeltaEvent(message_id);
  v1::MessageContentDelta* part = e.mutable_message_delta()->mutable_delta()->add_content();
  part->set_index(0);
  int index = 0;
  for (const v1::Annotation& a : text.annotations()) {
    v1::AnnotationDelta* d = part->mutable_text()->add_annotations();
    d->set_index(index++);
    d->set_text(a.text());
    d->set_start_index(a.start_index());
    d->set_end_index(a.end_index());
    if (a.has_file_citation()) d->mutable_file_citation()->set_file_id(a.file_citation().file_id());
    if (a.has_file_path()) d->mutable_file_path()->set_file_id(a.file_path().file_id());
  }
  return e;
}

// Image parts 1..n (part 0 is the text).
v1::RunEvent ImagesDelta(const std::string& message_id, const std::vector<std::string>& images) {
  v1::RunEvent e = MessageDeltaEvent(message_id);
  int index = 1;
  for (const std::string& file_id : images) {
    v1::MessageContentDelta* part = e.mutable_message_delta()->mutable_delta()->add_content();
    part->set_index(index++);
    part->mutable_image_file()->set_file_id(file_id);
  }
  return e;
}

}  // namespace

void RunEngine::WorkerLoop() {
  absl::MutexLock lock(&mu_);
  while (true) {
    ++idle_workers_;
    auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
    mu_.Await(absl::Condition(&ready));
    --idle_workers_;
    if (stopping_) return;
    std::string run_id = std::move(queue_.front());
    queue_.pop_front();
    auto flag = std::make_shared<std::atomic<bool>>(false);
    active_[run_id] = flag;
    mu_.Unlock();
    Driver(this, run_id, flag.get()).Drive();
    mu_.Lock();
    active_.erase(run_id);
  }
}

void RunEngine::Driver::Emit(v1::RunEvent event) { e_->hub_.Publish(run_id_, std::move(event)); }

void RunEngine::Driver::Drive() {
  absl::StatusOr<bool> claimed = Claim();
  if (!claimed.ok()) return Fail(claimed.status());
  if (!*claimed) return;
  absl::StatusOr<std::shared_ptr<model::ChatModel>> model = e_->options_.models(run_.model());
  if (!model.ok()) return Fail(model.status());
  model_ = *model;
  while (true) {
    if (cancelled_->load()) return Interrupted();
    if (model_calls_ >= e_->options_.max_model_calls) {
      return Fail(absl::InternalError(absl::StrCat(
          "the run made ", model_calls_, " model calls without a final answer (the limit is ",
          e_->options_.max_model_calls, "); the model may be looping on tool calls")));
    }
    absl::StatusOr<bool> stopped = Turn();
    if (!stopped.ok()) {
      SavePartialMessage();
      if (cancelled_->load()) return Interrupted();
      return Fail(stopped.status());
    }
    if (*stopped) return;
  }
}

void RunEngine::Driver::Fail(const absl::Status& status) {
  LogWarning("orchestrator: run ", run_id_, " failed: ", status.ToString());
  const v1::LastError error = ErrorOf(status);
  absl::Status finished = e_->Finish(run_id_, v1::RUN_STATUS_FAILED, &error, {}).status();
  if (!finished.ok()) LogError("orchestrator: run ", run_id_, ": ", finished.ToString());
}

void RunEngine::Driver::Interrupted() {
  absl::Status finished;
  if (e_->shutting_down_) {
    v1::LastError error;
    error.set_code(v1::LAST_ERROR_CODE_SERVER_ERROR);
    error.set_message("assistd shut down while the run was in progress; create a new run");
    finished = e_->Finish(run_id_, v1::RUN_STATUS_FAILED, &error, {}).status();
  } else {
    finished = e_->Finish(run_id_, v1::RUN_STATUS_CANCELLED, nullptr, {}).status();
  }
  if (!finished.ok()) LogError("orchestrator: run ", run_id_, ": ", finished.ToString());
}

absl::StatusOr<bool> RunEngine::Driver::Claim() {
  std::vector<v1::RunEvent> events;
  bool claimed = false;
  const int64_t now = e_->options_.clock->NowUnixSeconds();
  RETURN_IF_ERROR(e_->db_->Write([&](Connection& c) -> absl::Status {
    events.clear();
    ASSIGN_OR_RETURN(auto loaded, LoadRunAnyProject(c, run_id_));
    if (!loaded || loaded->second.status() != v1::RUN_STATUS_QUEUED) return absl::OkStatus();
    claimed = true;
    project_ = loaded->first;
    run_ = std::move(loaded->second);
    run_.set_status(v1::RUN_STATUS_IN_PROGRESS);
    if (!run_.has_started_at()) run_.set_started_at(now);
    RETURN_IF_ERROR(SaveRun(c, run_));
    events.push_back(RunEventOf("thread.run.in_progress", run_));
    ASSIGN_OR_RETURN(std::vector<v1::RunStep> steps, LoadSteps(c, run_id_));
    for (v1::RunStep& step : steps) {
      used_prompt_ += step.usage().prompt_tokens();
      used_completion_ += step.usage().completion_tokens();
      if (step.step_details().has_tool_calls()) ++model_calls_;
      if (step.status() != v1::RUN_STEP_STATUS_IN_PROGRESS) continue;
      // A tool_calls step whose outputs were submitted.
      step.set_status(v1::RUN_STEP_STATUS_COMPLETED);
      step.set_completed_at(now);
      RETURN_IF_ERROR(SaveStep(c, step));
      events.push_back(StepEventOf("thread.run.step.completed", step));
    }
    return absl::OkStatus();
  }));
  for (v1::RunEvent& e : events) Emit(std::move(e));
  if (claimed && e_->options_.builtins != nullptr) {
    for (const v1::AssistantTool& tool : run_.tools()) {
      if (tool.has_function()) continue;
      std::optional<model::ToolSchema> schema = e_->options_.builtins->Schema(tool);
      if (schema) builtins_[schema->name] = tool;
    }
    if (!builtins_.empty()) RETURN_IF_ERROR(LoadToolResources());
  }
  return claimed;
}

absl::Status RunEngine::Driver::LoadToolResources() {
  return e_->db_->Read([&](Connection& c) -> absl::Status {
    absl::StatusOr<v1::Assistant> assistant =
        LoadObject<v1::Assistant>(c, kAssistants, project_, nullptr, run_.assistant_id());
    // A deleted assistant leaves the run its own settings, not its resources.
    if (assistant.ok()) assistant_resources_ = assistant->tool_resources();
    if (!assistant.ok() && !absl::IsNotFound(assistant.status())) return assistant.status();
    ASSIGN_OR_RETURN(v1::Thread thread,
                     LoadObject<v1::Thread>(c, kThreads, project_, nullptr, run_.thread_id()));
    thread_resources_ = thread.tool_resources();
    return absl::OkStatus();
  });
}

absl::StatusOr<PromptInput> RunEngine::Driver::LoadPromptInput() {
  PromptInput input;
  input.instructions = run_.instructions();
  input.truncation = run_.truncation_strategy();
  RETURN_IF_ERROR(e_->db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "SELECT body, run_id FROM messages WHERE parent_id = ? ORDER BY seq"));
    RETURN_IF_ERROR(st->BindAll(run_.thread_id()));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      v1::Message m;
      RETURN_IF_ERROR(ParseBody(st->ColumnBlob(0), &m));
      if (st->ColumnIsNull(1) || st->ColumnText(1) != run_id_) {
        input.history.push_back(std::move(m));
      } else {
        input.run_messages[m.id()] = std::move(m);
      }
    }
    ASSIGN_OR_RETURN(input.steps, LoadSteps(c, run_id_));
    return absl::OkStatus();
  }));
  if (run_.has_max_prompt_tokens()) input.budget = run_.max_prompt_tokens() - used_prompt_;
  return input;
}

model::ChatRequest RunEngine::Driver::MakeRequest(std::vector<model::ChatMessage> prompt) const {
  model::ChatRequest request;
  request.model = run_.model();
  request.messages = std::move(prompt);
  for (const v1::AssistantTool& tool : run_.tools()) {
    if (!tool.has_function()) continue;
    const v1::FunctionTool& fn = tool.function();
    request.tools.push_back({fn.name(), fn.description(), fn.parameters_json(), fn.strict()});
  }
  for (const auto& [name, tool] : builtins_) {
    request.tools.push_back(*e_->options_.builtins->Schema(tool));
  }
  request.tool_choice = ToolChoiceOf(run_.tool_choice());
  request.parallel_tool_calls = run_.parallel_tool_calls();
  if (run_.has_temperature()) request.temperature = run_.temperature();
  if (run_.has_top_p()) request.top_p = run_.top_p();
  if (run_.has_max_completion_tokens()) {
    request.max_completion_tokens = run_.max_completion_tokens() - used_completion_;
  }
  request.response_format = ResponseFormatOf(run_.response_format());
  request.timeout = e_->options_.model_timeout;
  request.cancelled = cancelled_;
  return request;
}

absl::StatusOr<bool> RunEngine::Driver::Turn() {
  ASSIGN_OR_RETURN(PromptInput input, LoadPromptInput());
  absl::StatusOr<std::vector<model::ChatMessage>> prompt = BuildPrompt(input);
  if (absl::IsResourceExhausted(prompt.status())) {
    RETURN_IF_ERROR(e_->Finish(run_id_, v1::RUN_STATUS_INCOMPLETE, nullptr,
                               v1::INCOMPLETE_REASON_MAX_PROMPT_TOKENS).status());
    return true;
  }
  RETURN_IF_ERROR(prompt.status());
  if (run_.has_max_completion_tokens() && run_.max_completion_tokens() - used_completion_ <= 0) {
    RETURN_IF_ERROR(e_->Finish(run_id_, v1::RUN_STATUS_INCOMPLETE, nullptr,
                               v1::INCOMPLETE_REASON_MAX_COMPLETION_TOKENS).status());
    return true;
  }
  message_step_.reset();
  message_.reset();
  text_.clear();
  tool_step_.reset();
  call_ids_.clear();
  call_names_.clear();
  stream_error_ = absl::OkStatus();
  ++model_calls_;
  const absl::Time call_start = absl::Now();
  absl::StatusOr<model::ChatResult> result =
      model_->Complete(MakeRequest(*std::move(prompt)), this);
  metrics::ModelCallFinished(run_.model(), absl::Now() - call_start);
  if (result.ok()) {
    metrics::ModelTokensUsed(result->usage.prompt_tokens, result->usage.completion_tokens);
  }
  RETURN_IF_ERROR(stream_error_);
  RETURN_IF_ERROR(result.status());
  used_prompt_ += result->usage.prompt_tokens;
  used_completion_ += result->usage.completion_tokens;
  return FinishTurn(*result);
}

absl::StatusOr<bool> RunEngine::Driver::FinishTurn(const model::ChatResult& result) {
  const v1::Usage usage = UsageOf(result.usage);
  if (text_.empty() && !result.text.empty() && !OnText(result.text)) RETURN_IF_ERROR(stream_error_);
  if (result.finish_reason == model::FinishReason::kLength) {
    if (message_) RETURN_IF_ERROR(CloseMessage(&usage, /*cut=*/true));
    if (tool_step_) RETURN_IF_ERROR(SaveToolStep(/*completed=*/true, nullptr));
    // The run's reasons are max_completion_tokens and max_prompt_tokens
    // only: a cut by the model server's own limit reads as the former too.
    RETURN_IF_ERROR(e_->Finish(run_id_, v1::RUN_STATUS_INCOMPLETE, nullptr,
                               v1::INCOMPLETE_REASON_MAX_COMPLETION_TOKENS)
                        .status());
    return true;
  }
  if (result.tool_calls.empty()) {
    if (!message_) RETURN_IF_ERROR(OpenMessage());
    RETURN_IF_ERROR(CloseMessage(&usage));
    RETURN_IF_ERROR(e_->Finish(run_id_, v1::RUN_STATUS_COMPLETED, nullptr, {}).status());
    return true;
  }
  if (message_) RETURN_IF_ERROR(CloseMessage(nullptr));
  if (!tool_step_) RETURN_IF_ERROR(OpenToolStep());
  *tool_step_->mutable_usage() = usage;
  ASSIGN_OR_RETURN(bool needs_client, ExecuteTools(result.tool_calls));
  if (needs_client) {
    RETURN_IF_ERROR(SaveToolStep(/*completed=*/false, nullptr));
    RETURN_IF_ERROR(RequireAction());
    return true;
  }
  RETURN_IF_ERROR(SaveToolStep(/*completed=*/true, nullptr));
  return false;
}

absl::StatusOr<bool> RunEngine::Driver::ExecuteTools(const std::vector<model::ToolCall>& calls) {
  auto* list = tool_step_->mutable_step_details()->mutable_tool_calls()->mutable_tool_calls();
  list->Clear();
  bool needs_client = false;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (i >= call_ids_.size()) {
      // Not streamed: announce it now.
      if (!OnToolCallDelta(static_cast<int>(i), "", calls[i].name, calls[i].arguments)) {
        RETURN_IF_ERROR(stream_error_);
      }
    }
    v1::ToolCall* call = list->Add();
    call->set_id(call_ids_[i]);
    auto builtin = builtins_.find(calls[i].name);
    if (builtin == builtins_.end()) {
      call->mutable_function()->set_name(calls[i].name);
      call->mutable_function()->set_arguments(calls[i].arguments);
      needs_client = true;
      continue;
    }
    model::ToolCall model_call = calls[i];
    model_call.id = call_ids_[i];
    RETURN_IF_ERROR(ExecuteBuiltin(static_cast<int>(i), builtin->second, model_call, call));
  }
  return needs_client;
}

absl::Status RunEngine::Driver::ExecuteBuiltin(int index, const v1::AssistantTool& tool,
                                               const model::ToolCall& model_call,
                                               v1::ToolCall* call) {
  BuiltinContext context{project_, run_.thread_id(), run_id_, run_.assistant_id(), cancelled_,
                         assistant_resources_, thread_resources_};
  RETURN_IF_ERROR(e_->options_.builtins->Execute(context, tool, model_call, call));
  if (!call->has_code_interpreter()) return absl::OkStatus();
  // Stream the code and what it printed or drew, as OpenAI does.
  v1::ToolCallDelta delta;
  delta.set_index(index);
  v1::CodeInterpreterToolCallDelta* ci = delta.mutable_code_interpreter();
  ci->set_input(call->code_interpreter().input());
  int i = 0;
  for (const v1::CodeInterpreterOutput& out : call->code_interpreter().outputs()) {
    v1::CodeInterpreterOutputDelta* d = ci->add_outputs();
    d->set_index(i++);
    if (out.has_logs()) d->set_logs(out.logs());
    if (out.has_image()) d->mutable_image()->set_file_id(out.image().file_id());
  }
  Emit(StepDeltaEvent(tool_step_->id(), std::move(delta)));
  return absl::OkStatus();
}

absl::Status RunEngine::Driver::RequireAction() {
  std::vector<v1::RunEvent> events;
  bool cancelling = false;
  const int64_t now = e_->options_.clock->NowUnixSeconds();
  RETURN_IF_ERROR(e_->db_->Write([&](Connection& c) -> absl::Status {
    events.clear();
    ASSIGN_OR_RETURN(auto loaded, LoadRunAnyProject(c, run_id_));
    if (!loaded) return NotFound(kRuns, run_id_);
    run_ = std::move(loaded->second);
    if (run_.status() != v1::RUN_STATUS_IN_PROGRESS) {
      cancelling = true;
      return absl::OkStatus();
    }
    run_.set_status(v1::RUN_STATUS_REQUIRES_ACTION);
    run_.set_expires_at(now + absl::ToInt64Seconds(e_->options_.requires_action_timeout));
    auto* calls = run_.mutable_required_action()->mutable_submit_tool_outputs()->mutable_tool_calls();
    for (const v1::ToolCall& call : tool_step_->step_details().tool_calls().tool_calls()) {
      if (!call.has_function()) continue;
      v1::RequiredActionToolCall* out = calls->Add();
      out->set_id(call.id());
      out->mutable_function()->set_name(call.function().name());
      out->mutable_function()->set_arguments(call.function().arguments());
    }
    events.push_back(RunEventOf("thread.run.requires_action", run_));
    return SaveRun(c, run_);
  }));
  if (cancelling) return e_->Finish(run_id_, v1::RUN_STATUS_CANCELLED, nullptr, {}).status();
  for (v1::RunEvent& e : events) Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status RunEngine::Driver::OpenMessage() {
  const int64_t now = e_->options_.clock->NowUnixSeconds();
  v1::Message m;
  m.set_id(NewId(IdKind::kMessage));
  m.set_object("thread.message");
  m.set_created_at(now);
  m.set_thread_id(run_.thread_id());
  m.set_status(v1::MESSAGE_STATUS_IN_PROGRESS);
  m.set_role(v1::MESSAGE_ROLE_ASSISTANT);
  m.set_assistant_id(run_.assistant_id());
  m.set_run_id(run_id_);
  v1::RunStep step = NewStep(run_, now, v1::RUN_STEP_TYPE_MESSAGE_CREATION);
  step.mutable_step_details()->mutable_message_creation()->set_message_id(m.id());
  RETURN_IF_ERROR(e_->db_->Write([&](Connection& c) -> absl::Status {
    v1::Thread thread;
    thread.set_id(run_.thread_id());
    RETURN_IF_ERROR(InsertMessage(c, project_, &thread, m));
    return InsertStep(c, project_, step);
  }));
  Emit(StepEventOf("thread.run.step.created", step));
  Emit(StepEventOf("thread.run.step.in_progress", step));
  Emit(MessageEventOf("thread.message.created", m));
  Emit(MessageEventOf("thread.message.in_progress", m));
  message_step_ = std::move(step);
  message_ = std::move(m);
  return absl::OkStatus();
}

void RunEngine::Driver::SavePartialMessage() {
  if (!message_ || text_.empty()) return;
  message_->clear_content();
  message_->add_content()->mutable_text()->set_value(text_);
  absl::Status saved = e_->db_->Write(
      [&](Connection& c) { return UpdateBody(c, kMessages, message_->id(), *message_); });
  if (!saved.ok()) LogWarning("orchestrator: run ", run_id_, ": ", saved.ToString());
}

absl::Status RunEngine::Driver::CloseMessage(const v1::Usage* usage, bool cut) {
  const int64_t now = e_->options_.clock->NowUnixSeconds();
  std::vector<v1::MessageContent> content;
  RETURN_IF_ERROR(ComposeContent(&content));
  message_->clear_content();
  for (v1::MessageContent& part : content) *message_->add_content() = std::move(part);
  if (cut) {  // the model stopped at its token limit, mid-answer
    message_->set_status(v1::MESSAGE_STATUS_INCOMPLETE);
    message_->set_incomplete_at(now);
    message_->mutable_incomplete_details()->set_reason(v1::INCOMPLETE_REASON_MAX_TOKENS);
  } else {
    message_->set_status(v1::MESSAGE_STATUS_COMPLETED);
    message_->set_completed_at(now);
  }
  message_step_->set_status(v1::RUN_STEP_STATUS_COMPLETED);
  message_step_->set_completed_at(now);
  if (usage != nullptr) *message_step_->mutable_usage() = *usage;
  RETURN_IF_ERROR(e_->db_->Write([&](Connection& c) -> absl::Status {
    RETURN_IF_ERROR(UpdateBody(c, kMessages, message_->id(), *message_));
    return SaveStep(c, *message_step_);
  }));
  Emit(MessageEventOf(cut ? "thread.message.incomplete" : "thread.message.completed",
                      *message_));
  Emit(StepEventOf("thread.run.step.completed", *message_step_));
  message_.reset();
  message_step_.reset();
  text_.clear();
  return absl::OkStatus();
}

absl::Status RunEngine::Driver::ComposeContent(std::vector<v1::MessageContent>* content) {
  content->emplace_back().mutable_text()->set_value(text_);
  if (builtins_.empty()) return absl::OkStatus();
  std::vector<v1::RunStep> steps;
  RETURN_IF_ERROR(e_->db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(steps, LoadSteps(c, run_id_));
    return absl::OkStatus();
  }));
  v1::MessageText* text = content->front().mutable_text();
  const std::vector<model::Passage> passages = RunPassages(steps);
  const auto files = RunOutputFiles(steps);
  if (!passages.empty() || !files.empty()) {
    AnnotatedText annotated = Annotate(text_, passages, files);
    const bool same_text = annotated.value == text_;
    text->set_value(std::move(annotated.value));
    for (v1::Annotation& a : annotated.annotations) *text->add_annotations() = std::move(a);
    // Annotations of the text as streamed can be streamed too; text the
    // annotator changed (inserted markers) only comes with the message.
    if (same_text && text->annotations_size() > 0) Emit(AnnotationsDelta(message_->id(), *text));
  }
  // Images code_interpreter drew since the previous message of the run.
  std::vector<std::string> images;
  for (const v1::RunStep& step : steps) {
    const v1::StepDetails& d = step.step_details();
    if (d.has_message_creation() && d.message_creation().message_id() != message_->id()) {
      images.clear();
    }
    for (const v1::ToolCall& call : d.tool_calls().tool_calls()) {
      for (const v1::CodeInterpreterOutput& out : call.code_interpreter().outputs()) {
        if (out.has_image()) images.push_back(out.image().file_id());
      }
    }
  }
  for (const std::string& file_id : images) {
    content->emplace_back().mutable_image_file()->set_file_id(file_id);
  }
  if (!images.empty()) Emit(ImagesDelta(message_->id(), images));
  return absl::OkStatus();
}

absl::Status RunEngine::Driver::OpenToolStep() {
  v1::RunStep step =
      NewStep(run_, e_->options_.clock->NowUnixSeconds(), v1::RUN_STEP_TYPE_TOOL_CALLS);
  step.mutable_step_details()->mutable_tool_calls();
  RETURN_IF_ERROR(e_->db_->Write([&](Connection& c) { return InsertStep(c, project_, step); }));
  Emit(StepEventOf("thread.run.step.created", step));
  Emit(StepEventOf("thread.run.step.in_progress", step));
  tool_step_ = std::move(step);
  return absl::OkStatus();
}

absl::Status RunEngine::Driver::SaveToolStep(bool completed, const v1::Usage* usage) {
  if (usage != nullptr) *tool_step_->mutable_usage() = *usage;
  if (completed) {
    tool_step_->set_status(v1::RUN_STEP_STATUS_COMPLETED);
    tool_step_->set_completed_at(e_->options_.clock->NowUnixSeconds());
  }
  RETURN_IF_ERROR(e_->db_->Write([&](Connection& c) { return SaveStep(c, *tool_step_); }));
  if (completed) Emit(StepEventOf("thread.run.step.completed", *tool_step_));
  return absl::OkStatus();
}

bool RunEngine::Driver::OnText(absl::string_view fragment) {
  if (fragment.empty()) return !cancelled_->load();
  if (!message_) {
    stream_error_ = OpenMessage();
    if (!stream_error_.ok()) return false;
  }
  text_.append(fragment.data(), fragment.size());
  v1::RunEvent e;
  e.set_event("thread.message.delta");
  v1::MessageDelta* d = e.mutable_message_delta();
  d->set_id(message_->id());
  d->set_object("thread.message.delta");
  v1::MessageContentDelta* part = d->mutable_delta()->add_content();
  part->set_index(0);
  part->mutable_text()->set_value(std::string(fragment));
  Emit(std::move(e));
  return !cancelled_->load();
}

bool RunEngine::Driver::OnToolCallDelta(int index, absl::string_view id, absl::string_view name,
                                        absl::string_view arguments) {
  if (message_) {
    stream_error_ = CloseMessage(nullptr);
    if (!stream_error_.ok()) return false;
  }
  if (!tool_step_) {
    stream_error_ = OpenToolStep();
    if (!stream_error_.ok()) return false;
  }
  while (static_cast<int>(call_ids_.size()) <= index) {
    // A call's first fragment: its id, type and name, once.
    const int i = static_cast<int>(call_ids_.size());
    call_ids_.push_back(NewId(IdKind::kToolCall));
    call_names_.push_back(i == index ? std::string(name) : "");
    v1::ToolCallDelta delta;
    delta.set_index(i);
    delta.set_id(call_ids_.back());
    auto builtin = builtins_.find(call_names_.back());
    if (builtin != builtins_.end() && builtin->second.has_code_interpreter()) {
      delta.mutable_code_interpreter()->set_input("");
    } else if (builtin != builtins_.end()) {
      delta.mutable_file_search();
    } else {
      delta.mutable_function()->set_name(call_names_.back());
      delta.mutable_function()->set_arguments("");
    }
    Emit(StepDeltaEvent(tool_step_->id(), std::move(delta)));
  }
  if (!arguments.empty() && builtins_.find(call_names_[index]) == builtins_.end()) {
    v1::ToolCallDelta delta;
    delta.set_index(index);
    delta.mutable_function()->set_arguments(std::string(arguments));
    Emit(StepDeltaEvent(tool_step_->id(), std::move(delta)));
  }
  return !cancelled_->load();
}

}  // namespace assistd::orchestrator
