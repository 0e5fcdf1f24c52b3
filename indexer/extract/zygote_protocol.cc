#include "indexer/extract/zygote_protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace assistd::extract {
namespace {

constexpr size_t kMaxPacket = 64 * 1024;

template <typename T>
void Put(std::string* out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) {
    out->push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
  }
}

void PutString(std::string* out, absl::string_view s) {
  Put<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

class Cursor {
 public:
  explicit Cursor(absl::string_view in) : in_(in) {}
  template <typename T>
  bool Get(T* v) {
    if (in_.size() < sizeof(T)) return false;
    uint64_t x = 0;
    for (size_t i = 0; i < sizeof(T); ++i) x |= uint64_t{static_cast<uint8_t>(in_[i])} << (8 * i);
    *v = static_cast<T>(x);
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetString(std::string* s) {
    uint32_t n;
    if (!Get(&n) || in_.size() < n) return false;
    *s = std::string(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  absl::string_view in_;
};

}  // namespace

std::string EncodeExtractRequest(const ZygoteMessage& m) {
  std::string out;
  Put<uint8_t>(&out, ZygoteMessage::kExtract);
  Put<uint64_t>(&out, m.id);
  Put<uint32_t>(&out, m.cpu_seconds);
  Put<uint64_t>(&out, m.memory_bytes);
  PutString(&out, m.path);
  PutString(&out, m.filename);
  return out;
}

std::string EncodeKillRequest(int32_t pid) {
  std::string out;
  Put<uint8_t>(&out, ZygoteMessage::kKill);
  Put<uint32_t>(&out, static_cast<uint32_t>(pid));
  return out;
}

std::string EncodeStarted(uint64_t id, int32_t pid) {
  std::string out;
  Put<uint8_t>(&out, ZygoteMessage::kStarted);
  Put<uint64_t>(&out, id);
  Put<uint32_t>(&out, static_cast<uint32_t>(pid));
  return out;
}

std::string EncodeFailed(uint64_t id, int32_t err) {
  std::string out;
  Put<uint8_t>(&out, ZygoteMessage::kFailed);
  Put<uint64_t>(&out, id);
  Put<uint32_t>(&out, static_cast<uint32_t>(err));
  return out;
}

std::string EncodeExited(int32_t pid, int32_t status) {
  std::string out;
  Put<uint8_t>(&out, ZygoteMessage::kExited);
  Put<uint32_t>(&out, static_cast<uint32_t>(pid));
  Put<uint32_t>(&out, static_cast<uint32_t>(status));
  return out;
}

absl::StatusOr<ZygoteMessage> DecodeZygoteMessage(absl::string_view packet,
                                                  bool from_server) {
  Cursor c(packet);
  ZygoteMessage m;
  bool ok = c.Get(&m.kind);
  if (ok && from_server && m.kind == ZygoteMessage::kExtract) {
    ok = c.Get(&m.id) && c.Get(&m.cpu_seconds) && c.Get(&m.memory_bytes) &&
         c.GetString(&m.path) && c.GetString(&m.filename);
  } else if (ok && from_server && m.kind == ZygoteMessage::kKill) {
    ok = c.Get(&m.pid);
  } else if (ok && !from_server && m.kind == ZygoteMessage::kStarted) {
    ok = c.Get(&m.id) && c.Get(&m.pid);
  } else if (ok && !from_server && m.kind == ZygoteMessage::kFailed) {
    ok = c.Get(&m.id) && c.Get(&m.value);
  } else if (ok && !from_server && m.kind == ZygoteMessage::kExited) {
    ok = c.Get(&m.pid) && c.Get(&m.value);
  } else {
    ok = false;
  }
  if (!ok || !c.done()) return absl::DataLossError("malformed zygote message");
  return m;
}

absl::Status SendPacket(int sock, absl::string_view packet, int fd) {
  iovec iov{const_cast<char*>(packet.data()), packet.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cm), &fd, sizeof(int));
  }
  while (true) {
    ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (n >= 0) return absl::OkStatus();
    if (errno != EINTR) {
      return absl::UnavailableError(absl::StrCat("zygote socket: ", std::strerror(errno)));
    }
  }
}

absl::StatusOr<std::string> ReceivePacket(int sock, int* fd) {
  *fd = -1;
  std::string buf(kMaxPacket, '\0');
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return absl::UnavailableError(absl::StrCat("zygote socket: ", std::strerror(errno)));
  for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
      std::memcpy(fd, CMSG_DATA(cm), sizeof(int));
    }
  }
  if (n == 0) return absl::OutOfRangeError("zygote socket closed");
  buf.resize(static_cast<size_t>(n));
  return buf;
}

}  // namespace assistd::extract
