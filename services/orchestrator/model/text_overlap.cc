#include "services/orchestrator/model/text_overlap.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "absl/strings/match.h"
#include "common/utf8.h"

namespace assistd::model {
namespace {

// Sorted, for binary search. Contraction fragments ("doesn" of "doesn't")
// are here because the apostrophe splits words.
constexpr absl::string_view kStopwords[] = {
    "a",        "about",      "above",    "after",   "again",   "against", "all",     "also",
    "am",       "an",         "and",      "any",     "are",     "aren",    "as",      "at",
    "be",       "because",    "been",     "before",  "being",   "below",   "between", "both",
    "but",      "by",         "can",      "cannot",  "could",   "couldn",  "did",     "didn",
    "do",       "does",       "doesn",    "doing",   "don",     "down",    "during",  "each",
    "either",   "else",       "ever",     "every",   "explain", "few",     "find",    "for",
    "from",     "further",    "get",      "gets",    "give",    "got",     "had",     "hadn",
    "has",      "hasn",       "have",     "haven",   "having",  "he",      "her",     "here",
    "hers",     "herself",    "him",      "himself", "his",     "how",     "however", "i",
    "if",       "in",         "into",     "is",      "isn",     "it",      "its",     "itself",
    "just",     "know",       "let",      "like",    "ll",      "me",      "might",   "more",
    "most",     "much",       "must",     "my",      "myself",  "need",    "no",      "nor",
    "not",      "now",        "of",       "off",     "on",      "once",    "one",     "only",
    "or",       "other",      "others",   "our",     "ours",    "out",     "over",    "own",
    "please",   "re",         "said",     "same",    "say",     "says",    "shall",   "she",
    "should",   "shouldn",    "show",     "so",      "some",    "such",    "tell",    "than",
    "that",     "the",        "their",    "theirs",  "them",    "then",    "there",   "these",
    "they",     "thing",      "things",   "this",    "those",   "through", "to",      "too",
    "under",    "until",      "up",       "upon",    "us",      "use",     "used",    "using",
    "ve",       "very",       "via",      "was",     "wasn",    "way",     "we",      "were",
    "weren",    "what",       "whatever", "when",    "where",   "whether", "which",   "while",
    "who",      "whom",       "whose",    "why",     "will",    "with",    "within",  "without",
    "won",      "would",      "wouldn",   "yes",     "yet",     "you",     "your",    "yours",
    "yourself", "yourselves",
};

// Letters of any script, digits; not Unicode punctuation, symbols or
// emoji, which fall in these blocks.
bool IsWordCodePoint(char32_t cp) {
  if (cp < 0x80) return absl::ascii_isalnum(static_cast<unsigned char>(cp));
  if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // punctuation, symbols, arrows
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
  if (cp >= 0xFE10 && cp <= 0xFE6F) return false;  // vertical/small forms
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;  // fullwidth punctuation
  if (cp >= 0xFF1A && cp <= 0xFF20) return false;
  if (cp >= 0xFF3B && cp <= 0xFF40) return false;
  if (cp >= 0xFF5B && cp <= 0xFF65) return false;
  if (cp >= 0xFFF0 && cp <= 0xFFFF) return false;    // specials, U+FFFD
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return false;  // emoji
  return true;
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// "running" -> "run" after "ing" is gone; not "ll", "ss", "zz".
void Undouble(std::string* s) {
  const size_t n = s->size();
  if (n < 4) return;
  const char c = (*s)[n - 1];
  if (c == (*s)[n - 2] && absl::ascii_isalpha(c) && !IsVowel(c) && c != 'l' && c != 's' &&
      c != 'z') {
    s->pop_back();
  }
}

bool IsContent(absl::string_view word) {
  if (word.size() == 1 && absl::ascii_isalpha(word[0])) return false;
  return !IsStopword(word);
}

// FNV-1a over words with a separator, so ["ab","c"] != ["a","bc"].
uint64_t HashRun(const std::vector<std::string>& words, size_t begin, size_t count) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = begin; i < begin + count; ++i) {
    for (char c : words[i]) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
    h ^= 0x1F;
    h *= 1099511628211ull;
  }
  return h;
}

std::vector<std::string> ContentOf(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const std::string& w : words) {
    if (IsContent(w)) out.push_back(Stem(w));
  }
  return out;
}

constexpr absl::string_view kAbbreviations[] = {"approx", "ca",   "cf",  "ch", "dr",  "eq",  "fig",
                                                "figs",   "mr",   "mrs", "ms", "no",  "nos", "p",
                                                "pp",     "prof", "sec", "st", "vol", "vs"};

// The word that ends just before the period at `dot`.
absl::string_view WordBefore(absl::string_view text, size_t dot) {
  size_t begin = dot;
  while (begin > 0 && absl::ascii_isalnum(static_cast<unsigned char>(text[begin - 1]))) --begin;
  return text.substr(begin, dot - begin);
}

