#ifndef ASSISTD_SANDBOX_SESSION_FILES_H_
#define ASSISTD_SANDBOX_SESSION_FILES_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace assistd::sandbox {

// Checks a path relative to /mnt/data: not empty, not absolute, UTF-8, no NUL, no
// empty, "." or ".." component, each component at most 255 bytes, at most
// 16 components and 4096 bytes in all. InvalidArgument naming `field`.
absl::Status ValidateSessionPath(absl::string_view path, absl::string_view field);

// A regular file in a session's disk.
struct SessionFileInfo {
  std::string path;         // relative, '/'-separated
  int64_t bytes = 0;
  std::string sha256;       // lowercase hex
  int64_t modified_at = 0;  // unix seconds
};

// An open file: the descriptor was checked after opening (fstat), so what
// is read is what was checked.
class OpenSessionFile {
 public:
  OpenSessionFile(int fd, SessionFileInfo info) : fd_(fd), info_(std::move(info)) {}
  ~OpenSessionFile();
  OpenSessionFile(const OpenSessionFile&) = delete;
  OpenSessionFile& operator=(const OpenSessionFile&) = delete;
  // Reads up to `max` bytes at the current offset; empty at EOF.
  absl::StatusOr<std::string> Read(size_t max);
  const SessionFileInfo& info() const { return info_; }

 private:
  const int fd_;
  const SessionFileInfo info_;
};

// The service's view of one session's /mnt/data, which the session's code
// controls and may booby-trap. Every path is resolved beneath the disk's
// directory descriptor with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV) and O_NOFOLLOW, so symlinks
// anywhere in the path, "..", and other mounts are refused, and every file
// is checked with fstat on the opened descriptor (regular, one link).
// Thread-compatible; the caller freezes the session around reads when the
// code could be running.
class SessionDisk {
 public:
  // `dir` is the host directory (mount point) of the disk; `uid`/`gid` own
  // what the service writes there. Internal if it cannot be opened.
  static absl::StatusOr<std::unique_ptr<SessionDisk>> Open(const std::string& dir, uid_t uid,
                                                           gid_t gid);
  ~SessionDisk();
  SessionDisk(const SessionDisk&) = delete;
  SessionDisk& operator=(const SessionDisk&) = delete;

  // Opens a file for reading and hashes it (the hash is cached by inode,
  // size and mtime). NotFound; InvalidArgument naming `field` for a
  // symlink anywhere in the path, a hard link, or anything but a regular
  // file.
  absl::StatusOr<std::unique_ptr<OpenSessionFile>> OpenForRead(absl::string_view path,
                                                              absl::string_view field);
  absl::StatusOr<SessionFileInfo> Stat(absl::string_view path, absl::string_view field);

  // Writes a file atomically (a temporary file renamed over the target),
  // creating parent directories; never follows a symlink, and replaces a
  // symlink at the target instead of writing through it. InvalidArgument
  // naming `field` if a parent is a symlink or not a directory, or the
  // target is a directory; ResourceExhausted past `max_bytes` or when the
  // disk is full.
  class Writer {
   public:
    virtual ~Writer() = default;
    virtual absl::Status Append(absl::string_view data) = 0;
    virtual absl::StatusOr<SessionFileInfo> Commit() = 0;
  };
  absl::StatusOr<std::unique_ptr<Writer>> BeginWrite(absl::string_view path,
                                                     absl::string_view field, int64_t max_bytes);

  // Regular files, recursively, sorted by path; at most `max_entries`
  // directory entries are looked at and `max_depth` levels descended.
  // Symlinks, hard links and special files are left out.
  absl::StatusOr<std::vector<SessionFileInfo>> List(int max_entries = 10000, int max_depth = 16);

 private:
  SessionDisk(int dir_fd, uid_t uid, gid_t gid) : dir_fd_(dir_fd), uid_(uid), gid_(gid) {}
  absl::StatusOr<SessionFileInfo> Hash(int fd, absl::string_view path);

  const int dir_fd_;
  const uid_t uid_;
  const gid_t gid_;
  struct CachedHash {
    ino_t ino;
    int64_t size;
    int64_t mtime_ns;
    std::string sha256;
  };
  std::map<std::string, CachedHash> hashes_;
};

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_SESSION_FILES_H_
