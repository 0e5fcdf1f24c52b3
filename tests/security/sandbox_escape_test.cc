// Attacks on the jail's walls: filesystem escape, network egress,
// information leaks and forbidden syscalls. Each asserts the contained
// outcome, then ExpectContained (a sibling session answers, nothing of the
// attacker survives).

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tests/security/sandbox_attack_base.h"

namespace assistd::testing {

SandboxHarness* SandboxAttackTest::harness_ = nullptr;
std::shared_ptr<sandbox::Session>* SandboxAttackTest::sibling_ = nullptr;

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadHostFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class EscapeTest : public SandboxAttackTest {
 protected:
  static void SetUpTestSuite() {
    setenv("ASSISTD_TEST_SECRET_CANARY", "canary-4f2a", 1);
    StartPool();
  }
};

// --- filesystem escape -----------------------------------------------------

TEST_F(EscapeTest, HostShadowFileIsNotVisible) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "open('/etc/shadow').read()");
  EXPECT_THAT(r.error(), StartsWith("FileNotFoundError"));
  ExpectContained(s);
}

TEST_F(EscapeTest, RootHoldsOnlyTheMinimalTree) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "sorted(os.listdir('/')) if (os := __import__('os')) else 0");
  EXPECT_EQ(r.result(),
            "['bin', 'dev', 'etc', 'lib', 'lib32', 'lib64', 'mnt', 'proc', 'sbin', 'tmp', "
            "'usr', 'var']");
  Recorded etc = Run(s.get(), "len(os.listdir('/etc')) < 20");
  EXPECT_EQ(etc.result(), "True");
  ExpectContained(s);
}

TEST_F(EscapeTest, ServiceStateDirIsNotVisible) {
  auto s = Attacker();
  Recorded r = Run(s.get(), absl::StrCat("import os\nos.path.exists('", harness_->dir().path(),
                                         "')"));
  EXPECT_EQ(r.result(), "False");
  ExpectContained(s);
}

TEST_F(EscapeTest, UsrIsReadOnly) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "open('/usr/lib/python3/dist-packages/evil.py', 'w')");
  EXPECT_THAT(r.error(), StartsWith("OSError: [Errno 30] Read-only file system"));
  ExpectContained(s);
}

TEST_F(EscapeTest, EtcAndRootAreReadOnly) {
  auto s = Attacker();
  Recorded etc = Run(s.get(), "open('/etc/passwd', 'a')");
  EXPECT_THAT(etc.error(), ::testing::AnyOf(HasSubstr("Read-only file system"),
                                            HasSubstr("Permission denied")));
  Recorded flags = Run(s.get(), "import os\n[bool(os.statvfs(p).f_flag & os.ST_RDONLY) "
                                "for p in ('/', '/etc', '/usr', '/dev')]");
  EXPECT_EQ(flags.result(), "[True, True, True, True]");
  Recorded root = Run(s.get(), "import os\nos.mkdir('/evil')");
  EXPECT_THAT(root.error(), HasSubstr("Read-only file system"));
  ExpectContained(s);
}

TEST_F(EscapeTest, TmpIsNoexec) {
  auto s = Attacker();
  Recorded r = Run(s.get(),
                   "import os, shutil, subprocess\nshutil.copy('/usr/bin/true', '/tmp/t')\n"
                   "os.chmod('/tmp/t', 0o755)\nsubprocess.run(['/tmp/t'])");
  EXPECT_THAT(r.error(), StartsWith("PermissionError"));
  ExpectContained(s);
}

TEST_F(EscapeTest, MntDataIsNoexec) {
  auto s = Attacker();
  Recorded r = Run(s.get(),
                   "import os, shutil, subprocess\nshutil.copy('/usr/bin/true', '/mnt/data/t')\n"
                   "os.chmod('/mnt/data/t', 0o755)\nsubprocess.run(['/mnt/data/t'])");
  EXPECT_THAT(r.error(), StartsWith("PermissionError"));
  ExpectContained(s);
}

TEST_F(EscapeTest, AnotherSessionsFilesAreNotReachable) {
  auto victim = Attacker();
  Run(victim.get(), "open('/mnt/data/secret.txt', 'w').write('victim-secret')");
  auto s = Attacker();
  Recorded r = Run(s.get(),
                   "import os\nfound = []\n"
                   "for d, _, fs in os.walk('/', onerror=lambda e: None):\n"
                   "    found += [f for f in fs if f == 'secret.txt']\nfound");
  EXPECT_EQ(r.result(), "[]");
  ExpectContained(s);
  ExpectContained(victim);
}

