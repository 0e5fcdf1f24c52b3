#include "sandbox/kernel/zygote_protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sandbox/kernel/protocol.h"

namespace assistd::sandbox {
namespace {

constexpr size_t kMaxPacketBytes = 64 << 10;
constexpr size_t kMaxFds = 8;
constexpr size_t kFixedSpawnFields = 11;

template <typename T>
bool Parse(const std::string& s, T* out) {
  return absl::SimpleAtoi(s, out);
}

}  // namespace

absl::Status SendPacket(int socket, const std::vector<std::string>& fields,
                        const std::vector<int>& fds) {
  std::string data = EncodeFields(fields);
  iovec iov{data.data(), data.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  do {
    n = sendmsg(socket, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(data.size())) {
    return absl::InternalError(absl::StrCat("zygote send: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<ZygotePacket> ReceivePacket(int socket) {
  std::string data(kMaxPacketBytes, '\0');
  iovec iov{data.data(), data.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return absl::UnavailableError("zygote connection closed");
  ZygotePacket packet;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const int* fds = reinterpret_cast<const int*>(CMSG_DATA(c));
    packet.fds.insert(packet.fds.end(), fds, fds + count);
  }
  absl::StatusOr<std::vector<std::string>> fields =
      DecodeFields(absl::string_view(data.data(), static_cast<size_t>(n)));
  if (!fields.ok() || fields->empty() || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
    for (int fd : packet.fds) close(fd);
    return absl::DataLossError("malformed zygote packet");
  }
  packet.fields = *std::move(fields);
  return packet;
}

std::vector<std::string> EncodeSpawn(const SpawnRequest& r) {
  std::vector<std::string> fields = {
      "spawn",
      absl::StrCat(r.id),
      r.jail.use_namespaces ? "1" : "0",
      absl::StrCat(r.jail.outside_uid_base),
      absl::StrCat(r.jail.root.tmp_bytes),
      absl::StrCat(r.jail.rlimits.file_bytes),
      absl::StrCat(r.jail.rlimits.open_files),
      absl::StrCat(r.jail.rlimits.processes),
      absl::StrCat(r.jail.rlimits.cpu_seconds),
      r.jail.root.data_dir,
      r.jail.root.new_root_dir};
  for (const std::string& f : r.jail.cgroup_procs_files) fields.push_back(f);
  return fields;
}

absl::StatusOr<SpawnRequest> DecodeSpawn(const std::vector<std::string>& f) {
  SpawnRequest r;
  if (f.size() < kFixedSpawnFields || f[0] != "spawn" || !Parse(f[1], &r.id) ||
      !Parse(f[3], &r.jail.outside_uid_base) || !Parse(f[4], &r.jail.root.tmp_bytes) ||
      !Parse(f[5], &r.jail.rlimits.file_bytes) || !Parse(f[6], &r.jail.rlimits.open_files) ||
      !Parse(f[7], &r.jail.rlimits.processes) || !Parse(f[8], &r.jail.rlimits.cpu_seconds)) {
    return absl::DataLossError("malformed spawn request");
  }
  r.jail.use_namespaces = f[2] == "1";
  r.jail.root.data_dir = f[9];
  r.jail.root.new_root_dir = f[10];
  r.jail.cgroup_procs_files.assign(f.begin() + kFixedSpawnFields, f.end());
  return r;
}

}  // namespace assistd::sandbox
