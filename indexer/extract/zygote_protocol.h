#ifndef ASSISTD_INDEXER_EXTRACT_ZYGOTE_PROTOCOL_H_
#define ASSISTD_INDEXER_EXTRACT_ZYGOTE_PROTOCOL_H_

// Messages between the server (ZygoteClient) and the extraction zygote, over
// a SOCK_SEQPACKET socketpair: one message per packet, little-endian.
//
// server -> zygote
//   Extract  kind=1, id u64, cpu_seconds u32, memory_bytes u64, path, filename
//            (strings: u32 length + bytes), plus the write end of the
//            child's result pipe as SCM_RIGHTS.
//   Kill     kind=2, pid i32: SIGKILL that child if it has not been reaped
//            (the zygote is its parent, so the pid cannot have been reused).
// zygote -> server
//   Started  kind=1, id u64, pid i32      a child now runs request `id`
//   Failed   kind=3, id u64, errno i32    fork failed for request `id`
//   Exited   kind=2, pid i32, status i32  waitpid() status of a child

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace assistd::extract {

struct ZygoteMessage {
  enum Kind : uint8_t { kExtract = 1, kKill = 2, kStarted = 1, kExited = 2, kFailed = 3 };
  uint8_t kind = 0;
  uint64_t id = 0;
  int32_t pid = 0;
  int32_t value = 0;  // Exited: wait status; Failed: errno
  uint32_t cpu_seconds = 0;
  uint64_t memory_bytes = 0;
  std::string path;
  std::string filename;
};

std::string EncodeExtractRequest(const ZygoteMessage& m);
std::string EncodeKillRequest(int32_t pid);
std::string EncodeStarted(uint64_t id, int32_t pid);
std::string EncodeFailed(uint64_t id, int32_t err);
std::string EncodeExited(int32_t pid, int32_t status);

// Decode a packet from the server (`from_server`) or from the zygote.
// DataLoss if malformed.
absl::StatusOr<ZygoteMessage> DecodeZygoteMessage(absl::string_view packet,
                                                  bool from_server);

// Sends one packet, with `fd` attached when it is >= 0. Retries EINTR.
absl::Status SendPacket(int sock, absl::string_view packet, int fd = -1);
// Receives one packet (up to 64 KiB) and the fd attached to it, if any
// (-1 otherwise; the caller owns it). OutOfRange at end of stream.
absl::StatusOr<std::string> ReceivePacket(int sock, int* fd);

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_ZYGOTE_PROTOCOL_H_
