#include "services/orchestrator/thread_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "services/orchestrator/object_table.h"
#include "services/orchestrator/validation.h"

namespace assistd::orchestrator {

using sqlite::Connection;
using sqlite::Statement;

namespace {

v1::MessageContent ContentFromInput(const v1::MessageContentInput& in) {
  v1::MessageContent out;
  switch (in.part_case()) {
    case v1::MessageContentInput::kText:
      out.mutable_text()->set_value(in.text());
      break;
    case v1::MessageContentInput::kImageFile:
      *out.mutable_image_file() = in.image_file();
      break;
    case v1::MessageContentInput::kImageUrl:
      *out.mutable_image_url() = in.image_url();
      break;
    case v1::MessageContentInput::PART_NOT_SET:
      break;
  }
  return out;
}

absl::Status LockedError(const std::string& thread_id, const std::string& run_id) {
  return absl::FailedPreconditionError(absl::StrCat(
      "Can't add messages to ", thread_id, " while a run ", run_id, " is active."));
}

v1::DeleteResponse Deleted(const std::string& id, const char* object) {
  v1::DeleteResponse r;
  r.set_id(id);
  r.set_object(object);
  r.set_deleted(true);
  return r;
}

absl::Status DeleteChildren(Connection& c, const std::string& thread_id) {
  for (const char* sql :
       {"DELETE FROM run_steps WHERE parent_id IN (SELECT id FROM runs WHERE parent_id = ?)",
        "DELETE FROM runs WHERE parent_id = ?", "DELETE FROM messages WHERE parent_id = ?"}) {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(sql));
    RETURN_IF_ERROR(st->BindAll(thread_id));
    RETURN_IF_ERROR(st->Run());
  }
  return absl::OkStatus();
}

}  // namespace

v1::Thread NewThread(const v1::CreateThreadRequest& r, int64_t now) {
  v1::Thread t;
  t.set_id(NewId(IdKind::kThread));
  t.set_object("thread");
  t.set_created_at(now);
  if (r.has_metadata()) *t.mutable_metadata() = r.metadata();
  if (r.has_tool_resources()) *t.mutable_tool_resources() = r.tool_resources();
  return t;
}

absl::Status InsertThread(Connection& c, const std::string& project, const v1::Thread& thread,
                          const v1::CreateThreadRequest& r, int64_t now) {
  v1::Thread stored = thread;
  RETURN_IF_ERROR(InsertObject(c, kThreads, project, "", stored.id(), stored));
  for (const v1::MessageCreate& m : r.messages()) {
    RETURN_IF_ERROR(InsertMessage(c, project, &stored, NewMessage(m, stored.id(), now)));
  }
  return absl::OkStatus();
}

v1::Message NewMessage(const v1::MessageCreate& create, const std::string& thread_id,
                       int64_t now) {
  v1::Message m;
  m.set_id(NewId(IdKind::kMessage));
  m.set_object("thread.message");
  m.set_created_at(now);
  m.set_thread_id(thread_id);
  m.set_status(v1::MESSAGE_STATUS_COMPLETED);
  m.set_role(create.role());
  if (create.has_parts()) {
    for (const auto& part : create.parts().parts()) *m.add_content() = ContentFromInput(part);
  } else {
    m.add_content()->mutable_text()->set_value(create.text());
  }
  *m.mutable_attachments() = create.attachments();
  if (create.has_metadata()) *m.mutable_metadata() = create.metadata();
  return m;
}

