#ifndef ASSISTD_SANDBOX_KERNEL_PROTOCOL_H_
#define ASSISTD_SANDBOX_KERNEL_PROTOCOL_H_

// The host <-> kernel protocol (driver.py is the other side), over a
// SOCK_STREAM socketpair. A frame is
//   u32 little-endian length of the rest | u8 kind | fields...
// and each field is a u32 little-endian length and that many bytes.
//
// host -> kernel: kExecute(code)
// kernel -> host: kReady(pid) once; then per execute any number of
//   kResult(text_repr), kError(ename, evalue, traceback lines...),
//   kImage(name, mime, bytes), kFile(paths relative to /mnt/data...),
//   and exactly one kDone().
// The kernel runs hostile code: the host bounds every frame and treats a
// malformed one like a crash.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace assistd::sandbox {

enum class FrameKind : uint8_t {
  kExecute = 1,
  kReady = 2,
  kResult = 3,
  kError = 4,
  kImage = 5,
  kFile = 6,
  kDone = 7,
};

struct Frame {
  FrameKind kind = FrameKind::kDone;
  std::vector<std::string> fields;
};

std::string EncodeFrame(FrameKind kind, const std::vector<std::string>& fields);

// Reassembles frames from a byte stream. Not thread-safe.
class FrameReader {
 public:
  // Frames longer than `max_frame_bytes` are a protocol error.
  explicit FrameReader(size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  void Append(absl::string_view bytes) { buffer_.append(bytes.data(), bytes.size()); }
  // The next complete frame, nullopt if more bytes are needed.
  // DataLoss for an oversized frame, an unknown kind or a field that runs
  // past the frame.
  absl::StatusOr<std::optional<Frame>> Next();

 private:
  const size_t max_frame_bytes_;
  std::string buffer_;
};

// Field lists in the same encoding, for the zygote's control packets.
std::string EncodeFields(const std::vector<std::string>& fields);
absl::StatusOr<std::vector<std::string>> DecodeFields(absl::string_view data);

}  // namespace assistd::sandbox

#endif  // ASSISTD_SANDBOX_KERNEL_PROTOCOL_H_
