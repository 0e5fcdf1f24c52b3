#include "common/secure_random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

namespace assistd {
namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void FillRandom(uint8_t* buf, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t got = getrandom(buf + done, size - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::abort();
    }
    done += static_cast<size_t>(got);
  }
}

}  // namespace

std::string SecureRandomBase62(int n) {
  std::string out;
  out.reserve(n);
  uint8_t buf[64];
  while (static_cast<int>(out.size()) < n) {
    FillRandom(buf, sizeof(buf));
    for (uint8_t b : buf) {
      if (b >= 62 * 4) continue;  // keeps b % 62 uniform
      out.push_back(kBase62[b % 62]);
      if (static_cast<int>(out.size()) == n) break;
    }
  }
  return out;
}

}  // namespace assistd