TEST_F(EscapeTest, ProcRootOfPid1IsTheJail) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import os\n(os.path.exists('/proc/1/root/etc/shadow'), "
                            "sorted(os.listdir('/proc/1/root')) == sorted(os.listdir('/')))");
  EXPECT_EQ(r.result(), "(False, True)");
  ExpectContained(s);
}

TEST_F(EscapeTest, DeviceNodesCannotBeCreated) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import os, stat\nos.mknod('/tmp/sda', stat.S_IFBLK | 0o600, "
                            "os.makedev(8, 0))");
  EXPECT_THAT(r.error(), StartsWith("PermissionError"));
  ExpectContained(s);
}

TEST_F(EscapeTest, RunsUnprivilegedWithoutCapabilities) {
  auto s = Attacker();
  Recorded r = Run(s.get(),
                   "import os\nst = dict(l.split(':\\t') for l in "
                   "open('/proc/self/status').read().splitlines() if ':\\t' in l)\n"
                   "(os.getuid(), os.getgid(), st['CapEff'], st['CapBnd'], st['NoNewPrivs'], "
                   "st['Seccomp'])");
  EXPECT_EQ(r.result(), "(1000, 1000, '0000000000000000', '0000000000000000', '1', '2')");
  ExpectContained(s);
}

TEST_F(EscapeTest, SetuidBinariesGrantNothing) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import subprocess\nsubprocess.run(['/usr/bin/id', '-u'], "
                            "capture_output=True, text=True).stdout.strip()");
  EXPECT_EQ(r.result(), "'1000'");
  ExpectContained(s);
}

// --- network egress ----------------------------------------------------------

TEST_F(EscapeTest, TcpToTheInternetFails) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)");
  EXPECT_THAT(r.error(), StartsWith("PermissionError"));
  ExpectContained(s);
}

TEST_F(EscapeTest, CloudMetadataEndpointIsUnreachable) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import urllib.request\n"
                            "urllib.request.urlopen('http://169.254.169.254/', timeout=2)");
  EXPECT_FALSE(r.errors.empty());
  EXPECT_THAT(r.error(), Not(HasSubstr("HTTP")));
  ExpectContained(s);
}

TEST_F(EscapeTest, UdpAndRawSocketsAreRefused) {
  auto s = Attacker();
  Recorded udp = Run(s.get(), "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM)");
  EXPECT_THAT(udp.error(), StartsWith("PermissionError"));
  Recorded v6 = Run(s.get(), "import socket\nsocket.socket(socket.AF_INET6, socket.SOCK_STREAM)");
  EXPECT_THAT(v6.error(), StartsWith("PermissionError"));
  ExpectContained(s);
}

TEST_F(EscapeTest, NetlinkIsRefused) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import socket\nsocket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)");
  EXPECT_THAT(r.error(), StartsWith("PermissionError"));
  ExpectContained(s);
}

TEST_F(EscapeTest, OnlyLoopbackExistsAndUnixSocketsStillWork) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import socket\na, b = socket.socketpair()\na.send(b'hi')\n"
                            "([l.split(':')[0].strip() for l in "
                            "open('/proc/net/dev').readlines()[2:]], b.recv(2))");
  EXPECT_EQ(r.result(), "(['lo'], b'hi')");
  ExpectContained(s);
}

TEST_F(EscapeTest, HostUnixSocketsAreNotReachable) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import os\n[p for p in ('/run', '/var/run', '/tmp/.X11-unix') "
                            "if os.path.exists(p)]");
  EXPECT_EQ(r.result(), "[]");
  ExpectContained(s);
}

// --- information leaks -------------------------------------------------------

TEST_F(EscapeTest, EnvironmentIsTheAllowlist) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import os\nsorted(os.environ)");
  EXPECT_EQ(r.result(),
            "['HOME', 'LANG', 'LC_ALL', 'MKL_NUM_THREADS', 'MPLBACKEND', 'MPLCONFIGDIR', "
            "'NUMEXPR_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', "
            "'PATH', 'PYTHONDONTWRITEBYTECODE', 'PYTHONIOENCODING', 'TMPDIR']");
  ExpectContained(s);
}

TEST_F(EscapeTest, ProcEnvironHoldsNoServiceSecrets) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import os\nb''.join(open(f'/proc/{p}/environ', 'rb').read() "
                            "for p in os.listdir('/proc') if p.isdigit())");
  EXPECT_THAT(r.result(), Not(HasSubstr("canary")));
  EXPECT_THAT(r.result(), Not(HasSubstr("ASSISTD")));
  ExpectContained(s);
}

