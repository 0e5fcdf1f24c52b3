#include "indexer/extract/extraction_runner.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/pdf_fixtures.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::extract {
namespace {

using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::testing::HasSubstr;

std::unique_ptr<ExtractionRunner> FakeRunner(
    absl::Duration wall = absl::Seconds(30)) {
  ExtractionRunnerOptions o;
  o.worker_path = FAKE_WORKER;
  o.wall_limit = wall;
  o.max_result_bytes = 1 << 20;
  o.max_concurrent = 2;
  return *ExtractionRunner::Create(o);
}

TEST(ExtractionRunnerTest, MissingWorkerIsFailedPrecondition) {
  ExtractionRunnerOptions o;
  o.worker_path = "/nonexistent/assistd-extract-worker";
  EXPECT_THAT(ExtractionRunner::Create(o),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(ExtractionRunnerTest, ReturnsTheWorkersDocument) {
  ASSERT_OK_AND_ASSIGN(Document doc, FakeRunner()->Extract("/some/path", "ok"));
  ASSERT_EQ(doc.pages.size(), 1u);
  EXPECT_EQ(doc.pages[0].text, "fake text of /some/path");
}

TEST(ExtractionRunnerTest, ACrashFailsThatFileOnly) {
  auto runner = FakeRunner();
  EXPECT_THAT(
      runner->Extract("/p", "crash"),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          HasSubstr(
              "invalid_file: the parser crashed on this file (signal 11")));
  EXPECT_OK(runner->Extract("/p", "ok"));
}

TEST(ExtractionRunnerTest, AHangIsKilledAtTheWallLimit) {
  auto runner = FakeRunner(absl::Milliseconds(300));
  EXPECT_THAT(runner->Extract("/p", "hang"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("did not finish within 300ms")));
  EXPECT_OK(runner->Extract("/p", "ok"));
}

TEST(ExtractionRunnerTest, GarbageFloodsAndBadExitsAreContained) {
  auto runner = FakeRunner();
  EXPECT_THAT(runner->Extract("/p", "garbage"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("malformed result")));
  EXPECT_THAT(
      runner->Extract("/p", "flood"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("larger than")));
  EXPECT_THAT(runner->Extract("/p", "exit7"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("status 7")));
}

TEST(ExtractionRunnerTest, RunsAtMostMaxConcurrentWorkersAndServesEveryCaller) {
  auto runner = FakeRunner();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (runner->Extract("/p", "ok").ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
}

TEST(ExtractionRunnerTest, ADeadZygoteIsReplaced) {
  auto runner = FakeRunner();
  EXPECT_THAT(runner->Extract("/p", "kill-zygote"),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_OK(runner->Extract("/p", "ok"));
}

// The real worker on real input.
std::unique_ptr<ExtractionRunner> RealRunner(absl::Duration cpu,
                                             int64_t memory) {
  ExtractionRunnerOptions o;
  o.worker_path = REAL_WORKER;
  o.cpu_limit = cpu;
  o.memory_limit_bytes = memory;
  o.wall_limit = absl::Seconds(60);
  return *ExtractionRunner::Create(o);
}

TEST(ExtractionRunnerTest, RealWorkerExtractsAPdf) {
  TempDir dir;
  ASSERT_OK(testing::WriteTextPdf(dir.File("a.pdf"),
                                  {"hello from page one", "page two"}));
  auto runner = RealRunner(absl::Seconds(30), int64_t{1} << 30);
  ASSERT_OK_AND_ASSIGN(Document doc,
                       runner->Extract(dir.File("a.pdf"), "a.pdf"));
  EXPECT_EQ(doc.format, Format::kPdf);
  ASSERT_EQ(doc.pages.size(), 2u);
  EXPECT_THAT(doc.pages[0].text, HasSubstr("hello from page one"));
}

TEST(ExtractionRunnerTest, RealWorkerStopsADecompressionBombAtItsLimits) {
  TempDir dir;
  ASSERT_OK(testing::WriteDecompressionBombPdf(dir.File("bomb.pdf"), 400));
  auto runner = RealRunner(absl::Seconds(2), int64_t{512} << 20);
  // Whichever limit trips first, the file fails cleanly as invalid_file.
  EXPECT_THAT(
      runner->Extract(dir.File("bomb.pdf"), "bomb.pdf"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid_file")));
  ASSERT_OK(testing::WriteTextPdf(dir.File("ok.pdf"), {"still works"}));
  EXPECT_OK(runner->Extract(dir.File("ok.pdf"), "ok.pdf"));
}

}  // namespace
}  // namespace assistd::extract
