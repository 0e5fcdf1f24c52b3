#include "common/ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace assistd {
namespace {

constexpr char kBase62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// Largest multiple of 62 that fits in a byte; bytes at or above it are
// rejected so every character is equally likely.
constexpr unsigned kRejectFrom = 62 * 4;
constexpr size_t kMaxRandomPartLength = 64;

void FillRandom(uint8_t* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(buf + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::abort();  // No CSPRNG: never hand out guessable ids.
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace

absl::string_view IdPrefix(IdKind kind) {
  switch (kind) {
    case IdKind::kFile: return "file-";
    case IdKind::kAssistant: return "asst_";
    case IdKind::kThread: return "thread_";
    case IdKind::kMessage: return "msg_";
    case IdKind::kRun: return "run_";
    case IdKind::kStep: return "step_";
    case IdKind::kToolCall: return "call_";
    case IdKind::kVectorStore: return "vs_";
    case IdKind::kFileBatch: return "vsfb_";
    case IdKind::kSession: return "sess_";
  }
  return "";
}

std::string NewId(IdKind kind) {
  std::string id(IdPrefix(kind));
  id.reserve(id.size() + kIdRandomChars);
  uint8_t buf[64];
  int produced = 0;
  while (produced < kIdRandomChars) {
    FillRandom(buf, sizeof(buf));
    for (uint8_t b : buf) {
      if (b >= kRejectFrom) continue;
      id.push_back(kBase62[b % 62]);
      if (++produced == kIdRandomChars) break;
    }
  }
  return id;
}

absl::Status ValidateId(absl::string_view id, IdKind kind,
                        absl::string_view field) {
  absl::string_view prefix = IdPrefix(kind);
  // OpenAI names the expected prefix without its separator ("thread").
  absl::string_view word = prefix.substr(0, prefix.size() - 1);
  auto invalid = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid '", field, "': '", id,
                     "'. Expected an ID that begins with '", word, "'."));
  };
  if (!absl::StartsWith(id, prefix)) return invalid();
  absl::string_view rest = id.substr(prefix.size());
  if (rest.empty() || rest.size() > kMaxRandomPartLength) return invalid();
  for (char c : rest) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '-') {
      return invalid();
    }
  }
  return absl::OkStatus();
}

}  // namespace assistd
