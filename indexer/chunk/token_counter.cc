#include "indexer/chunk/token_counter.h"

#include <cstddef>
#include <vector>

#include "absl/strings/string_view.h"
#include "indexer/chunk/text_chars.h"

namespace assistd::chunk {
namespace {

using internal::CharClass;
using internal::ClassifiedChar;
using internal::DecodeAt;

// Sizes of one estimated token, calibrated on English prose against what
// cl100k/o200k produce (docs/retrieval.md, "Tokens and chunking").
constexpr int kLatinLettersPerToken = 10;
constexpr int kAlphabetLettersPerToken = 2;
constexpr int kDigitsPerToken = 3;  // as cl100k's \p{N}{1,3}
constexpr int kAsciiPunctPerToken = 4;
constexpr int kWhitespacePerToken = 8;
constexpr int kTrailingNewlinesPerToken = 4;

// Punctuation that forms one token with the letters right after it when no
// space precedes it: contractions ("'s", also with U+2019), "_id", ".com",
// "-based", "/api". (After a space cl100k keeps them apart: " -", "based".)
bool IsJoiner(char32_t c) {
  return c == '\'' || c == 0x2019 || c == '_' || c == '.' || c == '-' ||
         c == '/';
}

bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsNewlineByte(char c) { return c == '\n' || c == '\r'; }

// A plain space joins the token that follows when that token is a word, a
// CJK character or punctuation (" the", " (", but " " then "123").
bool TakesLeadingSpace(CharClass c) {
  return c != CharClass::kDigit && !internal::IsWhitespace(c);
}

// Cuts text into estimated tokens, left to right. Every rule decides where a
// token ends from the token's own characters and the one character after it,
// and restarts the same way at every token start. That makes the estimate
// additive: cutting a text at token starts and counting the pieces gives the
// count of the whole (the chunker relies on it).
class Tokenizer {
 public:
  explicit Tokenizer(absl::string_view text) : text_(text) {}

  // The end of the token that starts at `pos` (< text size).
  size_t TokenEnd(size_t pos) const {
    const ClassifiedChar c = DecodeAt(text_, pos);
    if (internal::IsWhitespace(c.cls)) {
      if (LeadsToken(pos)) {
        return BodyEnd(pos + 1, DecodeAt(text_, pos + 1), /*after_space=*/true);
      }
      return WhitespaceEnd(pos);
    }
    return BodyEnd(pos, c, /*after_space=*/false);
  }

 private:
  bool LeadsToken(size_t pos) const {
    return text_[pos] == ' ' && pos + 1 < text_.size() &&
           TakesLeadingSpace(DecodeAt(text_, pos + 1).cls);
  }

  // The end of the token whose first non-space character `c` is at `pos`.
  size_t BodyEnd(size_t pos, ClassifiedChar c, bool after_space) const {
    switch (c.cls) {
      case CharClass::kLatin:
        return LatinEnd(pos);
      case CharClass::kAlphabet:
        return RunEnd(pos, CharClass::kAlphabet, kAlphabetLettersPerToken);
      case CharClass::kDigit:
        return RunEnd(pos, CharClass::kDigit, kDigitsPerToken);
      case CharClass::kPunct:
        if (!after_space && IsJoiner(c.code_point) &&
            pos + c.size < text_.size() &&
            DecodeAt(text_, pos + c.size).cls == CharClass::kLatin) {
          return LatinEnd(pos + c.size);
        }
        return PunctEnd(pos, c);
      case CharClass::kSyllabic:
      case CharClass::kCjk:
      case CharClass::kSpace:
      case CharClass::kNewline:
        break;
    }
    return pos + c.size;
  }

  // Up to `limit` characters of class `cls`.
  size_t RunEnd(size_t pos, CharClass cls, int limit) const {
    int count = 0;
    while (pos < text_.size() && count < limit) {
      const ClassifiedChar c = DecodeAt(text_, pos);
      if (c.cls != cls) break;
      pos += c.size;
      ++count;
    }
    return pos;
  }

  // Up to kLatinLettersPerToken letters, cut before a lower-to-upper case
  // change ("Java|Script", "i|Phone") as o200k does.
  size_t LatinEnd(size_t pos) const {
    int count = 0;
    while (pos < text_.size() && count < kLatinLettersPerToken) {
      const ClassifiedChar c = DecodeAt(text_, pos);
      if (c.cls != CharClass::kLatin) break;
      if (count > 0 && IsAsciiUpper(text_[pos]) &&
          IsAsciiLower(text_[pos - 1])) {
        break;
      }
      pos += c.size;
      ++count;
    }
    return pos;
  }

  // One non-ASCII symbol, or up to kAsciiPunctPerToken ASCII ones; then the
  // newlines right after it (".\n\n" is one token).
  size_t PunctEnd(size_t pos, ClassifiedChar c) const {
    size_t end = pos + c.size;
    if (c.code_point < 0x80) {
      for (int count = 1;
           end < text_.size() && count < kAsciiPunctPerToken &&
           static_cast<unsigned char>(text_[end]) < 0x80 &&
           internal::ClassifyAscii(text_[end]) == CharClass::kPunct;
           ++count) {
        ++end;
      }
    }
    for (int count = 0;
         end < text_.size() && count < kTrailingNewlinesPerToken &&
         IsNewlineByte(text_[end]);
         ++count) {
      ++end;
    }
    return end;
  }

  // Spaces, then possibly newlines; at most kWhitespacePerToken characters.
  // A space that leads the next token is left to it.
  size_t WhitespaceEnd(size_t pos) const {
    int count = 0;
    while (pos < text_.size() && count < kWhitespacePerToken) {
      const ClassifiedChar c = DecodeAt(text_, pos);
      if (c.cls == CharClass::kNewline) {
        while (pos < text_.size() && count < kWhitespacePerToken &&
               IsNewlineByte(text_[pos])) {
          ++pos;
          ++count;
        }
        break;
      }
      if (c.cls != CharClass::kSpace || (count > 0 && LeadsToken(pos))) break;
      pos += c.size;
      ++count;
    }
    return pos;
  }

  absl::string_view text_;
};

}  // namespace

int CountTokens(absl::string_view text) {
  const Tokenizer tokenizer(text);
  int count = 0;
  for (size_t pos = 0; pos < text.size(); pos = tokenizer.TokenEnd(pos)) {
    ++count;
  }
  return count;
}

std::vector<size_t> TokenStarts(absl::string_view text) {
  const Tokenizer tokenizer(text);
  std::vector<size_t> starts;
  starts.reserve(text.size() / 4 + 1);
  for (size_t pos = 0; pos < text.size(); pos = tokenizer.TokenEnd(pos)) {
    starts.push_back(pos);
  }
  return starts;
}

}  // namespace assistd::chunk
