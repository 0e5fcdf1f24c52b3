#ifndef ASSISTD_COMMON_IDS_H_
#define ASSISTD_COMMON_IDS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace assistd {

// Object kinds with OpenAI's id prefixes.
enum class IdKind {
  kFile,         // "file-"
  kAssistant,    // "asst_"
  kThread,       // "thread_"
  kMessage,      // "msg_"
  kRun,          // "run_"
  kStep,         // "step_"
  kToolCall,     // "call_"
  kVectorStore,  // "vs_"
  kFileBatch,    // "vsfb_"
  kSession,      // "sess_" (sandbox sessions; not an OpenAI object)
};

// Number of random base62 characters after the prefix.
inline constexpr int kIdRandomChars = 24;

// Returns the prefix of `kind`, e.g. "file-" or "asst_".
absl::string_view IdPrefix(IdKind kind);

// Returns a new id: the prefix of `kind` followed by kIdRandomChars base62
// characters drawn uniformly from the kernel CSPRNG (getrandom(2)).
// Thread-safe. Aborts only if the kernel CSPRNG is unavailable, which on
// Linux >= 3.17 cannot happen after boot.
std::string NewId(IdKind kind);

// Checks that `id` looks like an id of `kind` (right prefix, then 1..64
// characters of [A-Za-z0-9_-]). Returns InvalidArgument naming `field`, in
// OpenAI's wording, otherwise. Ids made by other servers with a different
// random part are accepted, so imported ids keep working.
absl::Status ValidateId(absl::string_view id, IdKind kind,
                        absl::string_view field);

}  // namespace assistd

#endif  // ASSISTD_COMMON_IDS_H_
