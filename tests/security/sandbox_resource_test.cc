// Resource attacks: fork and thread bombs, signals, memory, CPU, disk and
// output floods. Each asserts the contained outcome, then ExpectContained.

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "tests/security/sandbox_attack_base.h"

namespace assistd::testing {

SandboxHarness* SandboxAttackTest::harness_ = nullptr;
std::shared_ptr<sandbox::Session>* SandboxAttackTest::sibling_ = nullptr;

namespace {

using ::testing::HasSubstr;
using ::testing::Le;
using ::testing::StartsWith;

class ResourceTest : public SandboxAttackTest {
 protected:
  static void SetUpTestSuite() {
    StartPool([](sandbox::SessionPoolOptions* o) {
      o->cgroup.pids = 64;
      o->rlimits.file_bytes = 4 << 20;
      o->execute.max_output_bytes = 16 << 10;
      o->execute.max_images = 3;
      o->execute.max_files = 10;
    });
  }
  static sandbox::SessionLimits Small() {
    sandbox::SessionLimits l;
    l.memory_bytes = 128 << 20;
    l.disk_bytes = 8 << 20;
    return l;
  }
};

// --- processes and signals ---------------------------------------------------

TEST_F(ResourceTest, ForkBombHitsThePidsLimit) {
  auto s = Attacker();
  Recorded r = Run(s.get(),
                   "import os, time\nn = 0\ntry:\n"
                   "    while True:\n"
                   "        if os.fork() == 0:\n"
                   "            time.sleep(600)\n"
                   "            os._exit(0)\n"
                   "        n += 1\n"
                   "except OSError as e:\n"
                   "    print('blocked', e.errno, n < 64)");
  EXPECT_EQ(r.stdout_text, "blocked 11 True\n");
  EXPECT_GT(s->cgroup()->Pids().size(), 30u);
  ExpectContained(s);
}

TEST_F(ResourceTest, ThreadBombHitsThePidsLimit) {
  auto s = Attacker();
  Recorded r = Run(s.get(),
                   "import threading, time\nev = threading.Event()\nts = []\ntry:\n"
                   "    while True:\n"
                   "        t = threading.Thread(target=ev.wait)\n"
                   "        t.start()\n"
                   "        ts.append(t)\n"
                   "except RuntimeError as e:\n"
                   "    print('blocked', len(ts) < 64)\nev.set()\n[t.join() for t in ts]\n"
                   "threading.active_count()");
  EXPECT_EQ(r.stdout_text, "blocked True\n");
  EXPECT_EQ(r.result(), "1");
  ExpectContained(s);
}

TEST_F(ResourceTest, KillMinusOneStaysInsideTheSession) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import os, signal, time\nfor _ in range(3):\n"
                            "    if os.fork() == 0:\n        time.sleep(600)\n        os._exit(0)\n"
                            "os.kill(-1, signal.SIGKILL)\n'still here'");
  EXPECT_EQ(r.result(), "'still here'") << r.error();
  EXPECT_EQ(kill(getpid(), 0), 0);
  ExpectContained(s);
}

TEST_F(ResourceTest, SignalsCannotReachHostProcesses) {
  auto s = Attacker();
  Recorded r = Run(s.get(), absl::StrCat("import os, signal\nos.kill(", getpid(),
                                         ", signal.SIGKILL)"));
  EXPECT_THAT(r.error(), StartsWith("ProcessLookupError"));
  ExpectContained(s);
}

TEST_F(ResourceTest, DaemonThatIgnoresSignalsDiesWithTheSession) {
  auto s = Attacker();
  Recorded r = Run(s.get(),
                   "import os, signal, time\n"
                   "if os.fork() == 0:\n"
                   "    os.setsid()\n"
                   "    if os.fork() == 0:\n"
                   "        signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                   "        signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                   "        while True: time.sleep(1)\n"
                   "    os._exit(0)\n"
                   "'daemon started'");
  EXPECT_EQ(r.result(), "'daemon started'");
  EXPECT_GE(s->cgroup()->Pids().size(), 2u);
  ExpectContained(s);
}

TEST_F(ResourceTest, CodeIgnoringTheInterruptIsKilledAtTheTimeout) {
  auto s = Attacker();
  Run(s.get(), "lost = 1");
  Recorded r = Run(s.get(),
                   "import signal, os\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                   "if os.fork() == 0:\n    while True: pass\nwhile True: pass",
                   absl::Milliseconds(300));
  EXPECT_TRUE(r.report.timed_out);
  EXPECT_TRUE(r.report.session_restarted);
  // Only the fresh interpreter is left: the spinning child died with PID 1.
  EXPECT_EQ(s->cgroup()->Pids().size(), 1u);
  EXPECT_EQ(Run(s.get(), "'lost' in globals()").result(), "False");
  ExpectContained(s);
}

TEST_F(ResourceTest, BusyLoopTimesOutWithKeyboardInterrupt) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "while True: pass", absl::Milliseconds(200));
  EXPECT_TRUE(r.report.timed_out);
  EXPECT_THAT(r.error(), StartsWith("KeyboardInterrupt"));
  ExpectContained(s);
}

TEST_F(ResourceTest, SleepingCodeTimesOut) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import time\ntime.sleep(3600)", absl::Milliseconds(200));
  EXPECT_TRUE(r.report.timed_out);
  EXPECT_FALSE(r.report.session_restarted);
  ExpectContained(s);
}

