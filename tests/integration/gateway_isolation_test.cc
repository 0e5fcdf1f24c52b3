// Cross-project isolation on every REST endpoint: with --auth=keys, project
// B's key gets 404 for each of project A's objects on every route that
// takes an id (reads, updates, deletes, child objects, streams), cannot use
// them as references in its own requests, and lists none of them. A's
// objects survive B's deletes.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/gateway_fixture.h"

namespace assistd {
namespace {

using ::assistd::gateway_testing::GatewayKeysTest;
using ::assistd::gateway_testing::json;
using ::assistd::gateway_testing::Reply;

// Project A's objects, one of each type.
struct Objects {
  std::string assistant, thread, message, run, step, file, store, batch;
};

class GatewayIsolationTest : public GatewayKeysTest {
 protected:
  // Creates one object of each type as A, with a completed run.
  Objects CreateAll() {
    key_ = key_a_;
    Objects o;
    o.assistant = CreateAssistant("a");
    o.file = Upload({{"purpose", "assistants"}, {"file", "Valves close slowly."}})
                 .json_body.value("id", "");
    const std::string second = Upload({{"purpose", "assistants"}, {"file", "Pumps hum."}})
                                   .json_body.value("id", "");
    o.store = Call("POST", "/v1/vector_stores", {{"file_ids", {o.file}}}).json_body.value("id", "");
    o.batch = Call("POST", "/v1/vector_stores/" + o.store + "/file_batches",
                   {{"file_ids", {second}}})
                  .json_body.value("id", "");
    o.thread = CreateThread();
    o.message = Call("GET", "/v1/threads/" + o.thread + "/messages")
                    .json_body["data"][0]
                    .value("id", "");
    o.run = Call("POST", "/v1/threads/" + o.thread + "/runs", {{"assistant_id", o.assistant}})
                .json_body.value("id", "");
    const std::string runs = "/v1/threads/" + o.thread + "/runs/" + o.run;
    EXPECT_EQ(PollWhile(runs, {"queued", "in_progress"}).json_body["status"], "completed");
    o.step = Call("GET", runs + "/steps").json_body["data"][0].value("id", "");
    return o;
  }
};

TEST_F(GatewayIsolationTest, AnotherProjectsIdsAre404OnEveryEndpoint) {
  const Objects a = CreateAll();
  for (const std::string* id : {&a.assistant, &a.thread, &a.message, &a.run, &a.step, &a.file,
                                &a.store, &a.batch}) {
    ASSERT_FALSE(id->empty()) << "setup failed";
  }
  const std::string thread = "/v1/threads/" + a.thread;
  const std::string run = thread + "/runs/" + a.run;
  const std::string store = "/v1/vector_stores/" + a.store;
  const std::string batch = store + "/file_batches/" + a.batch;
  struct Request {
    std::string method, path;
    json body;
  };
  const std::vector<Request> requests = {
      {"GET", "/v1/assistants/" + a.assistant, nullptr},
      {"POST", "/v1/assistants/" + a.assistant, {{"name", "x"}}},
      {"DELETE", "/v1/assistants/" + a.assistant, nullptr},
      {"GET", thread, nullptr},
      {"POST", thread, {{"metadata", {{"k", "v"}}}}},
      {"DELETE", thread, nullptr},
      {"POST", thread + "/messages", {{"role", "user"}, {"content", "hi"}}},
      {"GET", thread + "/messages", nullptr},
      {"GET", thread + "/messages/" + a.message, nullptr},
      {"POST", thread + "/messages/" + a.message, {{"metadata", {{"k", "v"}}}}},
      {"DELETE", thread + "/messages/" + a.message, nullptr},
      {"POST", thread + "/runs", {{"assistant_id", a.assistant}}},
      {"POST", thread + "/runs", {{"assistant_id", a.assistant}, {"stream", true}}},
      {"GET", thread + "/runs", nullptr},
      {"GET", run, nullptr},
      {"POST", run, {{"metadata", {{"k", "v"}}}}},
      {"POST", run + "/cancel", nullptr},
      {"POST", run + "/submit_tool_outputs", {{"tool_outputs", json::array()}}},
      {"GET", run + "/steps", nullptr},
      {"GET", run + "/steps/" + a.step, nullptr},
      {"POST", "/v1/threads/runs", {{"assistant_id", a.assistant}}},
      {"POST", "/v1/threads/runs", {{"assistant_id", a.assistant}, {"stream", true}}},
      {"GET", "/v1/files/" + a.file, nullptr},
      {"GET", "/v1/files/" + a.file + "/content", nullptr},
      {"DELETE", "/v1/files/" + a.file, nullptr},
      {"GET", store, nullptr},
      {"POST", store, {{"name", "x"}}},
      {"DELETE", store, nullptr},
      {"POST", store + "/search", {{"query", "valves"}}},
      {"POST", store + "/files", {{"file_id", a.file}}},
      {"GET", store + "/files", nullptr},
      {"GET", store + "/files/" + a.file, nullptr},
      {"POST", store + "/files/" + a.file, {{"attributes", {{"k", "v"}}}}},
      {"DELETE", store + "/files/" + a.file, nullptr},
      {"GET", store + "/files/" + a.file + "/content", nullptr},
      {"POST", store + "/file_batches", {{"file_ids", {a.file}}}},
      {"GET", batch, nullptr},
      {"POST", batch + "/cancel", nullptr},
      {"GET", batch + "/files", nullptr},
  };
  key_ = key_b_;
  for (const Request& r : requests) {
    Reply reply = Call(r.method, r.path, r.body);
    EXPECT_EQ(reply.status, 404) << r.method << " " << r.path << ": " << reply.body;
    EXPECT_EQ(reply.json_body["error"]["type"], "invalid_request_error") << r.path;
  }

  // A's ids as references inside B's own requests.
  const std::string own_thread = CreateThread();
  EXPECT_EQ(Call("POST", "/v1/threads/" + own_thread + "/runs", {{"assistant_id", a.assistant}})
                .status,
            404);
  const std::string own_store = Call("POST", "/v1/vector_stores", json::object()).json_body["id"];
  EXPECT_EQ(Call("POST", "/v1/vector_stores/" + own_store + "/files", {{"file_id", a.file}}).status,
            404);
  EXPECT_EQ(Call("POST", "/v1/vector_stores", {{"file_ids", {a.file}}}).status, 404);
  EXPECT_EQ(Call("POST", "/v1/assistants",
                 {{"model", "assistd-extractive"},
                  {"tool_resources", {{"file_search", {{"vector_store_ids", {a.store}}}}}}})
                .status,
            404);
  EXPECT_EQ(Call("POST", "/v1/threads",
                 {{"messages",
                   {{{"role", "user"},
                     {"content", "x"},
                     {"attachments",
                      {{{"file_id", a.file}, {"tools", {{{"type", "file_search"}}}}}}}}}}})
                .status,
            404);

  // B lists none of A's objects.
  EXPECT_TRUE(Call("GET", "/v1/assistants").json_body["data"].empty());
  EXPECT_TRUE(Call("GET", "/v1/files", nullptr, false).json_body["data"].empty());
  Reply stores = Call("GET", "/v1/vector_stores");
  ASSERT_EQ(stores.json_body["data"].size(), 1);
  EXPECT_EQ(stores.json_body["data"][0]["id"], own_store);

  // B's deletes touched nothing of A's.
  key_ = key_a_;
  for (const std::string& path : {"/v1/assistants/" + a.assistant, thread, run, store,
                                  store + "/files/" + a.file, thread + "/messages/" + a.message}) {
    EXPECT_EQ(Call("GET", path).status, 200) << path;
  }
  EXPECT_EQ(Call("GET", "/v1/files/" + a.file, nullptr, false).status, 200);
}

}  // namespace
}  // namespace assistd
