#ifndef ASSISTD_INDEXER_CHUNK_TEXT_CHARS_H_
#define ASSISTD_INDEXER_CHUNK_TEXT_CHARS_H_

// Internal to indexer/chunk (not an API): the coarse character classes that
// the token estimate and the chunker's boundary rules share, on top of
// common/utf8.h. No ICU: the classes are code point ranges, good enough to tell
// words, numbers, punctuation, whitespace and scripts without spaces apart.

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "common/utf8.h"

namespace assistd::chunk::internal {

enum class CharClass : uint8_t {
  kSpace,     // whitespace other than \r and \n (incl. NBSP, U+3000)
  kNewline,   // \r or \n
  kDigit,     // ASCII 0-9
  kLatin,     // Latin letters (accented too), IPA, combining marks
  kAlphabet,  // Greek, Cyrillic, Armenian, Hebrew, Arabic, ... letters
  kSyllabic,  // other letters: Hangul, Thai, Indic, Ethiopic, historic, ...
  kCjk,       // Han, kana, CJK punctuation, fullwidth forms: no spaces
  kPunct,     // everything else: punctuation, symbols, emoji, controls
};

// A decoded character and its class. Eight bytes in all, so that it stays in
// registers through the token loops.
struct ClassifiedChar {
  char32_t code_point;  // U+FFFD for an invalid byte
  uint8_t size;         // in bytes; 1 for an invalid byte
  CharClass cls;
};

inline bool IsWhitespace(CharClass c) {
  return c == CharClass::kSpace || c == CharClass::kNewline;
}

inline CharClass ClassifyAscii(unsigned char c) {
  if (c == '\n' || c == '\r') return CharClass::kNewline;
  if (c == ' ' || c == '\t' || c == '\v' || c == '\f') return CharClass::kSpace;
  if (c >= '0' && c <= '9') return CharClass::kDigit;
  const unsigned char lower = c | 0x20;
  if (lower >= 'a' && lower <= 'z') return CharClass::kLatin;
  return CharClass::kPunct;
}

// Punctuation inside the Greek..NKo range (U+0370-U+07FF).
inline bool IsAlphabetPunct(char32_t c) {
  return c == 0x37E || c == 0x387 || (c >= 0x55A && c <= 0x55F) || c == 0x589 ||
         c == 0x58A || c == 0x5BE || c == 0x5C0 || c == 0x5C3 || c == 0x5C6 ||
         c == 0x5F3 || c == 0x5F4 || (c >= 0x600 && c <= 0x60F) ||
         (c >= 0x61B && c <= 0x61F) || (c >= 0x66A && c <= 0x66D) ||
         c == 0x6D4 || (c >= 0x7F7 && c <= 0x7F9);
}

// Code points U+2000..U+2BFF: spaces, general punctuation and symbols.
inline CharClass ClassifyGeneralPunct(char32_t c) {
  if (c <= 0x200A || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F) {
    return CharClass::kSpace;
  }
  return CharClass::kPunct;
}

inline CharClass ClassifyNonAscii(char32_t c) {
  if (c < 0x250) {  // C1 controls, Latin-1 Supplement, Latin Extended-A/B
    if (c == 0x85 || c == 0xA0) return CharClass::kSpace;
    if (c < 0xC0 || c == 0xD7 || c == 0xF7) return CharClass::kPunct;
    return CharClass::kLatin;
  }
  if (c < 0x370) return CharClass::kLatin;  // IPA, modifiers, combining marks
  if (c < 0x800) {
    return IsAlphabetPunct(c) ? CharClass::kPunct : CharClass::kAlphabet;
  }
  if (c < 0x1E00) {  // Indic, Thai, Georgian, Hangul Jamo, Ethiopic, ...
    if (c == 0x1680) return CharClass::kSpace;
    if (c == 0x964 || c == 0x965) return CharClass::kPunct;  // dandas
    return CharClass::kSyllabic;
  }
  if (c < 0x1F00) return CharClass::kLatin;     // Latin Extended Additional
  if (c < 0x2000) return CharClass::kAlphabet;  // Greek Extended
  if (c < 0x2C00) return ClassifyGeneralPunct(c);
  if (c < 0x2E00) return CharClass::kAlphabet;  // Glagolitic, Coptic, ...
  if (c < 0x2E80) return CharClass::kPunct;     // Supplemental Punctuation
  if (c < 0xA4D0) {  // CJK radicals .. Yi, incl. kana and Han
    return c == 0x3000 ? CharClass::kSpace : CharClass::kCjk;
  }
  if (c < 0xD800) return CharClass::kSyllabic;  // .. Hangul syllables
  if (c < 0xF900) return CharClass::kPunct;     // surrogates, private use
  if (c < 0xFB00) return CharClass::kCjk;       // CJK compatibility ideographs
  if (c < 0xFB07) return CharClass::kLatin;     // ligatures ff, fi, ...
  if (c < 0xFE00) return CharClass::kAlphabet;  // Hebrew, Arabic forms
  if (c < 0xFE10) return CharClass::kPunct;     // variation selectors
  if (c < 0xFE70) return CharClass::kCjk;       // vertical, compat, small forms
  if (c < 0xFEFF) return CharClass::kAlphabet;  // Arabic forms B
  if (c == 0xFEFF) return CharClass::kPunct;    // byte-order mark
  if (c < 0xFFF0) return CharClass::kCjk;       // halfwidth/fullwidth forms
  if (c < 0x10000) return CharClass::kPunct;    // specials
  if (c < 0x1F000) return CharClass::kSyllabic;  // historic scripts, math
  if (c < 0x20000) return CharClass::kPunct;     // emoji, symbols
  if (c < 0x40000) return CharClass::kCjk;       // CJK extensions B..
  return CharClass::kPunct;
}

// `c`, decoded from a non-ASCII lead byte, with its class. An ill-formed
// sequence counts as one byte of class kPunct however long its maximal
// subpart is: DecodeUtf8Before can only tell the last byte, and forward and
// backward steps must agree.
inline ClassifiedChar ClassifyDecoded(const Utf8Char& c) {
  if (!c.valid) return {kReplacementChar, 1, CharClass::kPunct};
  return {c.code_point, static_cast<uint8_t>(c.length),
          ClassifyNonAscii(c.code_point)};
}

// The character starting at byte `pos` (< text.size()).
inline ClassifiedChar DecodeAt(absl::string_view text, size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return {lead, 1, ClassifyAscii(lead)};  // the usual case
  return ClassifyDecoded(DecodeUtf8At(text, pos));
}

// The character that ends at byte `pos` (0 < pos <= text.size()), consistent
// with decoding forward from a character boundary.
inline ClassifiedChar DecodeBefore(absl::string_view text, size_t pos) {
  const auto last = static_cast<unsigned char>(text[pos - 1]);
  if (last < 0x80) return {last, 1, ClassifyAscii(last)};
  return ClassifyDecoded(DecodeUtf8Before(text, pos));
}

}  // namespace assistd::chunk::internal

#endif  // ASSISTD_INDEXER_CHUNK_TEXT_CHARS_H_
