#ifndef ASSISTD_SANDBOX_JAIL_MOUNTS_H_
#define ASSISTD_SANDBOX_JAIL_MOUNTS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace assistd::sandbox {

// What a session's root is built from.
struct RootSpec {
  // The session's disk on the host; bound at /mnt/data (noexec, nosuid,
  // nodev). Resolved inside the new mount namespace (a descriptor from the
  // host's namespace cannot be bound there), so every directory above it
  // must be searchable by others (o+x).
  std::string data_dir;
  // An empty host directory where the new root is assembled (a tmpfs is
  // mounted on it inside the private mount namespace, then pivoted into).
  std::string new_root_dir;
  // The prebuilt matplotlib config dir; bound read-only at
  // /var/cache/mplconfig. Empty: none.
  std::string mplconfig_dir;
  // Size of the private tmpfs /tmp (noexec) and /dev/shm.
  int64_t tmp_bytes = int64_t{64} << 20;
};

// Replaces the calling process's view of the filesystem with a minimal,
// read-only root, in the private mount namespace it has just entered (call
// as root of a new user + mount namespace, before dropping privileges):
//   /usr (and the /bin, /lib, /lib64, /sbin links) read-only, nosuid;
//   /etc: only ld.so.cache, localtime, fonts, alternatives, matplotlibrc,
//     mime.types and python3*, plus a generated passwd/group/hosts;
//   /dev: null, zero, full, random, urandom, fd links, a tmpfs /dev/shm;
//   /tmp: tmpfs, noexec; /mnt/data: the session's disk; /proc: a fresh
//   procfs of the session's PID namespace; no /sys, no /home, no /root,
//   nothing else of the host (there is never a bind of /).
// Ends with pivot_root and a detach of the old root, so nothing outside
// stays reachable. Internal naming the mount that failed.
absl::Status BuildSessionRoot(const RootSpec& spec);

// Host side, as root in the host's mount namespace: mounts a tmpfs of
// `bytes` at the existing directory `dir`, owned by uid:gid with mode 0700
// (the session's /mnt/data with its size cap). Internal on failure.
absl::Status MountSessionDisk(const std::string& dir, int64_t bytes, uid_t uid, gid_t gid);

// Detaches whatever is mounted at `dir` (lazily, MNT_DETACH) and removes the
// directory. OK if there was nothing mounted. Internal on failure.
absl::Status UnmountSessionDisk(const std::string& dir);

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_JAIL_MOUNTS_H_