// Whether the period at `dot` (followed by whitespace at `next`) ends no
// sentence: "e.g. the", "Fig. 3", "Dr. Smith".
bool IsAbbreviationDot(absl::string_view text, size_t dot, size_t next) {
  const absl::string_view word = WordBefore(text, dot);
  if (word.empty()) return false;
  for (absl::string_view a : kAbbreviations) {
    if (absl::EqualsIgnoreCase(word, a)) return true;
  }
  while (next < text.size() && (text[next] == ' ' || text[next] == '\t')) ++next;
  if (next >= text.size()) return false;
  const auto following = static_cast<unsigned char>(text[next]);
  const bool lower_follows = absl::ascii_islower(following) || absl::ascii_isdigit(following);
  const bool dotted = dot > word.size() && text[dot - word.size() - 1] == '.';  // "e.g."
  return lower_follows && (word.size() == 1 || dotted);
}

// Closing punctuation that stays with the sentence before it.
size_t ClosingLength(absl::string_view text, size_t pos) {
  const char c = text[pos];
  if (c == '"' || c == '\'' || c == ')' || c == ']' || c == '*' || c == '_') return 1;
  for (absl::string_view close : {"\u2019", "\u201D", "\u00BB"}) {
    if (absl::StartsWith(text.substr(pos), close)) return close.size();
  }
  return 0;
}

bool IsCjkStop(absl::string_view text, size_t pos) {
  for (absl::string_view stop : {"\u3002", "\uFF01", "\uFF1F"}) {
    if (absl::StartsWith(text.substr(pos), stop)) return true;
  }
  return false;
}

bool BlankLineFollows(absl::string_view text, size_t newline) {
  size_t i = newline + 1;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
  return i < text.size() && text[i] == '\n';
}

bool IsBlockquoteLineAt(absl::string_view text, size_t pos) {
  if (pos > 0 && text[pos - 1] != '\n') return false;
  while (pos < text.size() && text[pos] == ' ') ++pos;
  return pos < text.size() && text[pos] == '>';
}

class SentenceSplitter {
 public:
  SentenceSplitter(absl::string_view text, bool lines_are_breaks)
      : text_(text), lines_are_breaks_(lines_are_breaks) {}

  std::vector<TextSpan> Split() {
    size_t i = 0;
    while (i < text_.size()) i = Step(i);
    Flush(text_.size());
    return std::move(spans_);
  }

 private:
  // Handles the text at `i`; returns where to continue.
  size_t Step(size_t i) {
    const char c = text_[i];
    if (c == '\n') {
      if (lines_are_breaks_ || BlankLineFollows(text_, i) || HeadingEndsAt(i)) Flush(i);
      return i + 1;
    }
    if (lines_are_breaks_ && IsBlockquoteLineAt(text_, i)) {
      Flush(i);
      size_t end = text_.find('\n', i);
      if (end == absl::string_view::npos) end = text_.size();
      Flush(end);
      return end;
    }
    if (c == '.' || c == '!' || c == '?') return AfterPunctuation(i);
    if (IsCjkStop(text_, i)) {
      Flush(i + 3);
      return i + 3;
    }
    return i + 1;
  }

  size_t AfterPunctuation(size_t i) {
    size_t j = i + 1;
    while (j < text_.size() && (text_[j] == '.' || text_[j] == '!' || text_[j] == '?')) ++j;
    while (j < text_.size()) {
      const size_t len = ClosingLength(text_, j);
      if (len == 0) break;
      j += len;
    }
    const bool space_follows =
        j == text_.size() || absl::ascii_isspace(static_cast<unsigned char>(text_[j]));
    if (!space_follows) return j;
    if (text_[i] == '.' && j == i + 1 && IsAbbreviationDot(text_, i, j)) return j;
    Flush(j);
    return j;
  }

  // A short line without closing punctuation followed by a line that
  // starts a sentence is a heading ("3. Maintenance"), not a wrapped line.
  bool HeadingEndsAt(size_t newline) const {
    const size_t prev = newline == 0 ? absl::string_view::npos : text_.rfind('\n', newline - 1);
    const size_t begin = prev == absl::string_view::npos ? 0 : prev + 1;
    const absl::string_view line =
        absl::StripAsciiWhitespace(text_.substr(begin, newline - begin));
    if (line.empty() || line.size() > kMaxHeadingBytes) return false;
    const char last = line.back();
    if (last == '.' || last == ',' || last == ';' || last == ':' || last == '!' || last == '?' ||
        last == '-') {
      return false;
    }
    size_t next = newline + 1;
    while (next < text_.size() && (text_[next] == ' ' || text_[next] == '\t')) ++next;
    return next < text_.size() && absl::ascii_isupper(static_cast<unsigned char>(text_[next]));
  }

  static constexpr size_t kMaxHeadingBytes = 40;

