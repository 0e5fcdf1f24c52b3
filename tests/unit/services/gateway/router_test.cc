#include "services/gateway/router.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::gateway {
namespace {

RouteHandler Named(std::string* out, std::string name) {
  return [out, name](const RequestContext&, const HttpRequest&, HttpResponse*) { *out = name; };
}

HttpRequest Req(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

TEST(RouterTest, MatchesMethodAndFillsPathParams) {
  std::string called;
  Router router;
  router.Add("GET", "/v1/threads/{thread_id}/runs/{run_id}", Named(&called, "get_run"));
  router.Add("POST", "/v1/threads/{thread_id}/runs/{run_id}", Named(&called, "update_run"));
  HttpRequest request = Req("POST", "/v1/threads/thread_1/runs/run_2");
  Router::Match match = router.Find(&request);
  ASSERT_NE(match.handler, nullptr);
  (*match.handler)(RequestContext(), request, nullptr);
  EXPECT_EQ(called, "update_run");
  EXPECT_EQ(request.PathParam("thread_id"), "thread_1");
  EXPECT_EQ(request.PathParam("run_id"), "run_2");
}

TEST(RouterTest, LiteralSegmentBeatsParameterWhateverTheOrder) {
  std::string called;
  Router router;
  router.Add("POST", "/v1/threads/{thread_id}", Named(&called, "update_thread"));
  router.Add("POST", "/v1/threads/runs", Named(&called, "create_and_run"));
  HttpRequest request = Req("POST", "/v1/threads/runs");
  Router::Match match = router.Find(&request);
  ASSERT_NE(match.handler, nullptr);
  (*match.handler)(RequestContext(), request, nullptr);
  EXPECT_EQ(called, "create_and_run");
  EXPECT_TRUE(request.path_params.empty());
}

TEST(RouterTest, UnknownPathAndWrongMethodAreTold) {
  std::string called;
  Router router;
  router.Add("GET", "/v1/assistants", Named(&called, "list"), {.assistants_beta = false});
  HttpRequest wrong_method = Req("DELETE", "/v1/assistants");
  Router::Match match = router.Find(&wrong_method);
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_TRUE(match.path_known);
  HttpRequest unknown = Req("GET", "/v1/assistants/a/b");
  match = router.Find(&unknown);
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_FALSE(match.path_known);
  HttpRequest ok = Req("GET", "/v1/assistants/");  // a trailing slash is the same path
  match = router.Find(&ok);
  ASSERT_NE(match.handler, nullptr);
  EXPECT_FALSE(match.options.assistants_beta);
}

}  // namespace
}  // namespace assistd::gateway
