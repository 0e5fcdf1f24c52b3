#include "indexer/index/keyword_query.h"

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

}  // namespace assistd::index
