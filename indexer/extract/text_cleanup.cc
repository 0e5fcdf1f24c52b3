#include "indexer/extract/text_cleanup.h"

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/utf8.h"

namespace assistd::extract {
namespace {

constexpr char32_t kSoftHyphen = 0x00AD;

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
    AppendUtf8(u, &out);  // a lone surrogate becomes U+FFFD
  }
  if (i < bytes.size()) AppendUtf8(kReplacementChar, &out);  // odd final byte
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
    const Utf8Char c = DecodeUtf8At(text, pos);
    const char32_t cp = c.code_point;
    pos += c.length;
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
          cp != 0x2010 && cp != kReplacementChar);
}

void StripTrailingBlanks(std::string* line) {
  while (!line->empty() && (line->back() == ' ' || line->back() == '\t')) {
    line->pop_back();
  }
}

// Length in bytes of the hyphen, soft hyphen or U+2010 HYPHEN ending `line`
// if a letter precedes it (a word broken across lines), else 0.
size_t BrokenWordHyphen(absl::string_view line) {
  if (line.empty()) return 0;
  const Utf8Char hyphen = DecodeUtf8Before(line, line.size());
  if ((hyphen.code_point != '-' && hyphen.code_point != kSoftHyphen &&
       hyphen.code_point != 0x2010) ||
      hyphen.length == line.size()) {
    return 0;
  }
  const size_t last = line.size() - hyphen.length;
  return IsLetter(DecodeUtf8Before(line, last).code_point) ? hyphen.length : 0;
}

bool StartsWithLowercase(absl::string_view line) {
  return !line.empty() && IsLowercaseLetter(DecodeUtf8At(line, 0).code_point);
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
    const Utf8Char c = DecodeUtf8At(s, pos);
    if (c.valid) {
      out.append(s.data() + pos, c.length);
    } else {
      AppendUtf8(kReplacementChar, &out);
    }
    pos += c.length;
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
