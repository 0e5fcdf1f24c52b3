#include "indexer/index/keyword_query.h"

#include <algorithm>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace assistd::index {
namespace {

constexpr size_t kMaxTerms = 64;

// Lucene's English stopwords plus question words, which carry no topic.
const absl::flat_hash_set<std::string>& Stopwords() {
  static const auto* const words = new absl::flat_hash_set<std::string>{
      "a",    "an",    "and",   "are",  "as",   "at",    "be",    "but",   "by",
      "for",  "if",    "in",    "into", "is",   "it",    "no",    "not",   "of",
      "on",   "or",    "such",  "that", "the",  "their", "then",  "there", "these",
      "they", "this",  "to",    "was",  "will", "with",  "what",  "which", "who",
      "whom", "how",   "why",   "when", "where", "does", "do",    "did",   "can",
      "has",  "have",  "had",   "been", "being", "its",  "from",  "any",   "so",
      "i",    "we",    "you",   "me",   "my",   "our",   "your"};
  return *words;
}

bool IsWordByte(unsigned char c) { return absl::ascii_isalnum(c) || c >= 0x80; }

}  // namespace

std::vector<std::string> QueryTerms(absl::string_view user_text) {
  std::vector<std::string> terms;
  std::set<std::string> seen;
  size_t i = 0;
  while (i < user_text.size() && terms.size() < kMaxTerms) {
    while (i < user_text.size() && !IsWordByte(user_text[i])) ++i;
    size_t start = i;
    while (i < user_text.size() && IsWordByte(user_text[i])) ++i;
    if (i == start) break;
    std::string term = absl::AsciiStrToLower(user_text.substr(start, i - start));
    if (Stopwords().contains(term) || !seen.insert(term).second) continue;
    terms.push_back(std::move(term));
  }
  return terms;
}

std::string MatchExpression(const std::vector<std::string>& terms) {
  return absl::StrJoin(terms, " OR ", [](std::string* out, const std::string& t) {
    // Inside an FTS5 string, a double quote is written twice.
    out->append("\"").append(absl::StrReplaceAll(t, {{"\"", "\"\""}})).append("\"");
  });
}

absl::StatusOr<std::vector<std::string>> InformativeTerms(std::vector<std::string> terms,
                                                          int64_t total_chunks,
                                                          const DocumentFrequencyFn& df) {
  constexpr int64_t kPruneFrom = 1000;
  if (total_chunks < kPruneFrom || terms.size() <= 1) return terms;
  const int64_t cap = total_chunks / 2 + 1;
  std::vector<std::string> kept;
  std::string rarest;
  int64_t rarest_df = cap + 1;
  for (std::string& term : terms) {
    absl::StatusOr<int64_t> count = df(term, cap);
    if (!count.ok()) return count.status();
    const int64_t n = std::min(*count, cap);
    if (n > 0 && n < rarest_df) {
      rarest_df = n;
      rarest = term;
    }
    if (n > 0 && n < cap) kept.push_back(std::move(term));
  }
  if (kept.empty() && !rarest.empty()) kept.push_back(rarest);
  return kept;
}

}  // namespace assistd::index
