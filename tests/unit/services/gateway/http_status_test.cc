#include "services/gateway/http_status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/gateway/json_errors.h"

namespace assistd::gateway {
namespace {

TEST(HttpStatusTest, MapsCodesTheWayTheSdksExpect) {
  EXPECT_EQ(ToHttpError(absl::InvalidArgumentError("x")).status, 400);
  // A thread locked by a run is 400, never 409 (which the SDKs retry).
  EXPECT_EQ(ToHttpError(absl::FailedPreconditionError(
                            "Thread thread_1 already has an active run run_1."))
                .status,
            400);
  EXPECT_EQ(ToHttpError(absl::AlreadyExistsError("x")).status, 400);
  EXPECT_EQ(ToHttpError(absl::NotFoundError("x")).status, 404);
  EXPECT_EQ(ToHttpError(absl::UnauthenticatedError("x")).status, 401);
  EXPECT_EQ(ToHttpError(absl::PermissionDeniedError("x")).status, 403);
  EXPECT_EQ(ToHttpError(absl::ResourceExhaustedError("too many runs")).status, 429);
  EXPECT_EQ(ToHttpError(absl::ResourceExhaustedError("file size over 512 MiB")).status, 413);
  EXPECT_EQ(ToHttpError(absl::UnavailableError("x")).status, 503);
  EXPECT_EQ(ToHttpError(absl::InternalError("x")).status, 500);
  EXPECT_EQ(ToHttpError(absl::DataLossError("x")).status, 500);
}

TEST(HttpStatusTest, BodyIsOpenAIsErrorObject) {
  const HttpError error = ToHttpError(absl::NotFoundError("No thread found with id 'thread_x'."));
  EXPECT_EQ(error.body, nlohmann::json::parse(R"({"error": {
      "message": "No thread found with id 'thread_x'.", "type": "invalid_request_error",
      "param": null, "code": null}})"));
  const HttpError server = ToHttpError(absl::InternalError("boom"));
  EXPECT_EQ(server.body["error"]["type"], "server_error");
  EXPECT_EQ(server.body["error"]["code"], "server_error");
}

TEST(HttpStatusTest, ParamComesFromTheJsonPathOrTheNamedField) {
  EXPECT_EQ(ToHttpError(json_internal::InvalidType("tools[0].type", "a string")).body["error"]["param"],
            "tools[0].type");
  EXPECT_EQ(ToHttpError(absl::InvalidArgumentError("metadata: more than 16 keys"))
                .body["error"]["param"],
            "metadata");
  EXPECT_EQ(ToHttpError(absl::InvalidArgumentError(
                            "Invalid 'thread_id': 'x'. Expected an ID that begins with 'thread'."))
                .body["error"]["param"],
            "thread_id");
  EXPECT_EQ(ToHttpError(absl::InvalidArgumentError("Thread is locked: try later"))
                .body["error"]["param"],
            nullptr);
}

TEST(HttpStatusTest, ErrorCodeTravelsWithTheStatus) {
  const HttpError error =
      ToHttpError(WithErrorCode(absl::InvalidArgumentError("beta"), "invalid_beta"));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.body["error"]["code"], "invalid_beta");
}

}  // namespace
}  // namespace assistd::gateway
