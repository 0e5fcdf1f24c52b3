// AssistantStore and ThreadStore: CRUD, limits, pagination, project scoping.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/services/orchestrator/orchestrator_test_env.h"

namespace assistd::orchestrator {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

v1::CreateAssistantRequest Valid() {
  v1::CreateAssistantRequest r;
  r.set_model("m");
  return r;
}

TEST(AssistantStoreTest, CrudRoundTrip) {
  OrchestratorTestEnv env;
  v1::CreateAssistantRequest req = Valid();
  req.set_name("Helper");
  req.set_temperature(0.5);
  (*req.mutable_metadata()->mutable_entries())["k"] = "v";
  *req.add_tools() = OrchestratorTestEnv::Function("f");
  ASSERT_OK_AND_ASSIGN(v1::Assistant a, env.assistants->Create(kProject, req));
  EXPECT_THAT(a.id(), StartsWith("asst_"));
  EXPECT_EQ(a.object(), "assistant");
  ASSERT_OK_AND_ASSIGN(v1::Assistant got, env.assistants->Get(kProject, a.id()));
  EXPECT_EQ(got.SerializeAsString(), a.SerializeAsString());

  v1::UpdateAssistantRequest update;
  update.set_assistant_id(a.id());
  update.set_instructions("new");
  update.add_clear_fields("name");
  update.mutable_tools();  // tools: [] clears the tools
  ASSERT_OK_AND_ASSIGN(v1::Assistant updated, env.assistants->Update(kProject, update));
  EXPECT_FALSE(updated.has_name());
  EXPECT_EQ(updated.instructions(), "new");
  EXPECT_EQ(updated.tools_size(), 0);
  EXPECT_EQ(updated.temperature(), 0.5);

  EXPECT_THAT(env.assistants->Get("other", a.id()), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(v1::DeleteResponse d, env.assistants->Delete(kProject, a.id()));
  EXPECT_EQ(d.object(), "assistant.deleted");
  EXPECT_THAT(env.assistants->Get(kProject, a.id()),
              StatusIs(absl::StatusCode::kNotFound,
                       "No assistant found with id '" + a.id() + "'."));
}

TEST(AssistantStoreTest, LimitsAreEnforcedNamingTheField) {
  OrchestratorTestEnv env;
  struct Case {
    std::function<void(v1::CreateAssistantRequest*)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto* r) { r->clear_model(); }, "model"},
      {[](auto* r) { r->set_name(std::string(257, 'n')); }, "name"},
      {[](auto* r) { r->set_description(std::string(513, 'd')); }, "description"},
      {[](auto* r) { r->set_instructions(std::string(256001, 'i')); }, "instructions"},
      {[](auto* r) { r->set_temperature(2.5); }, "temperature"},
      {[](auto* r) { r->set_top_p(-0.1); }, "top_p"},
      {[](auto* r) { for (int i = 0; i < 129; ++i) r->add_tools()->mutable_code_interpreter(); },
       "tools"},
      {[](auto* r) { r->add_tools()->mutable_function()->set_name("bad name"); },
       "tools[0].function.name"},
      {[](auto* r) {
         auto* f = r->add_tools()->mutable_function();
         f->set_name("f");
         f->set_parameters_json("[1,2]");
       },
       "tools[0].function.parameters"},
      {[](auto* r) { r->add_tools()->mutable_file_search()->set_max_num_results(51); },
       "tools[0].file_search.max_num_results"},
      {[](auto* r) { r->add_tools(); }, "tools[0].type"},
      {[](auto* r) {
         for (int i = 0; i < 21; ++i) {
           r->mutable_tool_resources()->mutable_code_interpreter()->add_file_ids("file-abc");
         }
       },
       "tool_resources.code_interpreter.file_ids"},
      {[](auto* r) {
         auto* fs = r->mutable_tool_resources()->mutable_file_search();
         fs->add_vector_store_ids("vs_a");
         fs->add_vector_store_ids("vs_b");
       },
       "tool_resources.file_search.vector_store_ids"},
      {[](auto* r) {
         for (int i = 0; i < 17; ++i) {
           (*r->mutable_metadata()->mutable_entries())["k" + std::to_string(i)] = "v";
         }
       },
       "metadata"},
      {[](auto* r) { r->set_reasoning_effort("extreme"); }, "reasoning_effort"},
      {[](auto* r) { r->mutable_response_format()->mutable_json_schema(); },
       "response_format.json_schema.name"},
  };
  for (const Case& c : cases) {
    v1::CreateAssistantRequest req = Valid();
    c.mutate(&req);
    EXPECT_THAT(env.assistants->Create(kProject, req),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         ::testing::AnyOf(StartsWith(c.field + ":"),
                                          HasSubstr("'" + c.field + "'"))))
        << c.field;
  }
}

