#ifndef ASSISTD_COMMON_UTF8_H_
#define ASSISTD_COMMON_UTF8_H_

// Strict UTF-8 decoding and encoding (Unicode 15, section 3.9, Table 3-7).
// The chunker and the hashed embedder decode every character of their input,
// so the decoders' ASCII paths are inline; longer sequences take one call.
// No state, thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/base/attributes.h"
#include "absl/strings/string_view.h"

namespace assistd {

// U+FFFD REPLACEMENT CHARACTER, which stands in for ill-formed input.
inline constexpr char32_t kReplacementChar = 0xFFFD;

// One character decoded from UTF-8.
struct Utf8Char {
  char32_t code_point;  // the Unicode scalar value; U+FFFD when !valid
  size_t length;        // bytes it covers in the input, 1 to 4
  bool valid;           // false for an ill-formed sequence
};

// Decodes the character that starts at byte `pos` of `s` (requires
// pos < s.size()).
//
// A well-formed sequence gives {its code point, 1..4, true}. Anything else
// gives {U+FFFD, n, false}, where n follows Unicode's "U+FFFD substitution of
// maximal subparts" (the WHATWG Encoding Standard does the same):
//   - a byte that cannot start a sequence (a stray continuation byte 80..BF,
//     C0, C1, F5..FF) is ill-formed on its own: n = 1;
//   - otherwise n is the length of the longest prefix of a well-formed
//     sequence that starts at `pos`, cut short by a byte out of range or by
//     the end of `s`. Overlong forms (E0 80..9F, F0 80..8F), surrogates
//     (ED A0..BF) and values past U+10FFFF (F4 90..BF) fail at the second
//     byte, so n = 1 for them as well; "E2 82" followed by 'x' gives n = 2.
// Decoding again at pos + n therefore never skips a byte that could start a
// character, and replacing each invalid result by U+FFFD turns any input into
// well-formed UTF-8.
inline Utf8Char DecodeUtf8At(absl::string_view s, size_t pos);

// The character that ends at byte `pos` of `s` (requires
// 0 < pos <= s.size()): if s[0, pos) ends with a well-formed sequence, that
// sequence as DecodeUtf8At decodes it; otherwise {U+FFFD, 1, false}, the last
// byte alone. Looks at no more than the last four bytes. On well-formed text
// this walks back over exactly the characters that forward decoding finds.
inline Utf8Char DecodeUtf8Before(absl::string_view s, size_t pos);

// Appends the UTF-8 encoding of `cp` (1 to 4 bytes) to `out`. A value that is
// not a Unicode scalar value (a surrogate U+D800..U+DFFF, or past U+10FFFF)
// appends U+FFFD instead, so the output is always well-formed.
void AppendUtf8(char32_t cp, std::string* out);

// Implementation details below.

namespace utf8_internal {

inline bool IsContinuationByte(unsigned char b) { return (b & 0xC0) == 0x80; }

// DecodeUtf8At for a lead byte of 0x80 or more. Out of line, so that the
// ASCII path of the decoders stays small enough to inline into loops.
ABSL_ATTRIBUTE_PURE_FUNCTION Utf8Char DecodeMultiByte(absl::string_view s,
                                                      size_t pos);

}  // namespace utf8_internal

inline Utf8Char DecodeUtf8At(absl::string_view s, size_t pos) {
  const auto lead = static_cast<unsigned char>(s[pos]);
  if (lead < 0x80) return {lead, 1, true};
  return utf8_internal::DecodeMultiByte(s, pos);
}

inline Utf8Char DecodeUtf8Before(absl::string_view s, size_t pos) {
  const auto byte = [s](size_t i) { return static_cast<unsigned char>(s[i]); };
  if (byte(pos - 1) < 0x80) return {byte(pos - 1), 1, true};
  size_t start = pos - 1;
  while (start > 0 && pos - start < 4 &&
         utf8_internal::IsContinuationByte(byte(start))) {
    --start;
  }
  const Utf8Char c = DecodeUtf8At(s, start);
  if (c.valid && start + c.length == pos) return c;
  return {kReplacementChar, 1, false};
}

}  // namespace assistd

#endif  // ASSISTD_COMMON_UTF8_H_