// --- memory ------------------------------------------------------------------

TEST_F(ResourceTest, HugeAllocationFailsInsideTheSession) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "x = bytearray(10**11)");
  EXPECT_THAT(r.error(), StartsWith("MemoryError"));
  EXPECT_EQ(Run(s.get(), "1 + 1").result(), "2");
  ExpectContained(s);
}

TEST_F(ResourceTest, GrowingPastTheMemoryLimitIsOomKilledAndReported) {
  const sandbox::SessionLimits limits = Small();
  auto s = Attacker(&limits);
  Recorded r = Run(s.get(), "chunks = []\nwhile True: chunks.append(b'x' * (16 << 20))");
  EXPECT_TRUE(r.report.memory_exceeded);
  EXPECT_TRUE(r.report.session_restarted);
  EXPECT_EQ(Run(s.get(), "'ok'").result(), "'ok'");
  ExpectContained(s);
}

TEST_F(ResourceTest, MemoryHogInAChildProcessIsOomKilled) {
  const sandbox::SessionLimits limits = Small();
  auto s = Attacker(&limits);
  Recorded r = Run(s.get(), "import subprocess, sys\n"
                            "p = subprocess.run([sys.executable if sys.executable else "
                            "'/usr/bin/python3', '-c', 'b\"x\" * (1 << 30)'])\n"
                            "p.returncode");
  EXPECT_TRUE(r.result() == "-9" || r.result() == "1") << r.result() << r.error();
  ExpectContained(s);
}

// --- disk ----------------------------------------------------------------------

TEST_F(ResourceTest, FillingMntDataGivesEnospc) {
  const sandbox::SessionLimits limits = Small();
  auto s = Attacker(&limits);
  Recorded r = Run(s.get(), "n = 0\ntry:\n    for i in range(100):\n"
                            "        open(f'/mnt/data/f{i}', 'wb').write(b'x' * (1 << 20))\n"
                            "        n += 1\nexcept OSError as e:\n    print(e.errno, n < 9)");
  EXPECT_EQ(r.stdout_text, "28 True\n");
  ExpectContained(s);
}

TEST_F(ResourceTest, FillingTmpGivesEnospc) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "try:\n    f = open('/tmp/fill', 'wb')\n"
                            "    for i in range(100): f.write(b'x' * (1 << 20)); f.flush()\n"
                            "except OSError as e:\n    print(e.errno)");
  EXPECT_THAT(r.stdout_text, ::testing::AnyOf("28\n", "27\n"));
  ExpectContained(s);
}

TEST_F(ResourceTest, OneHugeFileGivesEfbig) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "try:\n    open('/mnt/data/big', 'wb').write(b'x' * (5 << 20))\n"
                            "except OSError as e:\n    print(e.errno)");
  EXPECT_EQ(r.stdout_text, "27\n");
  ExpectContained(s);
}

// --- output floods -------------------------------------------------------------

TEST_F(ResourceTest, StdoutFloodIsTruncatedWithAMarker) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "for i in range(100000): print('x' * 100)");
  EXPECT_TRUE(r.report.truncated);
  EXPECT_THAT(r.stdout_text.size(), Le(17000u));
  EXPECT_THAT(r.stdout_text, HasSubstr("[output truncated"));
  EXPECT_EQ(Run(s.get(), "'after'").result(), "'after'");
  ExpectContained(s);
}

TEST_F(ResourceTest, StderrFloodIsTruncated) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import sys\nfor i in range(10000): sys.stderr.write('e' * 1000)");
  EXPECT_TRUE(r.report.truncated);
  EXPECT_THAT(r.stderr_text.size(), Le(17000u));
  ExpectContained(s);
}

TEST_F(ResourceTest, RawDescriptorFloodFromAChildIsTruncated) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import subprocess\n"
                            "subprocess.run(['/usr/bin/head', '-c', '50000000', '/dev/zero'])");
  EXPECT_TRUE(r.report.truncated);
  EXPECT_THAT(r.stdout_text.size(), Le(17000u));
  ExpectContained(s);
}

TEST_F(ResourceTest, InvalidUtf8OutputIsReplaced) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import os\nos.write(1, b'ok \\xff\\xfe end\\n')");
  EXPECT_EQ(r.stdout_text, "ok \xEF\xBF\xBD\xEF\xBF\xBD end\n");
  ExpectContained(s);
}

TEST_F(ResourceTest, HugeResultReprIsCapped) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "'y' * 10**7");
  EXPECT_THAT(r.result().size(), Le(17000u));
  ExpectContained(s);
}

TEST_F(ResourceTest, ImageFloodIsCapped) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import matplotlib.pyplot as plt\n"
                            "for i in range(10): plt.figure(); plt.plot([i])");
  EXPECT_EQ(r.images.size(), 3u);
  EXPECT_THAT(r.stderr_text, HasSubstr("image dropped"));
  ExpectContained(s);
}

TEST_F(ResourceTest, ManyChangedFilesAreReportedBoundedly) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "for i in range(500): open(f'/mnt/data/f{i}', 'w').write('x')");
  EXPECT_EQ(r.files.size(), 10u);
  ExpectContained(s);
}

}  // namespace
}  // namespace assistd::testing
