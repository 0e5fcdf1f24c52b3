#ifndef ASSISTD_SANDBOX_KERNEL_ZYGOTE_PROTOCOL_H_
#define ASSISTD_SANDBOX_KERNEL_ZYGOTE_PROTOCOL_H_

// Packets between the pool and the Python zygote, over a SOCK_SEQPACKET
// socketpair (one packet per message, descriptors with SCM_RIGHTS). Each
// packet is a field list (protocol.h) whose first field names it:
//   pool -> zygote: spawn(id, jail settings...) + fds [control, stdout,
//                   stderr]; signal(pid, signo)
//   zygote -> pool: ready() once the libraries are loaded; started(id, pid);
//                   failed(id, message); exited(pid, wait status)

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/jail/jail.h"

namespace assistd::sandbox {

struct ZygotePacket {
  std::vector<std::string> fields;
  std::vector<int> fds;  // owned by the receiver
};

// Sends one packet. Internal on failure.
absl::Status SendPacket(int socket, const std::vector<std::string>& fields,
                        const std::vector<int>& fds = {});
// Receives one packet (descriptors arrive close-on-exec). Unavailable at
// EOF; DataLoss if malformed.
absl::StatusOr<ZygotePacket> ReceivePacket(int socket);

// The jail settings of a spawn, without descriptors or environment.
struct SpawnRequest {
  uint64_t id = 0;
  JailConfig jail;  // root.mplconfig_dir and env are not encoded
};
std::vector<std::string> EncodeSpawn(const SpawnRequest& request);
absl::StatusOr<SpawnRequest> DecodeSpawn(const std::vector<std::string>& fields);

// Indexes of the descriptors sent with a spawn.
inline constexpr int kSpawnControlFd = 0;
inline constexpr int kSpawnStdoutFd = 1;
inline constexpr int kSpawnStderrFd = 2;
inline constexpr int kSpawnFdCount = 3;

// The kernel's socket inside a session process.
inline constexpr int kSessionControlFd = 3;

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_KERNEL_ZYGOTE_PROTOCOL_H_
