#include "indexer/chunk/chunker.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "indexer/chunk/text_chars.h"
#include "indexer/chunk/token_counter.h"
#include "indexer/extract/document.h"

namespace assistd::chunk {
namespace {

using internal::CharClass;
using internal::ClassifiedChar;
using internal::DecodeAt;
using internal::DecodeBefore;
using internal::IsWhitespace;

constexpr int kMinMaxTokens = 100;
constexpr int kMaxMaxTokens = 4096;
constexpr char kPageSeparator[] = "\n\n";

// How good a place to end a chunk a token start is; higher is better.
enum class Cut : uint8_t { kNone, kWord, kLine, kSentence, kParagraph };

struct PageSpan {
  int64_t begin = 0;  // byte offsets in the joined text
  int64_t end = 0;
  int number = 1;
};

struct JoinedText {
  std::string text;
  std::vector<PageSpan> pages;  // only pages that have text, in order
};

bool HasText(absl::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return !IsWhitespace(
        internal::ClassifyAscii(static_cast<unsigned char>(c)));
  });
}

JoinedText JoinPages(const extract::Document& doc) {
  JoinedText joined;
  for (const extract::TextPage& page : doc.pages) {
    if (!HasText(page.text)) continue;
    if (!joined.pages.empty()) joined.text.append(kPageSeparator);
    const auto begin = static_cast<int64_t>(joined.text.size());
    joined.text.append(page.text);
    joined.pages.push_back(
        {begin, static_cast<int64_t>(joined.text.size()), page.number});
  }
  return joined;
}

bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }

// Sentence stops: . ! ? and the ellipsis, CJK full stops and marks (fullwidth
// and halfwidth), the Greek question mark, the Armenian full stop, the Arabic
// question mark and full stop, the Devanagari dandas.
constexpr char32_t kSentenceEnds[] = {'.',    '!',    '?',    0x2026, 0x3002,
                                      0xFF01, 0xFF1F, 0xFF0E, 0xFF61, 0x037E,
                                      0x0589, 0x061F, 0x06D4, 0x0964, 0x0965};

// Closing quotes and brackets that may follow a sentence's final stop:
// ASCII ones, right single/double quotes, guillemet, CJK corner, lenticular,
// angle and fullwidth brackets.
constexpr char32_t kClosers[] = {')',    ']',    '}',    '"',    '\'',
                                 0x2019, 0x201D, 0x00BB, 0x300D, 0x300F,
                                 0x3011, 0x3009, 0x300B, 0xFF09, 0xFF3D};

template <size_t N>
bool IsOneOf(char32_t c, const char32_t (&set)[N]) {
  return std::find(set, set + N, c) != set + N;
}

// "\r\n" is one break, and so are a lone "\n" and a lone "\r".
int CountLineBreaks(absl::string_view whitespace) {
  int breaks = 0;
  for (size_t i = 0; i < whitespace.size(); ++i) {
    if (whitespace[i] == '\n' ||
        (whitespace[i] == '\r' &&
         (i + 1 == whitespace.size() || whitespace[i + 1] != '\n'))) {
      ++breaks;
    }
  }
  return breaks;
}

// Rates each token start as a place to end a chunk. A place touching
// whitespace is rated by the whole whitespace run around it; a place between
// two characters of a script without spaces (CJK) is a word boundary (or a
// sentence end after an ideographic full stop); anything else is inside a
// word.
class CutClassifier {
 public:
  explicit CutClassifier(absl::string_view text) : text_(text) {}

  // Call with increasing `pos`, 0 < pos < text size: the whitespace run of
  // the previous call is reused, which keeps the pass linear.
  Cut At(size_t pos) {
    const ClassifiedChar before = DecodeBefore(text_, pos);
    const ClassifiedChar after = DecodeAt(text_, pos);
    if (IsWhitespace(before.cls) || IsWhitespace(after.cls)) {
      if (pos < run_begin_ || pos > run_end_) RateRunAround(pos);
      return run_cut_;
    }
    if (before.cls == CharClass::kCjk || after.cls == CharClass::kCjk) {
      return EndsSentence(pos) ? Cut::kSentence : Cut::kWord;
    }
    return Cut::kNone;
  }

 private:
  void RateRunAround(size_t pos) {
    size_t begin = pos;
    while (begin > 0) {
      const ClassifiedChar c = DecodeBefore(text_, begin);
      if (!IsWhitespace(c.cls)) break;
      begin -= c.size;
    }
    size_t end = pos;
    while (end < text_.size()) {
      const ClassifiedChar c = DecodeAt(text_, end);
      if (!IsWhitespace(c.cls)) break;
      end += c.size;
    }
    run_begin_ = begin;
    run_end_ = end;
    const int line_breaks = CountLineBreaks(text_.substr(begin, end - begin));
    // "e.g. the" is no sentence end: the next sentence starts in upper case.
    const bool next_is_lower = end < text_.size() && IsAsciiLower(text_[end]);
    if (line_breaks >= 2) {
      run_cut_ = Cut::kParagraph;
    } else if (EndsSentence(begin) && !next_is_lower) {
      run_cut_ = Cut::kSentence;
    } else {
      run_cut_ = line_breaks == 1 ? Cut::kLine : Cut::kWord;
    }
  }

  // Whether the text before `pos` ends with a sentence stop, possibly
  // followed by closing quotes or brackets.
  bool EndsSentence(size_t pos) const {
    for (int i = 0; pos > 0 && i < 4; ++i) {
      const ClassifiedChar c = DecodeBefore(text_, pos);
      if (IsOneOf(c.code_point, kSentenceEnds)) return true;
      if (!IsOneOf(c.code_point, kClosers)) return false;
      pos -= c.size;
    }
    return false;
  }

