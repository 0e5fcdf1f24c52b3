// Hostile files seen from the service, file-collection races, and crashes
// of the zygote and of the supervisor itself.

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/security/sandbox_attack_base.h"
#include "tests/util/subprocess.h"

namespace assistd::testing {

SandboxHarness* SandboxAttackTest::harness_ = nullptr;
std::shared_ptr<sandbox::Session>* SandboxAttackTest::sibling_ = nullptr;

namespace {

using ::testing::HasSubstr;

std::string ReadHostFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Blocks until `pid` has exited (pidfd), up to `timeout`.
bool WaitForExit(pid_t pid, absl::Duration timeout) {
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return errno == ESRCH;
  pollfd p{fd, POLLIN, 0};
  const int ready = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  close(fd);
  return ready == 1;
}

class FaultTest : public SandboxAttackTest {
 protected:
  static void SetUpTestSuite() { StartPool(); }

  absl::Status Put(sandbox::Session* s, const std::string& path, const std::string& data) {
    auto w = s->BeginWrite(path, 1 << 20);
    if (!w.ok()) return w.status();
    if (absl::Status st = (*w)->Append(data); !st.ok()) return st;
    return (*w)->Commit().status();
  }
  absl::StatusOr<std::string> Get(sandbox::Session* s, const std::string& path) {
    auto f = s->OpenFile(path);
    if (!f.ok()) return f.status();
    std::string all;
    while (true) {
      auto chunk = (*f)->Read(1 << 16);
      if (!chunk.ok()) return chunk.status();
      if (chunk->empty()) return all;
      all += *chunk;
    }
  }
};

// --- hostile files in /mnt/data -------------------------------------------------

TEST_F(FaultTest, PlantedSymlinkIsNotCollected) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import os\nos.symlink('/etc/passwd', '/mnt/data/out.png')");
  EXPECT_TRUE(r.files.empty());
  EXPECT_THAT(Get(s.get(), "out.png"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                HasSubstr("symlink")));
  ExpectContained(s);
}

TEST_F(FaultTest, SymlinkedDirectoryInThePathIsRefused) {
  auto s = Attacker();
  Run(s.get(), "import os\nos.symlink('/etc', '/mnt/data/d')");
  EXPECT_THAT(Get(s.get(), "d/passwd"), StatusIs(absl::StatusCode::kInvalidArgument));
  ExpectContained(s);
}

TEST_F(FaultTest, HardLinksAreRefused) {
  auto s = Attacker();
  Run(s.get(), "import os\nopen('/mnt/data/a', 'w').write('a')\n"
               "os.link('/mnt/data/a', '/mnt/data/b')");
  EXPECT_THAT(Get(s.get(), "b"), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("hard link")));
  auto listed = s->ListFiles();
  ASSERT_OK(listed.status());
  EXPECT_TRUE(listed->empty());
  ExpectContained(s);
}

TEST_F(FaultTest, FifoDoesNotBlockTheService) {
  auto s = Attacker();
  Run(s.get(), "import os\nos.mkfifo('/mnt/data/pipe')");
  EXPECT_THAT(Get(s.get(), "pipe"), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("not a regular file")));
  ExpectContained(s);
}

TEST_F(FaultTest, UploadReplacesAPlantedSymlinkInsteadOfWritingThroughIt) {
  auto s = Attacker();
  const std::string before = ReadHostFile("/etc/hostname");
  Run(s.get(), "import os\nos.symlink('/etc/hostname', '/mnt/data/target')");
  ASSERT_OK(Put(s.get(), "target", "uploaded"));
  EXPECT_EQ(ReadHostFile("/etc/hostname"), before);
  Recorded r = Run(s.get(), "import os\n(os.path.islink('/mnt/data/target'), "
                            "open('/mnt/data/target').read())");
  EXPECT_EQ(r.result(), "(False, 'uploaded')");
  ExpectContained(s);
}

