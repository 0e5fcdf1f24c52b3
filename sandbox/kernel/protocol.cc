#include "sandbox/kernel/protocol.h"

#include "absl/strings/str_cat.h"

namespace assistd::sandbox {
namespace {

void PutU32(uint32_t v, std::string* out) {
  char b[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
               static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
  out->append(b, 4);
}

uint32_t GetU32(absl::string_view s, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data() + pos);
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

}  // namespace

std::string EncodeFields(const std::vector<std::string>& fields) {
  std::string out;
  for (const std::string& f : fields) {
    PutU32(static_cast<uint32_t>(f.size()), &out);
    out += f;
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> DecodeFields(absl::string_view data) {
  std::vector<std::string> fields;
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < 4) return absl::DataLossError("truncated field length");
    const uint32_t n = GetU32(data, pos);
    pos += 4;
    if (n > data.size() - pos) return absl::DataLossError("field runs past the frame");
    fields.emplace_back(data.substr(pos, n));
    pos += n;
  }
  return fields;
}

std::string EncodeFrame(FrameKind kind, const std::vector<std::string>& fields) {
  const std::string body = EncodeFields(fields);
  std::string out;
  PutU32(static_cast<uint32_t>(body.size() + 1), &out);
  out.push_back(static_cast<char>(kind));
  out += body;
  return out;
}

absl::StatusOr<std::optional<Frame>> FrameReader::Next() {
  if (buffer_.size() < 4) return std::nullopt;
  const uint32_t length = GetU32(buffer_, 0);
  if (length == 0 || length > max_frame_bytes_) {
    return absl::DataLossError(absl::StrCat("kernel frame of ", length, " bytes"));
  }
  if (buffer_.size() - 4 < length) return std::nullopt;
  const uint8_t kind = static_cast<uint8_t>(buffer_[4]);
  if (kind < static_cast<uint8_t>(FrameKind::kExecute) ||
      kind > static_cast<uint8_t>(FrameKind::kDone)) {
    return absl::DataLossError(absl::StrCat("unknown kernel frame kind ", kind));
  }
  absl::StatusOr<std::vector<std::string>> fields =
      DecodeFields(absl::string_view(buffer_).substr(5, length - 1));
  if (!fields.ok()) return fields.status();
  buffer_.erase(0, 4 + length);
  return Frame{static_cast<FrameKind>(kind), *std::move(fields)};
}

}  // namespace assistd::sandbox
