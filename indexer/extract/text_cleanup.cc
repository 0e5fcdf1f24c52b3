#include "indexer/extract/text_cleanup.h"

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace assistd::extract {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr char32_t kSoftHyphen = 0x00AD;

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes one code point at s[*pos] and advances *pos. An ill-formed
// sequence yields U+FFFD and advances past its maximal valid prefix (at least
// one byte), as Unicode recommends, so overlong forms, surrogates and values
// past U+10FFFF never decode.
char32_t NextCodePoint(absl::string_view s, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t b0 = byte(*pos);
  if (b0 < 0x80) {
    ++*pos;
    return b0;
  }
  int len;
  char32_t cp;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    ++*pos;
    return kReplacement;
  }
  size_t i = *pos + 1;
  for (int k = 1; k < len; ++k, ++i) {
    const uint8_t lower = k == 1 ? lo : 0x80, upper = k == 1 ? hi : 0xBF;
    if (i >= s.size() || byte(i) < lower || byte(i) > upper) {
      *pos = i;
      return kReplacement;
    }
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  *pos = i;
  return cp;
}

std::string DecodeUtf16(absl::string_view bytes, bool big_endian) {
  std::string out;
  out.reserve(bytes.size() * 3 / 2);
  const auto unit = [&](size_t i) -> char32_t {
    const auto b0 = static_cast<uint8_t>(bytes[i]);
    const auto b1 = static_cast<uint8_t>(bytes[i + 1]);
    return big_endian ? (b0 << 8 | b1) : (b1 << 8 | b0);
  };
  size_t i = 0;
  while (i + 1 < bytes.size()) {
    const char32_t u = unit(i);
    i += 2;
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < bytes.size()) {
      const char32_t low = unit(i);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        i += 2;
        AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), &out);
        continue;
      }
    }
    AppendUtf8(u >= 0xD800 && u <= 0xDFFF ? kReplacement : u, &out);
  }
  if (i < bytes.size()) AppendUtf8(kReplacement, &out);  // odd final byte
  return out;
}

bool IsRemovedControl(char32_t cp) {
  if (cp == '\n' || cp == '\t') return false;
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFEFF ||
         cp == 0xFFFE || cp == 0xFFFF;
}

// Line ends become "\n", control characters go; everything else (soft
// hyphens included) is kept for the line-level passes.
std::string NormalizeCharacters(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const char32_t cp = NextCodePoint(text, &pos);
    if (cp == '\r') {
      if (pos < text.size() && text[pos] == '\n') ++pos;
      out.push_back('\n');
    } else if (cp == '\f') {
      out.push_back('\n');
    } else if (!IsRemovedControl(cp)) {
      AppendUtf8(cp, &out);
    }
  }
  return out;
}

// Lowercase letters of the Latin, Greek and Cyrillic scripts.
bool IsLowercaseLetter(char32_t cp) {
  if (cp >= 'a' && cp <= 'z') return true;
  if (cp >= 0xDF && cp <= 0xFF) return cp != 0xF7;
  if (cp >= 0x100 && cp <= 0x17F) {  // Latin Extended-A alternates case
    if (cp == 0x138 || cp == 0x149 || cp == 0x17F) return true;
    if ((cp >= 0x139 && cp <= 0x148) || cp >= 0x179) return cp % 2 == 0;
    return cp % 2 == 1;
  }
  return (cp >= 0x3AC && cp <= 0x3CE) || (cp >= 0x430 && cp <= 0x45F);
}

bool IsLetter(char32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
         (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7 && cp != kSoftHyphen &&
          cp != 0x2010 && cp != kReplacement);
}

void StripTrailingBlanks(std::string* line) {
  while (!line->empty() && (line->back() == ' ' || line->back() == '\t')) {
    line->pop_back();
  }
}

// Start of the character that ends at `end` in valid UTF-8 `s`.
size_t PreviousCharStart(absl::string_view s, size_t end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<uint8_t>(s[start]) & 0xC0) == 0x80) {
    --start;
  }
  return start;
}

// Length in bytes of the hyphen, soft hyphen or U+2010 HYPHEN ending `line`
// if a letter precedes it (a word broken across lines), else 0.
size_t BrokenWordHyphen(absl::string_view line) {
  if (line.empty()) return 0;
  size_t last = PreviousCharStart(line, line.size());
  size_t pos = last;
  const char32_t hyphen = NextCodePoint(line, &pos);
  if ((hyphen != '-' && hyphen != kSoftHyphen && hyphen != 0x2010) ||
      last == 0) {
    return 0;
  }
  pos = PreviousCharStart(line, last);
  return IsLetter(NextCodePoint(line, &pos)) ? line.size() - last : 0;
}

bool StartsWithLowercase(absl::string_view line) {
  size_t pos = 0;
  return !line.empty() && IsLowercaseLetter(NextCodePoint(line, &pos));
}

// Appends finished lines to a text, dropping soft hyphens and runs of more
// than two blank lines.
class LineWriter {
 public:
  explicit LineWriter(size_t capacity) { out_.reserve(capacity); }

  void Add(std::string line) {
    line = absl::StrReplaceAll(line, {{"\xC2\xAD", ""}});  // soft hyphens
    StripTrailingBlanks(&line);
    blank_run_ = line.empty() ? blank_run_ + 1 : 0;
    if (blank_run_ > 2) return;
    if (!first_) out_.push_back('\n');
    first_ = false;
    out_ += line;
  }
  std::string Finish() && { return std::move(out_); }

 private:
  std::string out_;
  int blank_run_ = 0;
  bool first_ = true;
};

}  // namespace

std::string DecodeToUtf8(absl::string_view bytes) {
  if (bytes.size() >= 2 && bytes[0] == '\xFF' && bytes[1] == '\xFE') {
    return DecodeUtf16(bytes.substr(2), /*big_endian=*/false);
  }
  if (bytes.size() >= 2 && bytes[0] == '\xFE' && bytes[1] == '\xFF') {
    return DecodeUtf16(bytes.substr(2), /*big_endian=*/true);
  }
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    bytes.remove_prefix(3);
  }
  return SanitizeUtf8(bytes);
}

std::string SanitizeUtf8(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    const char32_t cp = NextCodePoint(s, &pos);
    if (cp == kReplacement && s.substr(start, pos - start) != "\xEF\xBF\xBD") {
      AppendUtf8(kReplacement, &out);
    } else {
      out.append(s.data() + start, pos - start);
    }
  }
  return out;
}

std::string CleanExtractedText(absl::string_view text,
                               const CleanupOptions& options) {
  const std::string normalized = NormalizeCharacters(text);
  LineWriter writer(normalized.size());
  std::string line;  // held back: the next line may continue it
  bool have_line = false;
  for (absl::string_view piece : absl::StrSplit(normalized, '\n')) {
    std::string next(piece);
    StripTrailingBlanks(&next);
    const size_t hyphen =
        have_line && options.join_hyphenated_words ? BrokenWordHyphen(line) : 0;
    if (hyphen > 0 && StartsWithLowercase(next)) {
      line.resize(line.size() - hyphen);
      line += next;
      continue;
    }
    if (have_line) writer.Add(std::move(line));
    line = std::move(next);
    have_line = true;
  }
  if (have_line) writer.Add(std::move(line));
  return std::move(writer).Finish();
}

}  // namespace assistd::extract