absl::Status InsertMessage(Connection& c, const std::string& project, v1::Thread* thread,
                           const v1::Message& message) {
  std::optional<std::string> run_id;
  if (message.has_run_id()) run_id = message.run_id();
  RETURN_IF_ERROR(InsertObject(c, kMessages, project, message.thread_id(), message.id(), message,
                               {"run_id"}, {run_id}));
  bool changed = false;
  for (const v1::Attachment& a : message.attachments()) {
    for (const v1::AttachmentTool& tool : a.tools()) {
      if (!tool.has_code_interpreter()) continue;
      auto* ids = thread->mutable_tool_resources()->mutable_code_interpreter()->mutable_file_ids();
      if (std::find(ids->begin(), ids->end(), a.file_id()) != ids->end()) continue;
      if (ids->size() >= kMaxCodeInterpreterFiles) {
        return absl::InvalidArgumentError(absl::StrCat(
            "attachments: the thread already has ", kMaxCodeInterpreterFiles,
            " code_interpreter files"));
      }
      ids->Add(std::string(a.file_id()));
      changed = true;
    }
  }
  if (changed) RETURN_IF_ERROR(UpdateBody(c, kThreads, thread->id(), *thread));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> ActiveRun(Connection& c,
                                                     const std::string& thread_id) {
  ASSIGN_OR_RETURN(Statement * st,
                   c.Prepare("SELECT id FROM runs WHERE parent_id = ? AND status IN (1, 2, 3, 4) "
                             "ORDER BY seq DESC LIMIT 1"));
  RETURN_IF_ERROR(st->BindAll(thread_id));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::nullopt;
  std::string id = st->ColumnText(0);
  RETURN_IF_ERROR(st->Reset());
  return id;
}

absl::StatusOr<v1::Thread> ThreadStore::Create(const std::string& project,
                                               const v1::CreateThreadRequest& r) {
  RETURN_IF_ERROR(ValidateCreateThread(r));
  const int64_t now = clock_->NowUnixSeconds();
  v1::Thread thread = NewThread(r, now);
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    RETURN_IF_ERROR(InsertThread(c, project, thread, r, now));
    ASSIGN_OR_RETURN(thread, LoadObject<v1::Thread>(c, kThreads, project, nullptr, thread.id()));
    return absl::OkStatus();
  }));
  return thread;
}

absl::StatusOr<v1::Thread> ThreadStore::Get(const std::string& project, const std::string& id) {
  RETURN_IF_ERROR(ValidateId(id, IdKind::kThread, "thread_id"));
  v1::Thread t;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(t, LoadObject<v1::Thread>(c, kThreads, project, nullptr, id));
    return absl::OkStatus();
  }));
  return t;
}

absl::StatusOr<v1::Thread> ThreadStore::Update(const std::string& project,
                                               const v1::UpdateThreadRequest& r) {
  RETURN_IF_ERROR(ValidateUpdateThread(r));
  v1::Thread t;
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(t, LoadObject<v1::Thread>(c, kThreads, project, nullptr, r.thread_id()));
    for (const std::string& f : r.clear_fields()) {
      if (f == "metadata") t.clear_metadata();
      else if (f == "tool_resources") t.clear_tool_resources();
      else return absl::InvalidArgumentError(absl::StrCat("clear_fields: '", f, "' can't be cleared"));
    }
    if (r.has_metadata()) *t.mutable_metadata() = r.metadata();
    if (r.has_tool_resources()) *t.mutable_tool_resources() = r.tool_resources();
    return UpdateBody(c, kThreads, t.id(), t);
  }));
  return t;
}

absl::Status ThreadStore::CheckUnlocked(const std::string& project,
                                        const std::string& thread_id) {
  return db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<std::string> body,
                     LoadBody(c, kThreads, project, nullptr, thread_id));
    if (!body) return NotFound(kThreads, thread_id);
    ASSIGN_OR_RETURN(std::optional<std::string> active, ActiveRun(c, thread_id));
    if (active) return LockedError(thread_id, *active);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> ThreadStore::SetVectorStoreIfNone(const std::string& project,
                                                           const std::string& thread_id,
                                                           const std::string& store_id) {
  std::string in_use;
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(v1::Thread t, LoadObject<v1::Thread>(c, kThreads, project, nullptr, thread_id));
    v1::FileSearchResources* fs = t.mutable_tool_resources()->mutable_file_search();
    if (fs->vector_store_ids_size() > 0) {
      in_use = fs->vector_store_ids(0);
      return absl::OkStatus();
    }
    fs->add_vector_store_ids(store_id);
    in_use = store_id;
    return UpdateBody(c, kThreads, t.id(), t);
  }));
  return in_use;
}