TEST_F(FaultTest, UploadThroughASymlinkedParentIsRefused) {
  auto s = Attacker();
  Run(s.get(), "import os\nos.symlink('/tmp', '/mnt/data/dir')");
  EXPECT_THAT(Put(s.get(), "dir/evil", "x"), StatusIs(absl::StatusCode::kInvalidArgument));
  struct stat st;
  EXPECT_NE(stat("/tmp/evil", &st), 0);
  ExpectContained(s);
}

TEST_F(FaultTest, TraversalAndMalformedNamesAreRejected) {
  auto s = Attacker();
  for (const std::string& bad :
       {std::string("../x"), std::string("/etc/passwd"), std::string("a/../../x"),
        std::string("a\0b", 3), std::string(256, 'n'), std::string("a//b"), std::string(""),
        std::string("bad\xff")}) {
    EXPECT_THAT(Put(s.get(), bad, "x"), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
    EXPECT_THAT(Get(s.get(), bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
  ExpectContained(s);
}

TEST_F(FaultTest, HostileNamesAndDeepTreesAreListedBoundedly) {
  auto s = Attacker();
  Recorded r = Run(s.get(),
                   "import os\nopen('/mnt/data/new\\nline', 'w').write('1')\n"
                   "open(b'/mnt/data/bad\\xff', 'w').write('2')\n"
                   "p = '/mnt/data'\nfor i in range(40):\n    p += '/d'\n    os.mkdir(p)\n"
                   "open(p + '/deep', 'w').write('3')\nopen('/mnt/data/' + 'l' * 255, 'w')");
  ASSERT_OK(r.status);
  auto listed = s->ListFiles();
  ASSERT_OK(listed.status());
  std::vector<std::string> paths;
  for (const auto& f : *listed) paths.push_back(f.path);
  EXPECT_THAT(paths, ::testing::UnorderedElementsAre("new\nline", std::string(255, 'l')));
  ExpectContained(s);
}

// --- races -------------------------------------------------------------------------

TEST_F(FaultTest, SwappingAFileForASymlinkNeverLeaksHostData) {
  auto s = Attacker();
  Recorded r = Run(s.get(),
                   "import os\nif os.fork() == 0:\n"
                   "    open('/mnt/data/real', 'w').write('session data')\n"
                   "    while True:\n"
                   "        try:\n"
                   "            os.symlink('/etc/passwd', '/mnt/data/tmp')\n"
                   "            os.replace('/mnt/data/tmp', '/mnt/data/f')\n"
                   "            os.link('/mnt/data/real', '/mnt/data/tmp2')\n"
                   "            os.replace('/mnt/data/tmp2', '/mnt/data/f')\n"
                   "        except OSError:\n"
                   "            pass\n"
                   "'racing'");
  ASSERT_EQ(r.result(), "'racing'");
  int refused = 0, read = 0;
  for (int i = 0; i < 200; ++i) {
    absl::StatusOr<std::string> data = Get(s.get(), "f");
    if (data.ok()) {
      ++read;
      EXPECT_EQ(*data, "session data");
    } else {
      ++refused;
      EXPECT_NE(data.status().code(), absl::StatusCode::kInternal) << data.status();
    }
  }
  EXPECT_EQ(read + refused, 200);
  ExpectContained(s);
}

TEST_F(FaultTest, ReadsAreRefusedWhileCodeRuns) {
  auto s = Attacker();
  Run(s.get(), "open('/mnt/data/x', 'w').write('x')");
  std::thread t([&] { Run(s.get(), "import time\ntime.sleep(30)", absl::Seconds(2)); });
  while (s->info().state != sandbox::SessionState::kBusy) std::this_thread::yield();
  const absl::Status seen = Get(s.get(), "x").status();
  t.join();
  EXPECT_THAT(seen, StatusIs(absl::StatusCode::kFailedPrecondition));
  ExpectContained(s);
}

TEST_F(FaultTest, ClosingDuringAnExecuteKillsTheCode) {
  auto s = Attacker();
  const pid_t pid = s->pid();
  Recorded r;
  std::thread t([&] { r = Run(s.get(), "while True: pass", absl::Seconds(60)); });
  while (s->info().state != sandbox::SessionState::kBusy) std::this_thread::yield();
  s->Close();
  t.join();
  EXPECT_TRUE(WaitForExit(pid, absl::Seconds(10)));
  EXPECT_EQ(s->info().state, sandbox::SessionState::kClosed);
  ExpectContained(s);
}

// --- crashes -----------------------------------------------------------------------

TEST_F(FaultTest, KilledKernelIsRestartedOnTheNextExecute) {
  auto s = Attacker();
  Run(s.get(), "open('/mnt/data/kept', 'w').write('files survive')");
  const pid_t pid = s->pid();
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_TRUE(WaitForExit(pid, absl::Seconds(10)));
  Recorded r = Run(s.get(), "open('/mnt/data/kept').read()");
  EXPECT_TRUE(r.report.session_restarted);
  EXPECT_EQ(r.result(), "'files survive'");
  ExpectContained(s);
}

TEST_F(FaultTest, ZygoteCrashKillsItsSessionsAndTheNextOneWorks) {
  auto s = Attacker();
  const pid_t session_pid = s->pid();
  const pid_t zygote = harness_->pool()->zygote_pid();
  ASSERT_GT(zygote, 0);
  ASSERT_EQ(kill(zygote, SIGKILL), 0);
  EXPECT_TRUE(WaitForExit(session_pid, absl::Seconds(10)));
  auto fresh = harness_->NewSession("attacker");
  ASSERT_OK(fresh.status());
  EXPECT_EQ(Run(fresh->get(), "'reborn'").result(), "'reborn'");
  EXPECT_NE(harness_->pool()->zygote_pid(), zygote);
  // Sessions of the dead zygote come back on their next execution.
  Recorded again = Run(s.get(), "'restarted'");
  EXPECT_TRUE(again.report.session_restarted);
  EXPECT_EQ(again.result(), "'restarted'");
  ExpectContained(*fresh);
  ExpectContained(s);
}

TEST_F(FaultTest, SupervisorCrashKillsSessionsAndTheNextStartReapsLeftovers) {
  TempDir dir;
  chmod(dir.path().c_str(), 0711);
  const std::string state = dir.File("state");
  ASSERT_OK_AND_ASSIGN(auto helper,
                       Subprocess::Start({CRASH_HELPER_PATH, state, SANDBOX_ZYGOTE_PATH,
                                          absl::StrCat(400000 + getpid() % 1000 * 8)}));
  ASSERT_OK_AND_ASSIGN(std::string line, helper->WaitForLine("session ", absl::Seconds(120)));
  std::vector<std::string> parts = absl::StrSplit(absl::StripAsciiWhitespace(line), ' ');
  ASSERT_EQ(parts.size(), 4u) << line;
  pid_t pid1;
  ASSERT_TRUE(absl::SimpleAtoi(parts[1], &pid1));
  helper->Signal(SIGKILL);
  (void)helper->Wait(absl::Seconds(30));
  EXPECT_TRUE(WaitForExit(pid1, absl::Seconds(10))) << "the session outlived its supervisor";
  // A new supervisor on the same state dir removes what the dead one left.
  TempDir unused;
  sandbox::SessionPoolOptions o = TestPoolOptions(unused);
  o.state_dir = state;
  ASSERT_OK_AND_ASSIGN(auto pool, sandbox::SessionPool::Create(o));
  ASSERT_OK(pool->WaitUntilReady());
  struct stat st;
  EXPECT_NE(stat(parts[3].c_str(), &st), 0) << "disk left behind";
  if (parts[2] != "-") {
    EXPECT_NE(stat(parts[2].c_str(), &st), 0) << "cgroup left behind";
  }
  EXPECT_EQ(Run(sibling_->get(), "6 * 7").result(), "42");
}

}  // namespace
}  // namespace assistd::testing
