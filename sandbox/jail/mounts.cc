#include "sandbox/jail/mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace assistd::sandbox {
namespace {

// Where the new root is assembled (RootSpec::new_root_dir). Set once per
// process, in the single-threaded session child, before anything reads it.
std::string* new_root = nullptr;

absl::Status Errno(absl::string_view what, absl::string_view path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

std::string InRoot(absl::string_view path) { return absl::StrCat(*new_root, path); }

absl::Status Mount(const char* source, const std::string& target, const char* type,
                   unsigned long flags, const std::string& data = "") {
  if (mount(source, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) != 0) {
    return Errno("mount", target);
  }
  return absl::OkStatus();
}

// Flags a user namespace may not clear on a bind of a host mount (the
// kernel "locks" them), read back so a remount keeps them.
unsigned long LockedFlags(const std::string& path) {
  struct statvfs st;
  if (statvfs(path.c_str(), &st) != 0) return 0;
  unsigned long flags = 0;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

// Binds `source` at `target` (which must exist), then remounts the bind
// with `flags` added to the ones it must keep.
absl::Status Bind(const std::string& source, const std::string& target, unsigned long flags) {
  RETURN_IF_ERROR(Mount(source.c_str(), target, nullptr, MS_BIND | MS_REC));
  return Mount(nullptr, target, nullptr,
               MS_REMOUNT | MS_BIND | flags | LockedFlags(target));
}

absl::Status MakeFile(const std::string& path, absl::string_view content) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", path);
  const ssize_t n = write(fd, content.data(), content.size());
  close(fd);
  if (n != static_cast<ssize_t>(content.size())) return Errno("write", path);
  return absl::OkStatus();
}

absl::Status MakeDirs(std::initializer_list<const char*> dirs) {
  for (const char* dir : dirs) {
    if (mkdir(InRoot(dir).c_str(), 0755) != 0 && errno != EEXIST) return Errno("mkdir", dir);
  }
  return absl::OkStatus();
}

// /bin, /lib, ... are links into /usr on a merged-/usr host, directories
// otherwise.
absl::Status MirrorTopLevel(const char* name) {
  const std::string host = absl::StrCat("/", name);
  struct stat st;
  if (lstat(host.c_str(), &st) != 0) return absl::OkStatus();
  if (S_ISLNK(st.st_mode)) {
    char target[256];
    const ssize_t n = readlink(host.c_str(), target, sizeof(target) - 1);
    if (n <= 0) return Errno("readlink", host);
    target[n] = '\0';
    if (symlink(target, InRoot(host).c_str()) != 0) return Errno("symlink", host);
    return absl::OkStatus();
  }
  if (!S_ISDIR(st.st_mode)) return absl::OkStatus();
  if (mkdir(InRoot(host).c_str(), 0755) != 0) return Errno("mkdir", host);
  return Bind(host, InRoot(host), MS_RDONLY | MS_NOSUID | MS_NODEV);
}

absl::Status BuildEtc() {
  for (const char* file : {"ld.so.cache", "matplotlibrc", "mime.types", "localtime"}) {
    const std::string host = absl::StrCat("/etc/", file);
    struct stat st;
    if (stat(host.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    RETURN_IF_ERROR(MakeFile(InRoot(host), ""));
    RETURN_IF_ERROR(Bind(host, InRoot(host), MS_RDONLY | MS_NOSUID | MS_NODEV));
  }
  for (const char* dir : {"alternatives", "fonts", "python3", "python3.11"}) {
    const std::string host = absl::StrCat("/etc/", dir);
    struct stat st;
    if (stat(host.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    RETURN_IF_ERROR(MakeDirs({host.c_str()}));
    RETURN_IF_ERROR(Bind(host, InRoot(host), MS_RDONLY | MS_NOSUID | MS_NODEV));
  }
  RETURN_IF_ERROR(MakeFile(InRoot("/etc/passwd"),
                           "root:x:0:0:root:/tmp:/bin/sh\n"
                           "sandbox:x:1000:1000:sandbox:/tmp:/bin/sh\n"
                           "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"));
  RETURN_IF_ERROR(MakeFile(InRoot("/etc/group"),
                           "root:x:0:\nsandbox:x:1000:\nnogroup:x:65534:\n"));
  RETURN_IF_ERROR(MakeFile(InRoot("/etc/hostname"), "sandbox\n"));
  return MakeFile(InRoot("/etc/hosts"), "127.0.0.1 localhost sandbox\n::1 localhost\n");
}

absl::Status BuildDev(int64_t shm_bytes) {
  for (const char* dev : {"null", "zero", "full", "random", "urandom"}) {
    const std::string host = absl::StrCat("/dev/", dev);
    RETURN_IF_ERROR(MakeFile(InRoot(host), ""));
    RETURN_IF_ERROR(Bind(host, InRoot(host), MS_NOSUID | MS_NOEXEC));
  }
  const char* links[][2] = {{"/proc/self/fd", "/dev/fd"},
                            {"/proc/self/fd/0", "/dev/stdin"},
                            {"/proc/self/fd/1", "/dev/stdout"},
                            {"/proc/self/fd/2", "/dev/stderr"}};
  for (const auto& link : links) {
    if (symlink(link[0], InRoot(link[1]).c_str()) != 0) return Errno("symlink", link[1]);
  }
  RETURN_IF_ERROR(MakeDirs({"/dev/shm"}));
  return Mount("tmpfs", InRoot("/dev/shm"), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
               absl::StrCat("mode=1777,size=", shm_bytes));
}

absl::Status PivotIntoNewRoot() {
  if (chdir(new_root->c_str()) != 0) return Errno("chdir", *new_root);
  // pivot_root(".", ".") stacks the old root on top of the new one; the
  // detach below then removes it, and with it every host mount.
  if (syscall(SYS_pivot_root, ".", ".") != 0) return Errno("pivot_root", *new_root);
  if (umount2(".", MNT_DETACH) != 0) return Errno("umount", "old root");
  if (chdir("/") != 0) return Errno("chdir", "/");
  return Mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV);
}

}  // namespace

absl::Status BuildSessionRoot(const RootSpec& spec) {
  // Nothing mounted from here on may propagate back to the host.
  RETURN_IF_ERROR(Mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE));
  static std::string root_dir;
  root_dir = spec.new_root_dir;
  new_root = &root_dir;
  RETURN_IF_ERROR(Mount("tmpfs", root_dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m"));
  RETURN_IF_ERROR(MakeDirs({"/usr", "/etc", "/dev", "/proc", "/tmp", "/mnt", "/mnt/data",
                            "/var", "/var/cache", "/var/cache/mplconfig"}));
  RETURN_IF_ERROR(Bind("/usr", InRoot("/usr"), MS_RDONLY | MS_NOSUID | MS_NODEV));
  for (const char* top : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    RETURN_IF_ERROR(MirrorTopLevel(top));
  }
  RETURN_IF_ERROR(BuildEtc());
  RETURN_IF_ERROR(BuildDev(spec.tmp_bytes));
  RETURN_IF_ERROR(Mount("tmpfs", InRoot("/tmp"), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        absl::StrCat("mode=1777,size=", spec.tmp_bytes)));
  RETURN_IF_ERROR(Bind(spec.data_dir, InRoot("/mnt/data"), MS_NOSUID | MS_NODEV | MS_NOEXEC));
  if (!spec.mplconfig_dir.empty()) {
    RETURN_IF_ERROR(Bind(spec.mplconfig_dir,
                         InRoot("/var/cache/mplconfig"),
                         MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
  }
  RETURN_IF_ERROR(Mount("proc", InRoot("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC));
  return PivotIntoNewRoot();
}

absl::Status MountSessionDisk(const std::string& dir, int64_t bytes, uid_t uid, gid_t gid) {
  const std::string options =
      absl::StrCat("mode=0700,size=", bytes, ",uid=", uid, ",gid=", gid, ",nr_inodes=65536");
  return Mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options);
}

absl::Status UnmountSessionDisk(const std::string& dir) {
  if (umount2(dir.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL &&
      errno != ENOENT) {
    return Errno("umount", dir);
  }
  if (rmdir(dir.c_str()) != 0 && errno != ENOENT) return Errno("rmdir", dir);
  return absl::OkStatus();
}

}  // namespace assistd::sandbox