absl::StatusOr<v1::DeleteResponse> ThreadStore::Delete(const std::string& project,
                                                       const std::string& id) {
  RETURN_IF_ERROR(ValidateId(id, IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<std::string> body, LoadBody(c, kThreads, project, nullptr, id));
    if (!body) return NotFound(kThreads, id);
    ASSIGN_OR_RETURN(std::optional<std::string> active, ActiveRun(c, id));
    if (active) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Can't delete ", id, " while a run ", *active, " is active; cancel it first."));
    }
    RETURN_IF_ERROR(DeleteChildren(c, id));
    return DeleteObject(c, kThreads, project, id).status();
  }));
  return Deleted(id, "thread.deleted");
}

absl::StatusOr<v1::Message> ThreadStore::CreateMessage(const std::string& project,
                                                       const v1::CreateMessageRequest& r) {
  RETURN_IF_ERROR(ValidateId(r.thread_id(), IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateMessageCreate(r.message(), ""));
  v1::Message m = NewMessage(r.message(), r.thread_id(), clock_->NowUnixSeconds());
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(v1::Thread t,
                     LoadObject<v1::Thread>(c, kThreads, project, nullptr, r.thread_id()));
    ASSIGN_OR_RETURN(std::optional<std::string> active, ActiveRun(c, t.id()));
    if (active) return LockedError(t.id(), *active);
    return InsertMessage(c, project, &t, m);
  }));
  return m;
}

absl::StatusOr<v1::Message> ThreadStore::GetMessage(const std::string& project,
                                                    const std::string& thread_id,
                                                    const std::string& message_id) {
  RETURN_IF_ERROR(ValidateId(thread_id, IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateId(message_id, IdKind::kMessage, "message_id"));
  v1::Message m;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(m, LoadObject<v1::Message>(c, kMessages, project, &thread_id, message_id));
    return absl::OkStatus();
  }));
  return m;
}

absl::StatusOr<Page<v1::Message>> ThreadStore::ListMessages(const std::string& project,
                                                            const std::string& thread_id,
                                                            const std::string& run_id,
                                                            const PageParams& page) {
  RETURN_IF_ERROR(ValidateId(thread_id, IdKind::kThread, "thread_id"));
  if (!run_id.empty()) RETURN_IF_ERROR(ValidateId(run_id, IdKind::kRun, "run_id"));
  Page<v1::Message> result;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<std::string> t,
                     LoadBody(c, kThreads, project, nullptr, thread_id));
    if (!t) return NotFound(kThreads, thread_id);
    ASSIGN_OR_RETURN(result, ListObjects<v1::Message>(c, kMessages, project, thread_id, page,
                                                      run_id.empty() ? "" : "run_id = ?",
                                                      run_id));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Message> ThreadStore::UpdateMessage(const std::string& project,
                                                       const v1::UpdateMessageRequest& r) {
  RETURN_IF_ERROR(ValidateId(r.thread_id(), IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateId(r.message_id(), IdKind::kMessage, "message_id"));
  RETURN_IF_ERROR(ValidateMetadataProto(r.metadata()));
  v1::Message m;
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(m, LoadObject<v1::Message>(c, kMessages, project, &r.thread_id(),
                                                r.message_id()));
    for (const std::string& f : r.clear_fields()) {
      if (f != "metadata") {
        return absl::InvalidArgumentError(absl::StrCat("clear_fields: '", f, "' can't be cleared"));
      }
      m.clear_metadata();
    }
    if (r.has_metadata()) *m.mutable_metadata() = r.metadata();
    return UpdateBody(c, kMessages, m.id(), m);
  }));
  return m;
}

absl::StatusOr<v1::DeleteResponse> ThreadStore::DeleteMessage(const std::string& project,
                                                              const std::string& thread_id,
                                                              const std::string& message_id) {
  RETURN_IF_ERROR(ValidateId(thread_id, IdKind::kThread, "thread_id"));
  RETURN_IF_ERROR(ValidateId(message_id, IdKind::kMessage, "message_id"));
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<std::string> body,
                     LoadBody(c, kMessages, project, &thread_id, message_id));
    if (!body) return NotFound(kMessages, message_id);
    ASSIGN_OR_RETURN(std::optional<std::string> active, ActiveRun(c, thread_id));
    if (active) return LockedError(thread_id, *active);
    return DeleteObject(c, kMessages, project, message_id).status();
  }));
  return Deleted(message_id, "thread.message.deleted");
}

}  // namespace assistd::orchestrator
