#include "services/files/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"

namespace assistd::files {
namespace fs = std::filesystem;
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  const int e = errno;
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(e));
  if (e == ENOSPC || e == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::InternalError(msg);
}

absl::Status WriteFully(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("writing", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("opening", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? absl::OkStatus() : Errno("syncing", dir);
}

bool IsHexSha256(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string NewTempName() { return NewId(IdKind::kFile).substr(5); }

}  // namespace

absl::StatusOr<std::unique_ptr<BlobStore>> BlobStore::Open(std::string root) {
  std::error_code ec;
  fs::create_directories(root + "/sha256", ec);
  if (!ec) fs::create_directories(root + "/tmp", ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create blob store at ", root, ": ", ec.message()));
  }
  // Temp files are uploads that never committed; nothing refers to them.
  for (const auto& entry : fs::directory_iterator(root + "/tmp", ec)) {
    fs::remove(entry.path(), ec);
  }
  return std::unique_ptr<BlobStore>(new BlobStore(std::move(root)));
}

std::string BlobStore::PathOf(absl::string_view sha256) const {
  return absl::StrCat(root_, "/sha256/", sha256.substr(0, 2), "/", sha256);
}

bool BlobStore::Exists(absl::string_view sha256) const {
  struct stat st;
  return ::stat(PathOf(sha256).c_str(), &st) == 0;
}

absl::StatusOr<std::unique_ptr<BlobStore::Writer>> BlobStore::NewWriter() const {
  std::string path = absl::StrCat(root_, "/tmp/", NewTempName());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("creating", path);
  return std::unique_ptr<Writer>(new Writer(this, std::move(path), fd));
}

BlobStore::Writer::~Writer() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

absl::Status BlobStore::Writer::Append(absl::string_view data) {
  if (fd_ < 0) return absl::FailedPreconditionError("blob writer is closed");
  RETURN_IF_ERROR(WriteFully(fd_, data, temp_path_));
  hash_.Update(data);
  bytes_ += static_cast<int64_t>(data.size());
  return absl::OkStatus();
}

absl::StatusOr<std::string> BlobStore::Writer::Commit() {
  if (fd_ < 0) return absl::FailedPreconditionError("blob writer is closed");
  if (::fsync(fd_) != 0) return Errno("syncing", temp_path_);
  ::close(fd_);
  fd_ = -1;
  const std::string sha = hash_.HexDigest();
  const std::string final_path = store_->PathOf(sha);
  const std::string dir = final_path.substr(0, final_path.rfind('/'));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    ::unlink(temp_path_.c_str());
    return absl::InternalError(absl::StrCat("creating ", dir, ": ", ec.message()));
  }
  if (store_->Exists(sha)) {  // same content stored once
    ::unlink(temp_path_.c_str());
    return sha;
  }
  if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) {
    absl::Status s = Errno("renaming into", final_path);
    ::unlink(temp_path_.c_str());
    return s;
  }
  RETURN_IF_ERROR(FsyncDir(dir));
  return sha;
}

absl::StatusOr<std::unique_ptr<BlobStore::Reader>> BlobStore::OpenReader(
    absl::string_view sha256) const {
  if (!IsHexSha256(sha256)) return absl::InternalError("malformed blob hash");
  const std::string path = PathOf(sha256);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::DataLossError(absl::StrCat("blob ", sha256, " is missing"));
    return Errno("opening", path);
  }
  struct stat st;
  ::fstat(fd, &st);
  return std::unique_ptr<Reader>(new Reader(fd, st.st_size));
}

BlobStore::Reader::~Reader() { ::close(fd_); }

absl::StatusOr<bool> BlobStore::Reader::Read(size_t max, std::string* out) {
  const size_t old = out->size();
  out->resize(old + max);
  ssize_t n;
  do {
    n = ::read(fd_, out->data() + old, max);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    out->resize(old);
    return absl::InternalError(absl::StrCat("reading blob: ", std::strerror(errno)));
  }
  out->resize(old + static_cast<size_t>(n));
  return n > 0;
}

absl::Status BlobStore::Remove(absl::string_view sha256) const {
  if (!IsHexSha256(sha256)) return absl::InternalError("malformed blob hash");
  const std::string path = PathOf(sha256);
  const std::string dir = path.substr(0, path.rfind('/'));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    // The blob and every "<hash>.<ext>" derived from it.
    if (absl::StartsWith(entry.path().filename().string(), sha256)) {
      fs::remove(entry.path(), ec);
    }
  }
  return absl::OkStatus();
}

absl::Status BlobStore::WriteAtomically(const std::string& final_path,
                                        absl::string_view data) const {
  std::string temp = absl::StrCat(root_, "/tmp/", NewTempName());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("creating", temp);
  absl::Status s = WriteFully(fd, data, temp);
  if (s.ok() && ::fsync(fd) != 0) s = Errno("syncing", temp);
  ::close(fd);
  if (s.ok() && ::rename(temp.c_str(), final_path.c_str()) != 0) {
    s = Errno("renaming into", final_path);
  }
  if (!s.ok()) ::unlink(temp.c_str());
  return s;
}

absl::Status BlobStore::PutDerived(absl::string_view sha256, absl::string_view ext,
                                   absl::string_view data) const {
  if (!IsHexSha256(sha256)) return absl::InternalError("malformed blob hash");
  return WriteAtomically(absl::StrCat(PathOf(sha256), ".", ext), data);
}

absl::StatusOr<std::string> BlobStore::GetDerived(absl::string_view sha256,
                                                  absl::string_view ext) const {
  if (!IsHexSha256(sha256)) return absl::InternalError("malformed blob hash");
  const std::string path = absl::StrCat(PathOf(sha256), ".", ext);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(path);
    return Errno("opening", path);
  }
  Reader reader(fd, 0);
  std::string out;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Read(1 << 20, &out));
    if (!more) break;
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> BlobStore::ListBlobs() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(root_ + "/sha256", ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && IsHexSha256(name)) out.push_back(name);
  }
  if (ec) return absl::InternalError(absl::StrCat("listing blobs: ", ec.message()));
  return out;
}

}  // namespace assistd::files