  absl::string_view text_;
  size_t run_begin_ = 1;  // the last whitespace run rated (initially none)
  size_t run_end_ = 0;
  Cut run_cut_ = Cut::kNone;
};

// The rating of every token start, plus the end of the text (the best cut).
std::vector<Cut> RateCuts(absl::string_view text,
                          const std::vector<size_t>& starts) {
  std::vector<Cut> cuts(starts.size() + 1, Cut::kNone);
  CutClassifier classifier(text);
  for (size_t i = 1; i < starts.size(); ++i) cuts[i] = classifier.At(starts[i]);
  cuts[starts.size()] = Cut::kParagraph;
  return cuts;
}

// Where the chunk starting at token `begin` ends (a token index, exclusive):
// the best-rated cut in the last quarter of the window, the latest one among
// equals; else the latest cut in the window; else (one word longer than the
// window) the window's end. It always ends after token `previous_end`, where
// the previous chunk ended, so that every chunk adds text (the window reaches
// past it because the overlap is at most half a window).
size_t ChooseEnd(const std::vector<Cut>& cuts, size_t begin,
                 size_t previous_end, size_t max_tokens) {
  const size_t total = cuts.size() - 1;
  if (total - begin <= max_tokens) return total;
  const size_t limit = begin + max_tokens;
  const size_t low =
      std::max(begin + (3 * max_tokens + 3) / 4, previous_end + 1);
  size_t best = limit;
  Cut best_cut = Cut::kNone;
  for (size_t j = limit; j >= low && best_cut != Cut::kParagraph; --j) {
    if (cuts[j] > best_cut) {
      best = j;
      best_cut = cuts[j];
    }
  }
  if (best_cut != Cut::kNone) return best;
  for (size_t j = low - 1; j > previous_end; --j) {
    if (cuts[j] != Cut::kNone) return j;
  }
  return limit;
}

// Where the chunk after one spanning tokens [begin, end) starts: the first
// word start at most `overlap` tokens before `end` (mid-word only if the
// whole overlap is one word), and always after `begin`.
size_t ChooseNextBegin(const std::vector<Cut>& cuts, size_t begin, size_t end,
                       size_t overlap) {
  if (overlap == 0) return end;
  const size_t target = end > begin + overlap ? end - overlap : begin + 1;
  for (size_t j = target; j < end; ++j) {
    if (cuts[j] != Cut::kNone) return j;
  }
  return target;
}

Chunk MakeChunk(const JoinedText& joined, int64_t char_start, int64_t char_end,
                int tokens, int index) {
  Chunk chunk;
  chunk.index = index;
  chunk.text = joined.text.substr(char_start, char_end - char_start);
  chunk.char_start = char_start;
  chunk.char_end = char_end;
  chunk.tokens = tokens;
  // The first page ending after the chunk's start, the last beginning before
  // its end (a chunk touching only a page separator gets the page after it).
  const auto first = std::partition_point(
      joined.pages.begin(), joined.pages.end(),
      [&](const PageSpan& page) { return page.end <= char_start; });
  const auto last_end = std::partition_point(
      first, joined.pages.end(),
      [&](const PageSpan& page) { return page.begin < char_end; });
  chunk.page_start = first->number;
  chunk.page_end = last_end == first ? first->number : (last_end - 1)->number;
  for (auto page = first + 1; page < last_end; ++page) {
    chunk.page_breaks.emplace_back(static_cast<int>(page->begin - char_start), page->number);
  }
  return chunk;
}

}  // namespace

absl::Status ValidateChunkingOptions(const ChunkingOptions& options) {
  if (options.max_tokens < kMinMaxTokens ||
      options.max_tokens > kMaxMaxTokens) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_chunk_size_tokens must be between ", kMinMaxTokens,
                     " and ", kMaxMaxTokens, ", got ", options.max_tokens));
  }
  if (options.overlap_tokens < 0 ||
      options.overlap_tokens > options.max_tokens / 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "chunk_overlap_tokens must be between 0 and half of "
        "max_chunk_size_tokens (",
        options.max_tokens / 2, "), got ", options.overlap_tokens));
  }
  return absl::OkStatus();
}

std::string DocumentText(const extract::Document& doc) {
  return JoinPages(doc).text;
}

std::vector<Chunk> ChunkDocument(const extract::Document& doc,
                                 const ChunkingOptions& options) {
  const int max_tokens =
      std::clamp(options.max_tokens, kMinMaxTokens, kMaxMaxTokens);
  const int overlap = std::clamp(options.overlap_tokens, 0, max_tokens / 2);
  const JoinedText joined = JoinPages(doc);
  if (joined.text.empty()) return {};

  const std::vector<size_t> starts = TokenStarts(joined.text);
  const std::vector<Cut> cuts = RateCuts(joined.text, starts);
  const auto offset = [&](size_t token) {
    return static_cast<int64_t>(token < starts.size() ? starts[token]
                                                      : joined.text.size());
  };
  std::vector<Chunk> chunks;
  size_t begin = 0;
  size_t previous_end = 0;
  while (true) {
    const size_t end = ChooseEnd(cuts, begin, previous_end, max_tokens);
    chunks.push_back(MakeChunk(joined, offset(begin), offset(end),
                               static_cast<int>(end - begin),
                               static_cast<int>(chunks.size())));
    if (end == starts.size()) break;
    begin = ChooseNextBegin(cuts, begin, end, overlap);
    previous_end = end;
  }
  return chunks;
}

}  // namespace assistd::chunk
