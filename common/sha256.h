#ifndef ASSISTD_COMMON_SHA256_H_
#define ASSISTD_COMMON_SHA256_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace assistd {

// Incremental SHA-256 (OpenSSL). Not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view data);
  // Lowercase hex digest; the object must not be updated afterwards.
  std::string HexDigest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One-shot lowercase hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

}  // namespace assistd

#endif  // ASSISTD_COMMON_SHA256_H_