TEST_F(EscapeTest, NoHostProcessIsVisible) {
  auto s = Attacker();
  Recorded r = Run(s.get(), absl::StrCat("import os\n(os.getpid(), os.getppid(), "
                                         "os.path.exists('/proc/", getpid(), "'))"));
  EXPECT_EQ(r.result(), "(1, 0, False)");
  ExpectContained(s);
}

TEST_F(EscapeTest, NoInheritedDescriptors) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import os\nsorted(int(f) for f in os.listdir('/proc/self/fd'))[:4]");
  EXPECT_EQ(r.result(), "[0, 1, 2, 3]");
  Recorded n = Run(s.get(), "import os\nlen(os.listdir('/proc/self/fd'))");
  EXPECT_EQ(n.result(), "5");  // 0-3 and the listing's own descriptor
  ExpectContained(s);
}

TEST_F(EscapeTest, NoSysAndAPrivateHostname) {
  auto s = Attacker();
  Recorded r = Run(s.get(), "import os, socket\n(os.path.exists('/sys'), socket.gethostname())");
  EXPECT_EQ(r.result(), "(False, 'sandbox')");
  ExpectContained(s);
}

// --- forbidden syscalls --------------------------------------------------------

struct Syscall {
  const char* name;
  const char* code;  // Python expression returning (ret, errno)
};

class ForbiddenSyscallTest : public EscapeTest,
                             public ::testing::WithParamInterface<Syscall> {};

TEST_P(ForbiddenSyscallTest, IsRefused) {
  auto s = Attacker();
  Recorded r = Run(s.get(), absl::StrCat(
      "import ctypes, errno\nlibc = ctypes.CDLL(None, use_errno=True)\n"
      "ret = ", GetParam().code, "\n(ret, errno.errorcode.get(ctypes.get_errno()))"));
  EXPECT_THAT(r.result(), HasSubstr("(-1, 'EPERM')")) << r.error();
  ExpectContained(s);
}

INSTANTIATE_TEST_SUITE_P(
    Sandbox, ForbiddenSyscallTest,
    ::testing::Values(
        Syscall{"unshare_user", "libc.unshare(0x10000000)"},
        Syscall{"unshare_net", "libc.unshare(0x40000000)"},
        Syscall{"clone_newns", "libc.syscall(56, 0x00020000 | 17, 0, 0, 0, 0)"},
        Syscall{"setns", "libc.setns(0, 0)"},
        Syscall{"mount", "libc.mount(b'none', b'/tmp', b'tmpfs', 0, None)"},
        Syscall{"fsopen", "libc.syscall(430, b'tmpfs', 0)"},
        Syscall{"pivot_root", "libc.syscall(155, b'/tmp', b'/tmp')"},
        Syscall{"ptrace", "libc.ptrace(0, 0, 0, 0)"},
        Syscall{"bpf", "libc.syscall(321, 0, 0, 0)"},
        Syscall{"perf_event_open", "libc.syscall(298, 0, 0, -1, -1, 0)"},
        Syscall{"userfaultfd", "libc.syscall(323, 0)"},
        Syscall{"keyctl", "libc.syscall(250, 0, 0, 0, 0, 0)"},
        Syscall{"io_uring_setup", "libc.syscall(425, 1, 0)"},
        Syscall{"init_module", "libc.syscall(175, 0, 0, b'')"},
        Syscall{"kexec_load", "libc.syscall(246, 0, 0, 0, 0)"},
        Syscall{"open_by_handle_at", "libc.syscall(304, 0, 0, 0)"}),
    [](const ::testing::TestParamInfo<Syscall>& info) { return std::string(info.param.name); });

TEST_F(EscapeTest, ForeignAbiSyscallsKillTheSessionOnly) {
  auto s = Attacker();
  Run(s.get(), "keep = 1");
  // x32 getpid: the filter's architecture check kills the process.
  Recorded r = Run(s.get(), "import ctypes\nctypes.CDLL(None).syscall(0x40000000 | 39)");
  EXPECT_TRUE(r.report.session_restarted);
  EXPECT_EQ(Run(s.get(), "'keep' in globals()").result(), "False");
  ExpectContained(s);
}

TEST_F(EscapeTest, HostFilesAreUnchangedAfterTheSuite) {
  const std::string passwd = ReadHostFile("/etc/passwd");
  auto s = Attacker();
  Run(s.get(), "open('/etc/passwd', 'w')");
  EXPECT_EQ(ReadHostFile("/etc/passwd"), passwd);
  ExpectContained(s);
}

}  // namespace
}  // namespace assistd::testing
