// The session pool end to end on this host: sessions forked from the real
// zygote into the real jail.

#include "sandbox/session_pool.h"

#include <sys/stat.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/security/sandbox_fixture.h"
#include "tests/util/status_matchers.h"

namespace assistd::sandbox {
namespace {

using ::assistd::testing::HostSupportsJail;
using ::assistd::testing::ProcessGone;
using ::assistd::testing::Recorded;
using ::assistd::testing::SandboxHarness;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class SessionPoolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    if (!HostSupportsJail(&why)) return;
    auto h = SandboxHarness::Create();
    ASSERT_TRUE(h.ok()) << h.status();
    harness_ = h->release();
  }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }
  void SetUp() override {
    std::string why;
    if (!HostSupportsJail(&why)) GTEST_SKIP() << why;
  }
  static SandboxHarness* harness_;
};
SandboxHarness* SessionPoolTest::harness_ = nullptr;

TEST_F(SessionPoolTest, KeepsStateBetweenExecutions) {
  ASSERT_OK_AND_ASSIGN(auto s, harness_->NewSession());
  Recorded a = harness_->Run(s.get(), "x = 41\nprint('hello')");
  ASSERT_OK(a.status);
  EXPECT_EQ(a.stdout_text, "hello\n");
  EXPECT_THAT(a.results, IsEmpty());
  Recorded b = harness_->Run(s.get(), "x + 1");
  EXPECT_EQ(b.result(), "42");
  EXPECT_EQ(b.report.execution_count, 2);
}

TEST_F(SessionPoolTest, ReportsTracebacksAsErrors) {
  ASSERT_OK_AND_ASSIGN(auto s, harness_->NewSession());
  Recorded r = harness_->Run(s.get(), "def f():\n  return 1/0\nf()");
  ASSERT_OK(r.status);
  EXPECT_EQ(r.error(), "ZeroDivisionError: division by zero");
  EXPECT_THAT(r.tracebacks.back(), HasSubstr("return 1/0"));
  EXPECT_THAT(r.tracebacks.back(), Not(HasSubstr("assistd_driver")));
  Recorded syntax = harness_->Run(s.get(), "def (");
  EXPECT_THAT(syntax.error(), StartsWith("SyntaxError"));
}

TEST_F(SessionPoolTest, ReturnsFiguresAsPng) {
  ASSERT_OK_AND_ASSIGN(auto s, harness_->NewSession());
  Recorded r = harness_->Run(s.get(),
                             "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()");
  ASSERT_OK(r.status);
  ASSERT_EQ(r.images.size(), 1u) << r.stderr_text << r.error();
  EXPECT_EQ(r.images[0].second.substr(1, 3), "PNG");
}

TEST_F(SessionPoolTest, ReportsFilesWrittenToMntData) {
  ASSERT_OK_AND_ASSIGN(auto s, harness_->NewSession());
  Recorded r = harness_->Run(s.get(), "open('/mnt/data/out.csv', 'w').write('a,b\\n1,2\\n')");
  ASSERT_OK(r.status);
  EXPECT_THAT(r.files, ::testing::ElementsAre("out.csv"));
  ASSERT_OK_AND_ASSIGN(auto files, s->ListFiles());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].bytes, 8);
}

TEST_F(SessionPoolTest, NumpyRandomStateDiffersBetweenSessions) {
  ASSERT_OK_AND_ASSIGN(auto a, harness_->NewSession());
  ASSERT_OK_AND_ASSIGN(auto b, harness_->NewSession());
  const std::string code = "import numpy\nnumpy.random.rand()";
  EXPECT_NE(harness_->Run(a.get(), code).result(), harness_->Run(b.get(), code).result());
}

TEST_F(SessionPoolTest, TimeoutInterruptsTheCodeAndKeepsTheSession) {
  ASSERT_OK_AND_ASSIGN(auto s, harness_->NewSession());
  harness_->Run(s.get(), "kept = 7");
  Recorded r = harness_->Run(s.get(), "import time\nwhile True: time.sleep(0.01)",
                             absl::Milliseconds(300));
  ASSERT_OK(r.status);
  EXPECT_TRUE(r.report.timed_out);
  EXPECT_FALSE(r.report.session_restarted);
  EXPECT_THAT(r.error(), StartsWith("KeyboardInterrupt"));
  EXPECT_EQ(harness_->Run(s.get(), "kept").result(), "7");
}

TEST_F(SessionPoolTest, CloseKillsEverythingAndRemovesTheDisk) {
  ASSERT_OK_AND_ASSIGN(auto s, harness_->NewSession());
  const pid_t pid = s->pid();
  const std::string disk = s->disk_dir();
  s->Close();
  EXPECT_TRUE(ProcessGone(pid));
  struct stat st;
  EXPECT_NE(stat(disk.c_str(), &st), 0);
  EXPECT_THAT(harness_->Run(s.get(), "1").status,
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace assistd::sandbox
