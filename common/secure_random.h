#ifndef ASSISTD_COMMON_SECURE_RANDOM_H_
#define ASSISTD_COMMON_SECURE_RANDOM_H_

#include <string>

namespace assistd {

// `n` characters of [0-9A-Za-z], uniformly drawn (rejection sampling) from
// the kernel's CSPRNG (getrandom(2)): for secrets such as API keys and
// tokens. Aborts if the kernel has none: a guessable secret is worse.
std::string SecureRandomBase62(int n);

}  // namespace assistd

#endif  // ASSISTD_COMMON_SECURE_RANDOM_H_
