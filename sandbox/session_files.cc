#include "sandbox/session_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ids.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "common/utf8.h"

namespace assistd::sandbox {
namespace {

constexpr size_t kMaxComponent = 255;
constexpr size_t kMaxPath = 4096;
constexpr int kMaxComponents = 16;
// Uploads in progress; not listed.
constexpr char kUploadPrefix[] = ".assistd-upload-";

int OpenBeneath(int dir_fd, const std::string& path, int flags, mode_t mode = 0) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | O_NOFOLLOW);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  long fd;
  do {
    fd = syscall(SYS_openat2, dir_fd, path.c_str(), &how, sizeof(how));
  } while (fd < 0 && errno == EINTR);
  return static_cast<int>(fd);
}

// The error for a failed open of `path`, by errno.
absl::Status OpenError(absl::string_view field, absl::string_view path) {
  switch (errno) {
    case ENOENT:
      return absl::NotFoundError(absl::StrCat("no file '", path, "' in the session"));
    case ELOOP:
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid '", field, "': '", path, "' is or passes through a symlink."));
    case ENOTDIR:
    case EISDIR:
    case EXDEV:
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid '", field, "': '", path, "' is not a regular file path."));
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError("the session's disk is full");
    default:
      return absl::InternalError(absl::StrCat("open ", path, ": ", std::strerror(errno)));
  }
}

bool IsValidUtf8(absl::string_view s) {
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Char c = DecodeUtf8At(s, pos);
    if (!c.valid) return false;
    pos += c.length;
  }
  return true;
}

absl::Status CheckRegular(const struct stat& st, absl::string_view field, absl::string_view path) {
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid '", field, "': '", path, "' is not a regular file."));
  }
  if (st.st_nlink != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid '", field, "': '", path, "' is a hard link."));
  }
  return absl::OkStatus();
}

SessionFileInfo InfoOf(absl::string_view path, const struct stat& st) {
  SessionFileInfo info;
  info.path = std::string(path);
  info.bytes = st.st_size;
  info.modified_at = st.st_mtim.tv_sec;
  return info;
}

int64_t MtimeNs(const struct stat& st) {
  return int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
}

// Creates (mkdirat) and opens each directory of `dirs` beneath `root_fd`.
absl::StatusOr<int> OpenParents(int root_fd, const std::vector<std::string>& dirs, uid_t uid,
                                gid_t gid, absl::string_view field, absl::string_view path) {
  int fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
  for (const std::string& dir : dirs) {
    if (mkdirat(fd, dir.c_str(), 0755) == 0) (void)fchownat(fd, dir.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    const int next = OpenBeneath(fd, dir, O_PATH | O_DIRECTORY);
    const int saved = errno;
    close(fd);
    if (next < 0) {
      errno = saved;
      return OpenError(field, path);
    }
    fd = next;
  }
  return fd;
}

class WriterImpl final : public SessionDisk::Writer {
 public:
  WriterImpl(int parent_fd, int fd, std::string tmp, std::string name, std::string path,
             int64_t max_bytes)
      : parent_fd_(parent_fd), fd_(fd), tmp_(std::move(tmp)), name_(std::move(name)),
        path_(std::move(path)), max_bytes_(max_bytes) {}
  ~WriterImpl() override {
    if (fd_ >= 0) {
      close(fd_);
      unlinkat(parent_fd_, tmp_.c_str(), 0);
    }
    close(parent_fd_);
  }

  absl::Status Append(absl::string_view data) override {
    written_ += static_cast<int64_t>(data.size());
    if (written_ > max_bytes_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("'", path_, "' is larger than the limit of ", max_bytes_, " bytes"));
    }
    sha_.Update(data);
    while (!data.empty()) {
      const ssize_t n = write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return OpenError("chunk", path_);
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<SessionFileInfo> Commit() override {
    struct stat st;
    if (fstat(fd_, &st) != 0) return absl::InternalError("fstat upload");
    if (renameat(parent_fd_, tmp_.c_str(), parent_fd_, name_.c_str()) != 0) {
      return OpenError("header.path", path_);
    }
    close(fd_);
    fd_ = -1;
    SessionFileInfo info = InfoOf(path_, st);
    info.sha256 = sha_.HexDigest();
    return info;
  }

 private:
  const int parent_fd_;
  int fd_;
  const std::string tmp_, name_, path_;
  const int64_t max_bytes_;
  int64_t written_ = 0;
  Sha256 sha_;
};

}  // namespace

absl::Status ValidateSessionPath(absl::string_view path, absl::string_view field) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid '", field, "': ", why));
  };
  if (path.empty()) return bad("must not be empty.");
  if (path.size() > kMaxPath) return bad("longer than 4096 bytes.");
  if (path.find('\0') != absl::string_view::npos) return bad("contains a NUL byte.");
  if (path.front() == '/') return bad("must be relative to /mnt/data.");
  if (!IsValidUtf8(path)) return bad("not valid UTF-8.");
  int components = 0;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == "." || part == "..") {
      return bad("empty, '.' and '..' components are not allowed.");
    }
    if (part.size() > kMaxComponent) return bad("a component is longer than 255 bytes.");
    if (++components > kMaxComponents) return bad("more than 16 components.");
  }
  return absl::OkStatus();
}

OpenSessionFile::~OpenSessionFile() { close(fd_); }