TEST(AssistantStoreTest, ListPaginatesWithCursors) {
  OrchestratorTestEnv env;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(v1::Assistant a, env.assistants->Create(kProject, Valid()));
    ids.push_back(a.id());
  }
  ASSERT_OK_AND_ASSIGN(v1::Assistant other, env.assistants->Create("other", Valid()));
  PageParams page;
  page.limit = 2;
  ASSERT_OK_AND_ASSIGN(auto first, env.assistants->List(kProject, page));
  ASSERT_EQ(first.data.size(), 2u);
  EXPECT_TRUE(first.has_more);
  EXPECT_EQ(first.data[0].id(), ids[4]);  // newest first
  page.after = first.data[1].id();
  ASSERT_OK_AND_ASSIGN(auto second, env.assistants->List(kProject, page));
  EXPECT_EQ(second.data[0].id(), ids[2]);
  page.limit = 20;
  page.order = SortOrder::kAsc;
  page.after.clear();
  ASSERT_OK_AND_ASSIGN(auto all, env.assistants->List(kProject, page));
  ASSERT_EQ(all.data.size(), 5u);
  EXPECT_FALSE(all.has_more);
  EXPECT_EQ(all.data[0].id(), ids[0]);
  page.after = other.id();  // a cursor from another project is unknown here
  EXPECT_THAT(env.assistants->List(kProject, page),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("after")));
}

TEST(ThreadStoreTest, ThreadsAndMessages) {
  OrchestratorTestEnv env;
  v1::CreateThreadRequest req;
  v1::MessageCreate* m = req.add_messages();
  m->set_role(v1::MESSAGE_ROLE_USER);
  v1::MessageContentInput* part = m->mutable_parts()->add_parts();
  part->set_text("look at this");
  m->mutable_parts()->add_parts()->mutable_image_file()->set_file_id("file-img");
  v1::Attachment* att = m->add_attachments();
  att->set_file_id("file-data");
  att->add_tools()->mutable_code_interpreter();
  ASSERT_OK_AND_ASSIGN(v1::Thread t, env.threads->Create(kProject, req));
  EXPECT_THAT(t.id(), StartsWith("thread_"));
  // Attachments for code_interpreter join the thread's tool resources.
  ASSERT_EQ(t.tool_resources().code_interpreter().file_ids_size(), 1);
  EXPECT_EQ(t.tool_resources().code_interpreter().file_ids(0), "file-data");

  ASSERT_OK_AND_ASSIGN(auto page, env.threads->ListMessages(kProject, t.id(), "", {}));
  ASSERT_EQ(page.data.size(), 1u);
  const v1::Message& msg = page.data[0];
  EXPECT_EQ(msg.object(), "thread.message");
  EXPECT_EQ(msg.content_size(), 2);
  EXPECT_EQ(msg.content(0).text().value(), "look at this");
  EXPECT_EQ(msg.content(1).image_file().file_id(), "file-img");
  EXPECT_FALSE(msg.has_run_id());

  v1::UpdateMessageRequest update;
  update.set_thread_id(t.id());
  update.set_message_id(msg.id());
  (*update.mutable_metadata()->mutable_entries())["seen"] = "yes";
  ASSERT_OK_AND_ASSIGN(v1::Message updated, env.threads->UpdateMessage(kProject, update));
  EXPECT_EQ(updated.metadata().entries().at("seen"), "yes");

  // A message id under another thread is not found.
  const v1::Thread other = env.MakeThread();
  EXPECT_THAT(env.threads->GetMessage(kProject, other.id(), msg.id()),
              StatusIs(absl::StatusCode::kNotFound));

  v1::CreateMessageRequest bad;
  bad.set_thread_id(t.id());
  bad.mutable_message()->set_role(v1::MESSAGE_ROLE_USER);
  EXPECT_THAT(env.threads->CreateMessage(kProject, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("content")));
  bad.mutable_message()->set_text("x");
  bad.mutable_message()->set_role(v1::MESSAGE_ROLE_UNSPECIFIED);
  EXPECT_THAT(env.threads->CreateMessage(kProject, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("role")));

  ASSERT_OK_AND_ASSIGN(auto deleted, env.threads->DeleteMessage(kProject, t.id(), msg.id()));
  EXPECT_EQ(deleted.object(), "thread.message.deleted");
  ASSERT_OK_AND_ASSIGN(auto dt, env.threads->Delete(kProject, t.id()));
  EXPECT_EQ(dt.object(), "thread.deleted");
  EXPECT_THAT(env.threads->Get(kProject, t.id()), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(env.threads->Get(kProject, "not-a-thread"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("thread_id")));
}

}  // namespace
}  // namespace assistd::orchestrator
