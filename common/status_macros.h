#ifndef ASSISTD_COMMON_STATUS_MACROS_H_
#define ASSISTD_COMMON_STATUS_MACROS_H_

// Abseil 20220623 ships no status macros; these are the project's only copy.
//
//   RETURN_IF_ERROR(store->Put(key, value));
//   ASSIGN_OR_RETURN(auto file, store->Get(id));
//   ASSIGN_OR_RETURN(std::string text, Extract(path));
//
// Both evaluate their expression once and return its status unchanged.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ASSISTD_STATUS_CONCAT_INNER_(a, b) a##b
#define ASSISTD_STATUS_CONCAT_(a, b) ASSISTD_STATUS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                                          \
  do {                                                                 \
    const ::absl::Status assistd_status_macro_status_ = (expr);        \
    if (!assistd_status_macro_status_.ok()) {                          \
      return assistd_status_macro_status_;                             \
    }                                                                  \
  } while (false)

#define ASSIGN_OR_RETURN(lhs, expr)                                          \
  ASSISTD_ASSIGN_OR_RETURN_IMPL_(                                            \
      ASSISTD_STATUS_CONCAT_(assistd_statusor_, __LINE__), lhs, expr)

#define ASSISTD_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) {                                     \
    return std::move(statusor).status();                    \
  }                                                         \
  lhs = *std::move(statusor)

#endif  // ASSISTD_COMMON_STATUS_MACROS_H_
