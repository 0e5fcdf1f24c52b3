#ifndef ASSISTD_COMMON_LOG_H_
#define ASSISTD_COMMON_LOG_H_

// One line per event on stderr: "2026-11-20T23:59:59.123Z I message".
// Abseil 20220623 has no absl/log, so this is the project's logger.
// Thread-safe: each line is written with a single write(2).

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace assistd {

enum class LogLevel { kInfo, kWarning, kError };

void Log(LogLevel level, absl::string_view message);

template <typename... Args>
void LogInfo(const Args&... args) {
  Log(LogLevel::kInfo, absl::StrCat(args...));
}
template <typename... Args>
void LogWarning(const Args&... args) {
  Log(LogLevel::kWarning, absl::StrCat(args...));
}
template <typename... Args>
void LogError(const Args&... args) {
  Log(LogLevel::kError, absl::StrCat(args...));
}

}  // namespace assistd

#endif  // ASSISTD_COMMON_LOG_H_
