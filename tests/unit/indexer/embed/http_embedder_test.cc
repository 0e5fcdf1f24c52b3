#include "indexer/embed/http_embedder.h"

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/scripted_http_server.h"
#include "tests/util/status_matchers.h"

namespace assistd::embed {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::ReceivedRequest;
using ::assistd::testing::ScriptedHandler;
using ::assistd::testing::ScriptedHttpServer;
using ::assistd::testing::ScriptedResponse;
using ::assistd::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::Le;
using Json = nlohmann::json;

constexpr char kPath[] = "/v1/embeddings";

// The fake model: text -> [len, 1, 0, ...] (unnormalised).
std::vector<float> FakeVector(const std::string& text, int dimension) {
  std::vector<float> v(dimension, 0.0f);
  v[0] = static_cast<float>(text.size());
  if (dimension > 1) v[1] = 1.0f;
  return v;
}

std::vector<float> Normalized(std::vector<float> v) {
  double norm = 0;
  for (float x : v) norm += static_cast<double>(x) * x;
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

// Answers like an OpenAI server, but lists data[] in reverse order so only
// "index" tells which row is which.
ScriptedHandler FakeModel(int dimension) {
  return [dimension](const ReceivedRequest& request) {
    const Json body = Json::parse(request.body);
    Json data = Json::array();
    const Json& input = body.at("input");
    for (size_t i = input.size(); i-- > 0;) {
      data.push_back(
          {{"object", "embedding"},
           {"index", i},
           {"embedding", FakeVector(input[i].get<std::string>(), dimension)}});
    }
    const Json answer = {
        {"object", "list"}, {"data", data}, {"model", body.at("model")}};
    return ScriptedResponse::Json(answer.dump());
  };
}

class HttpEmbedderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, ScriptedHttpServer::Start());
    client_ = http::NewCurlHttpClient();
    options_.base_url = server_->Url("/v1/");
    options_.model = "test-model";
    options_.initial_backoff = absl::Milliseconds(100);
  }
  void TearDown() override {
    embedder_.reset();
    client_.reset();
    server_.reset();
  }

  absl::StatusOr<std::unique_ptr<Embedder>> Create() {
    return NewHttpEmbedder(options_, client_,
                           [this](absl::Duration d) { sleeps_.push_back(d); });
  }
  // Creates the embedder against a fake model of `dimension`, then forgets
  // the probe request.
  void CreateOrDie(int dimension) {
    server_->Handle("POST", kPath, FakeModel(dimension));
    ASSERT_OK_AND_ASSIGN(embedder_, Create());
    probes_ = server_->CountRequests(kPath);
  }
  int RequestsAfterProbe() const {
    return server_->CountRequests(kPath) - probes_;
  }

  std::unique_ptr<ScriptedHttpServer> server_;
  std::shared_ptr<http::HttpClient> client_;
  HttpEmbedderOptions options_;
  std::vector<absl::Duration> sleeps_;
  std::unique_ptr<Embedder> embedder_;
  int probes_ = 0;
};

TEST_F(HttpEmbedderTest, CreateProbesForTheDimension) {
  CreateOrDie(4);
  EXPECT_EQ(embedder_->dimension(), 4);
  EXPECT_EQ(embedder_->name(), "http:test-model");
  EXPECT_EQ(probes_, 1);
}

TEST_F(HttpEmbedderTest, SendsAnOpenAiRequestWithBearerToken) {
  options_.api_key = "sk-secret";
  CreateOrDie(4);
  ASSERT_THAT(embedder_->Embed({"alpha", "beta"}), IsOk());
  const std::vector<ReceivedRequest> requests = server_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  const ReceivedRequest& last = requests.back();
  EXPECT_EQ(last.method, "POST");
  EXPECT_EQ(last.path, kPath);
  EXPECT_EQ(last.Header("Authorization"), "Bearer sk-secret");
  EXPECT_EQ(last.Header("Content-Type"), "application/json");
  const Json body = Json::parse(last.body);
  EXPECT_EQ(body.at("model"), "test-model");
  EXPECT_EQ(body.at("encoding_format"), "float");
  EXPECT_EQ(body.at("input"), Json::array({"alpha", "beta"}));
}