  void Flush(size_t end) {
    size_t b = start_;
    size_t e = end;
    while (b < e && absl::ascii_isspace(static_cast<unsigned char>(text_[b]))) ++b;
    while (e > b && absl::ascii_isspace(static_cast<unsigned char>(text_[e - 1]))) --e;
    if (b < e) spans_.push_back({b, e});
    start_ = end;
  }

  const absl::string_view text_;
  const bool lines_are_breaks_;
  size_t start_ = 0;
  std::vector<TextSpan> spans_;
};

}  // namespace

std::vector<std::string> Words(absl::string_view text) {
  std::vector<std::string> words;
  std::string current;
  size_t pos = 0;
  while (pos < text.size()) {
    const Utf8Char c = DecodeUtf8At(text, pos);
    if (c.valid && IsWordCodePoint(c.code_point)) {
      if (c.length == 1) {
        current.push_back(absl::ascii_tolower(static_cast<unsigned char>(text[pos])));
      } else {
        current.append(text.data() + pos, c.length);
      }
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
    pos += c.length;
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

bool IsStopword(absl::string_view word) {
  return std::binary_search(std::begin(kStopwords), std::end(kStopwords), word);
}

std::string Stem(absl::string_view word) {
  std::string s(word);
  if (std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); })) return s;
  if (s.size() > 4 && absl::EndsWith(s, "ies")) {
    s.replace(s.size() - 3, 3, "y");
  } else if (absl::EndsWith(s, "sses")) {
    s.resize(s.size() - 2);
  } else if (s.size() > 3 && s.back() == 's' && !absl::EndsWith(s, "ss") &&
             !absl::EndsWith(s, "us") && !absl::EndsWith(s, "is")) {
    s.pop_back();
  }
  if (s.size() > 5 && absl::EndsWith(s, "ing")) {
    s.resize(s.size() - 3);
    Undouble(&s);
  } else if (s.size() > 4 && absl::EndsWith(s, "ed") && s[s.size() - 3] != 'e') {
    s.resize(s.size() - 2);
    Undouble(&s);
  } else if (s.size() > 4 && absl::EndsWith(s, "ly")) {
    s.resize(s.size() - 2);
  }
  if (s.size() > 4 && s.back() == 'e') s.pop_back();
  return s;
}

std::vector<std::string> ContentWords(absl::string_view text) { return ContentOf(Words(text)); }

std::vector<TextSpan> SplitSentences(absl::string_view text, bool lines_are_breaks) {
  return SentenceSplitter(text, lines_are_breaks).Split();
}

PassageOverlap::PassageOverlap(absl::string_view passage) {
  const std::vector<std::string> words = Words(passage);
  const std::vector<std::string> content = ContentOf(words);
  words_.insert(content.begin(), content.end());
  for (size_t i = 0; i + 1 < content.size(); ++i) {
    bigrams_.insert(content[i] + " " + content[i + 1]);
  }
  for (size_t i = 0; i + kVerbatimRunWords <= words.size(); ++i) {
    runs_.insert(HashRun(words, i, kVerbatimRunWords));
  }
}

SentenceWords::SentenceWords(absl::string_view sentence) {
  const std::vector<std::string> words = Words(sentence);
  const std::vector<std::string> stems = ContentOf(words);
  absl::flat_hash_set<std::string> seen;
  for (const std::string& w : stems) {
    if (seen.insert(w).second) content.push_back(w);
  }
  seen.clear();
  for (size_t i = 0; i + 1 < stems.size(); ++i) {
    std::string bigram = stems[i] + " " + stems[i + 1];
    if (seen.insert(bigram).second) bigrams.push_back(std::move(bigram));
  }
  const size_t n = PassageOverlap::kVerbatimRunWords;
  for (size_t i = 0; i + n <= words.size(); ++i) runs.push_back(HashRun(words, i, n));
}

Overlap PassageOverlap::Measure(absl::string_view sentence) const {
  return Measure(SentenceWords(sentence));
}

Overlap PassageOverlap::Measure(const SentenceWords& sentence) const {
  Overlap out;
  out.content_words = static_cast<int>(sentence.content.size());
  if (sentence.content.empty()) return out;
  int found = 0;
  for (const std::string& w : sentence.content) found += words_.contains(w) ? 1 : 0;
  out.word_coverage = static_cast<double>(found) / sentence.content.size();
  if (!sentence.bigrams.empty()) {
    int found_bigrams = 0;
    for (const std::string& b : sentence.bigrams) found_bigrams += bigrams_.contains(b) ? 1 : 0;
    out.bigram_coverage = static_cast<double>(found_bigrams) / sentence.bigrams.size();
  }
  out.verbatim_run = std::any_of(sentence.runs.begin(), sentence.runs.end(),
                                 [this](uint64_t h) { return runs_.contains(h); });
  return out;
}

}  // namespace assistd::model
