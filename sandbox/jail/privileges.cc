#include "sandbox/jail/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace assistd::sandbox {
namespace {

absl::Status Fail(const char* step) {
  return absl::InternalError(absl::StrCat(step, ": ", std::strerror(errno)));
}

int LastCapability() {
  for (int cap = 63; cap >= 0; --cap) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0) return cap;
  }
  return CAP_LAST_CAP;
}

}  // namespace

absl::Status DropPrivileges(uid_t uid, gid_t gid) {
  const int last = LastCapability();
  for (int cap = 0; cap <= last; ++cap) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      return Fail("PR_CAPBSET_DROP");
    }
  }
  // In a user namespace with setgroups=deny this fails with EPERM; the
  // zygote already has no supplementary groups then.
  if (setgroups(0, nullptr) != 0 && errno != EPERM) return Fail("setgroups");
  if (setresgid(gid, gid, gid) != 0) return Fail("setresgid");
  if (setresuid(uid, uid, uid) != 0) return Fail("setresuid");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return Fail("PR_CAP_AMBIENT_CLEAR_ALL");
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &header, data) != 0) return Fail("capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Fail("PR_SET_NO_NEW_PRIVS");
  return absl::OkStatus();
}

}  // namespace assistd::sandbox
