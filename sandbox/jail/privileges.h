#ifndef ASSISTD_SANDBOX_JAIL_PRIVILEGES_H_
#define ASSISTD_SANDBOX_JAIL_PRIVILEGES_H_

#include <sys/types.h>

#include "absl/status/status.h"

namespace assistd::sandbox {

// Becomes `uid`/`gid` for good and gives up every privilege: empties the
// capability bounding set (needs CAP_SETPCAP, so call while still
// privileged), drops supplementary groups where allowed, sets real,
// effective and saved ids, clears the ambient, permitted and effective
// capability sets and sets no_new_privs (so setuid binaries and file
// capabilities grant nothing). Internal naming the step that failed.
absl::Status DropPrivileges(uid_t uid, gid_t gid);

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_JAIL_PRIVILEGES_H_
