#ifndef ASSISTD_TESTS_SECURITY_SANDBOX_ATTACK_BASE_H_
#define ASSISTD_TESTS_SECURITY_SANDBOX_ATTACK_BASE_H_

// Base fixture of the security suites: one pool per suite, a sibling
// session that must keep answering, and the check every attack ends with.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/security/sandbox_fixture.h"
#include "tests/util/status_matchers.h"

namespace assistd::testing {

class SandboxAttackTest : public ::testing::Test {
 protected:
  // Suites may change the pool's options before it starts.
  static void StartPool(void (*adjust)(sandbox::SessionPoolOptions*) = nullptr) {
    std::string why;
    if (!HostSupportsJail(&why)) return;
    TempDir probe;
    sandbox::SessionPoolOptions o = TestPoolOptions(probe);
    o.state_dir.clear();
    if (adjust != nullptr) adjust(&o);
    auto h = SandboxHarness::Create(std::move(o));
    ASSERT_TRUE(h.ok()) << h.status();
    harness_ = h->release();
    auto sibling = harness_->NewSession("sibling-project");
    ASSERT_TRUE(sibling.ok()) << sibling.status();
    sibling_ = new std::shared_ptr<sandbox::Session>(*sibling);
  }
  static void TearDownTestSuite() {
    delete sibling_;
    sibling_ = nullptr;
    delete harness_;
    harness_ = nullptr;
  }
  void SetUp() override {
    std::string why;
    if (!HostSupportsJail(&why)) GTEST_SKIP() << why;
    ASSERT_NE(harness_, nullptr);
  }

  std::shared_ptr<sandbox::Session> Attacker(const sandbox::SessionLimits* limits = nullptr) {
    auto s = limits ? harness_->pool()->CreateSession("attacker", "t", *limits)
                    : harness_->NewSession("attacker");
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : nullptr;
  }
  Recorded Run(sandbox::Session* s, const std::string& code,
               absl::Duration timeout = absl::Seconds(20)) {
    return harness_->Run(s, code, timeout);
  }

  // The end of every attack: the sibling session still answers, the
  // attacked session can be closed, and then none of its processes is left.
  void ExpectContained(const std::shared_ptr<sandbox::Session>& s) {
    Recorded sibling = harness_->Run(sibling_->get(), "6 * 7");
    EXPECT_EQ(sibling.result(), "42") << "the sibling session was affected";
    std::vector<pid_t> pids = SurvivingPids(s.get(), s->pid());
    s->Close();
    for (pid_t pid : pids) EXPECT_TRUE(ProcessGone(pid)) << "pid " << pid << " survived";
    if (s->cgroup() != nullptr) {
      EXPECT_THAT(s->cgroup()->Pids(), ::testing::IsEmpty());
    }
  }

  static SandboxHarness* harness_;
  static std::shared_ptr<sandbox::Session>* sibling_;
};

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_SECURITY_SANDBOX_ATTACK_BASE_H_
