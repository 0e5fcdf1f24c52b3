#ifndef ASSISTD_TESTS_INTEGRATION_API_KEYS_UTIL_H_
#define ASSISTD_TESTS_INTEGRATION_API_KEYS_UTIL_H_

// Helpers of the API-key tests (api_keys_test.cc, api_keys_split_test.cc):
// `assistd keys ...` runs, calls carrying a key, a file upload. The tests
// define ASSISTD_BINARY.

#include <grpcpp/client_context.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "assistd/v1/files.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/util/subprocess.h"

namespace assistd::testing {

inline constexpr absl::Duration kWait = absl::Seconds(60);

// Runs `assistd <args...>` to completion; its exit code and output.
inline std::pair<int, std::string> RunAssistd(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {ASSISTD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<std::unique_ptr<Subprocess>> proc = Subprocess::Start(argv);
  if (!proc.ok()) return {-1, std::string(proc.status().message())};
  absl::StatusOr<int> code = (*proc)->Wait(kWait);
  return {code.ok() ? *code : -1, (*proc)->output()};
}

// The key printed by `assistd keys create`; empty if none.
inline std::string KeyIn(const std::string& output) {
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StartsWith(line, "sk-assistd-")) return std::string(line);
  }
  return "";
}

inline std::unique_ptr<grpc::ClientContext> Ctx(const std::string& key,
                                         const std::string& project = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + kWait));
  if (!key.empty()) ctx->AddMetadata("authorization", "Bearer " + key);
  if (!project.empty()) ctx->AddMetadata("x-assistd-project", project);
  return ctx;
}

inline v1::File Upload(v1::FileService::Stub& files, const std::string& key, const std::string& name,
                const std::string& text) {
  v1::File file;
  auto ctx = Ctx(key);
  auto writer = files.Upload(ctx.get(), &file);
  v1::UploadRequest header;
  header.mutable_header()->set_filename(name);
  header.mutable_header()->set_purpose("assistants");
  v1::UploadRequest chunk;
  chunk.set_chunk(text);
  EXPECT_TRUE(writer->Write(header) && writer->Write(chunk) && writer->WritesDone());
  grpc::Status st = writer->Finish();
  EXPECT_TRUE(st.ok()) << st.error_message();
  return file;
}

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_INTEGRATION_API_KEYS_UTIL_H_