TEST_F(HttpEmbedderTest, NoAuthorizationWithoutKey) {
  CreateOrDie(4);
  EXPECT_EQ(server_->Requests().back().Header("Authorization"), "");
}

TEST_F(HttpEmbedderTest, BatchesAndOrdersByIndex) {
  options_.batch_size = 3;
  CreateOrDie(4);
  std::vector<std::string> texts;
  for (int i = 0; i < 10; ++i) texts.push_back(std::string(i + 1, 'a'));
  ASSERT_OK_AND_ASSIGN(std::vector<float> rows, embedder_->Embed(texts));
  EXPECT_EQ(RequestsAfterProbe(), 4);  // ceil(10 / 3)
  ASSERT_EQ(rows.size(), 40u);
  for (int i = 0; i < 10; ++i) {
    const std::vector<float> expected = Normalized(FakeVector(texts[i], 4));
    for (int j = 0; j < 4; ++j) {
      EXPECT_FLOAT_EQ(rows[i * 4 + j], expected[j])
          << "text " << i << " dim " << j;
    }
  }
  std::vector<size_t> batch_sizes;
  for (const ReceivedRequest& r : server_->Requests()) {
    batch_sizes.push_back(Json::parse(r.body).at("input").size());
  }
  EXPECT_THAT(batch_sizes, ElementsAre(1, 3, 3, 3, 1));
}

TEST_F(HttpEmbedderTest, NormalisesVectors) {
  CreateOrDie(2);
  server_->Enqueue(
      "POST", kPath,
      ScriptedResponse::Json(R"({"data":[{"index":0,"embedding":[3,4]}]})"));
  ASSERT_OK_AND_ASSIGN(std::vector<float> rows, embedder_->Embed({"x"}));
  EXPECT_THAT(rows,
              ElementsAre(::testing::FloatEq(0.6f), ::testing::FloatEq(0.8f)));
}

TEST_F(HttpEmbedderTest, RetriesOn429And500AndDroppedConnection) {
  CreateOrDie(4);
  server_->Enqueue("POST", kPath,
                   ScriptedResponse::WithStatus(429, {{"Retry-After", "7"}}));
  server_->Enqueue("POST", kPath,
                   ScriptedResponse::WithStatus(500, {}, "oops"));
  server_->Enqueue("POST", kPath, ScriptedResponse::DropMidBody());
  ASSERT_OK_AND_ASSIGN(std::vector<float> rows, embedder_->Embed({"abc"}));
  EXPECT_EQ(rows.size(), 4u);
  EXPECT_EQ(RequestsAfterProbe(), 4);
  // Retry-After is honoured; otherwise 100 ms doubling, jittered into
  // [base/2, base].
  EXPECT_THAT(
      sleeps_,
      ElementsAre(
          absl::Seconds(7),
          AllOf(Ge(absl::Milliseconds(100)), Le(absl::Milliseconds(200))),
          AllOf(Ge(absl::Milliseconds(200)), Le(absl::Milliseconds(400)))));
}

TEST_F(HttpEmbedderTest, RetryAfterIsCappedAtOneMinute) {
  CreateOrDie(4);
  server_->Enqueue(
      "POST", kPath,
      ScriptedResponse::WithStatus(503, {{"Retry-After", "3600"}}));
  ASSERT_THAT(embedder_->Embed({"abc"}), IsOk());
  EXPECT_THAT(sleeps_, ElementsAre(absl::Seconds(60)));
}

