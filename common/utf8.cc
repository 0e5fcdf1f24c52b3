#include "common/utf8.h"

#include <string>

namespace assistd {
namespace utf8_internal {

namespace {

constexpr Utf8Char IllFormed(size_t length) {
  return {kReplacementChar, length, false};
}

}  // namespace

// Straight-line by length: this runs once per non-ASCII character in the
// chunker and the embedder.
Utf8Char DecodeMultiByte(absl::string_view s, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
  const size_t available = s.size() - pos;
  const unsigned char lead = p[0];
  // Table 3-7: the lead byte sets the length and the second byte's range.
  size_t length;
  unsigned char lo = 0x80, hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) lo = 0xA0;  // overlong
    if (lead == 0xED) hi = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) lo = 0x90;  // overlong
    if (lead == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return IllFormed(1);
  }
  if (available < 2 || p[1] < lo || p[1] > hi) return IllFormed(1);
  char32_t cp = ((lead & (0x7F >> length)) << 6) | (p[1] & 0x3F);
  if (length == 2) return {cp, 2, true};
  if (available < 3 || !IsContinuationByte(p[2])) return IllFormed(2);
  cp = (cp << 6) | (p[2] & 0x3F);
  if (length == 3) return {cp, 3, true};
  if (available < 4 || !IsContinuationByte(p[3])) return IllFormed(3);
  return {(cp << 6) | (p[3] & 0x3F), 4, true};
}

}  // namespace utf8_internal

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = kReplacementChar;
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp <= 0x10FFFF) {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    AppendUtf8(kReplacementChar, out);
  }
}

}  // namespace assistd