absl::StatusOr<std::string> OpenSessionFile::Read(size_t max) {
  std::string out(max, '\0');
  ssize_t n;
  do {
    n = read(fd_, out.data(), max);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return absl::InternalError(absl::StrCat("read: ", std::strerror(errno)));
  out.resize(static_cast<size_t>(n));
  return out;
}

absl::StatusOr<std::unique_ptr<SessionDisk>> SessionDisk::Open(const std::string& dir, uid_t uid,
                                                               gid_t gid) {
  const int fd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("open ", dir, ": ", std::strerror(errno)));
  return std::unique_ptr<SessionDisk>(new SessionDisk(fd, uid, gid));
}

SessionDisk::~SessionDisk() { close(dir_fd_); }

absl::StatusOr<SessionFileInfo> SessionDisk::Hash(int fd, absl::string_view path) {
  struct stat st;
  if (fstat(fd, &st) != 0) return absl::InternalError("fstat");
  SessionFileInfo info = InfoOf(path, st);
  auto it = hashes_.find(info.path);
  if (it != hashes_.end() && it->second.ino == st.st_ino && it->second.size == st.st_size &&
      it->second.mtime_ns == MtimeNs(st)) {
    info.sha256 = it->second.sha256;
    return info;
  }
  Sha256 sha;
  std::string buf(1 << 20, '\0');
  for (off_t off = 0;;) {
    const ssize_t n = pread(fd, buf.data(), buf.size(), off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::InternalError(absl::StrCat("read ", path, ": ", std::strerror(errno)));
    if (n == 0) break;
    sha.Update(absl::string_view(buf.data(), static_cast<size_t>(n)));
    off += n;
  }
  info.sha256 = sha.HexDigest();
  hashes_[info.path] = {st.st_ino, st.st_size, MtimeNs(st), info.sha256};
  return info;
}

absl::StatusOr<std::unique_ptr<OpenSessionFile>> SessionDisk::OpenForRead(
    absl::string_view path, absl::string_view field) {
  RETURN_IF_ERROR(ValidateSessionPath(path, field));
  // O_NONBLOCK: a FIFO planted by the code must not block the open.
  const int fd = OpenBeneath(dir_fd_, std::string(path), O_RDONLY | O_NONBLOCK);
  if (fd < 0) return OpenError(field, path);
  struct stat st;
  absl::Status ok = fstat(fd, &st) == 0 ? CheckRegular(st, field, path)
                                        : absl::InternalError("fstat");
  absl::StatusOr<SessionFileInfo> info = ok.ok() ? Hash(fd, path) : ok;
  if (!info.ok()) {
    close(fd);
    return info.status();
  }
  return std::make_unique<OpenSessionFile>(fd, *std::move(info));
}

absl::StatusOr<SessionFileInfo> SessionDisk::Stat(absl::string_view path,
                                                  absl::string_view field) {
  ASSIGN_OR_RETURN(std::unique_ptr<OpenSessionFile> file, OpenForRead(path, field));
  return file->info();
}

absl::StatusOr<std::unique_ptr<SessionDisk::Writer>> SessionDisk::BeginWrite(
    absl::string_view path, absl::string_view field, int64_t max_bytes) {
  RETURN_IF_ERROR(ValidateSessionPath(path, field));
  std::vector<std::string> parts = absl::StrSplit(path, '/');
  const std::string name = parts.back();
  parts.pop_back();
  ASSIGN_OR_RETURN(int parent, OpenParents(dir_fd_, parts, uid_, gid_, field, path));
  const std::string tmp = absl::StrCat(kUploadPrefix, NewId(IdKind::kFile).substr(5, 12));
  const int fd = openat(parent, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0644);
  if (fd < 0) {
    absl::Status s = OpenError(field, path);
    close(parent);
    return s;
  }
  (void)fchown(fd, uid_, gid_);
  return std::unique_ptr<Writer>(
      new WriterImpl(parent, fd, tmp, name, std::string(path), max_bytes));
}

absl::StatusOr<std::vector<SessionFileInfo>> SessionDisk::List(int max_entries, int max_depth) {
  std::vector<SessionFileInfo> files;
  struct Dir {
    std::string prefix;
    int depth;
  };
  std::vector<Dir> stack = {{"", 0}};
  int entries = 0;
  while (!stack.empty() && entries < max_entries) {
    const Dir dir = stack.back();
    stack.pop_back();
    const int fd = dir.prefix.empty()
                       ? openat(dir_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                       : OpenBeneath(dir_fd_, dir.prefix, O_RDONLY | O_DIRECTORY);
    DIR* d = fd >= 0 ? fdopendir(fd) : nullptr;
    if (d == nullptr) {
      if (fd >= 0) close(fd);
      continue;
    }
    while (dirent* e = readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      if (std::strncmp(e->d_name, kUploadPrefix, sizeof(kUploadPrefix) - 1) == 0) continue;
      if (++entries > max_entries) break;
      const std::string rel = dir.prefix.empty() ? e->d_name : dir.prefix + "/" + e->d_name;
      struct stat st;
      if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        if (dir.depth + 1 < max_depth) stack.push_back({rel, dir.depth + 1});
        continue;
      }
      // Names that are not UTF-8 cannot be named in the API: left out.
      if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || !ValidateSessionPath(rel, "path").ok() ||
          !IsValidUtf8(rel)) {
        continue;
      }
      absl::StatusOr<SessionFileInfo> info = Stat(rel, "path");
      if (info.ok()) files.push_back(*std::move(info));
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end(),
            [](const SessionFileInfo& a, const SessionFileInfo& b) { return a.path < b.path; });
  return files;
}

}  // namespace assistd::sandbox