TEST_F(HttpEmbedderTest, RetriesATimeout) {
  options_.timeout = absl::Seconds(1);
  CreateOrDie(4);
  ScriptedResponse stuck = ScriptedResponse::Json("{}");
  stuck.delay = absl::Minutes(10);  // cut short when the server stops
  server_->Enqueue("POST", kPath, stuck);
  ASSERT_THAT(embedder_->Embed({"abc"}), IsOk());
  EXPECT_EQ(RequestsAfterProbe(), 2);
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(HttpEmbedderTest, GivesUpAfterMaxRetries) {
  options_.max_retries = 2;
  CreateOrDie(4);
  server_->Handle("POST", kPath, [](const ReceivedRequest&) {
    return ScriptedResponse::WithStatus(
        503, {}, R"({"error":{"message":"overloaded"}})");
  });
  EXPECT_THAT(
      embedder_->Embed({"abc"}),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("overloaded")));
  EXPECT_EQ(RequestsAfterProbe(), 3);
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(HttpEmbedderTest, DoesNotRetryA400) {
  CreateOrDie(4);
  server_->Enqueue("POST", kPath,
                   ScriptedResponse::Json(
                       R"({"error":{"message":"input is too long"}})", 400));
  EXPECT_THAT(embedder_->Embed({"abc"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("input is too long")));
  EXPECT_EQ(RequestsAfterProbe(), 1);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(HttpEmbedderTest, ConfiguredDimensionMustMatchServer) {
  options_.dimension = 8;
  server_->Handle("POST", kPath, FakeModel(4));
  EXPECT_THAT(Create(), StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("dimension")));
}

TEST_F(HttpEmbedderTest, DimensionChangeIsAnError) {
  CreateOrDie(4);
  server_->Handle("POST", kPath, FakeModel(5));
  EXPECT_THAT(
      embedder_->Embed({"abc"}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dimension 5")));
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(HttpEmbedderTest, RowsOfDifferentDimensionsAreAnError) {
  CreateOrDie(2);
  server_->Enqueue("POST", kPath, ScriptedResponse::Json(R"({"data":[
      {"index":0,"embedding":[1,2]},{"index":1,"embedding":[1,2,3]}]})"));
  EXPECT_THAT(embedder_->Embed({"a", "b"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(HttpEmbedderTest, WrongCountIsAnError) {
  CreateOrDie(2);
  server_->Enqueue(
      "POST", kPath,
      ScriptedResponse::Json(R"({"data":[{"index":0,"embedding":[1,2]}]})"));
  EXPECT_THAT(embedder_->Embed({"a", "b"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("1 embeddings for 2")));
}

TEST_F(HttpEmbedderTest, MalformedAnswersAreErrors) {
  CreateOrDie(2);
  for (const char* body : {"not json", R"({"data":"x"})",
                           R"({"data":[{"index":1,"embedding":[1,2]}]})",
                           R"({"data":[{"index":0,"embedding":["a","b"]}]})",
                           R"({"data":[{"index":0}]})"}) {
    server_->Enqueue("POST", kPath, ScriptedResponse::Json(body));
    EXPECT_THAT(embedder_->Embed({"a"}),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << body;
  }
}

TEST_F(HttpEmbedderTest, BlankTextsGiveZeroRowsAndAreNotSent) {
  CreateOrDie(2);
  ASSERT_OK_AND_ASSIGN(std::vector<float> rows,
                       embedder_->Embed({"", "abc", " \n"}));
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0], 0.0f);
  EXPECT_EQ(rows[1], 0.0f);
  EXPECT_NE(rows[2], 0.0f);
  EXPECT_EQ(rows[4], 0.0f);
  EXPECT_EQ(rows[5], 0.0f);
  EXPECT_EQ(Json::parse(server_->Requests().back().body).at("input"),
            Json::array({"abc"}));
  ASSERT_OK_AND_ASSIGN(rows, embedder_->Embed({"", ""}));
  EXPECT_EQ(RequestsAfterProbe(), 1);
}

TEST_F(HttpEmbedderTest, UnreachableServerFailsCreate) {
  options_.max_retries = 2;
  int closed_port = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto gone, ScriptedHttpServer::Start());
    closed_port = gone->port();
  }
  options_.base_url = absl::StrCat("http://127.0.0.1:", closed_port, "/v1");
  EXPECT_THAT(Create(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(HttpEmbedderTest, RejectsBadOptions) {
  options_.model = "";
  EXPECT_THAT(Create(), StatusIs(absl::StatusCode::kInvalidArgument));
  options_.model = "m";
  options_.batch_size = 0;
  EXPECT_THAT(Create(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(server_->Requests().size(), 0u);
}

}  // namespace
}  // namespace assistd::embed
