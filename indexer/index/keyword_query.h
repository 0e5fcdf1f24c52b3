#ifndef ASSISTD_INDEXER_INDEX_KEYWORD_QUERY_H_
#define ASSISTD_INDEXER_INDEX_KEYWORD_QUERY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace assistd::index {

// The search terms of free user text: runs of letters and digits (any
// non-ASCII character counts as a letter, so UTF-8 words stay whole),
// lower-cased, without English stopwords, each kept once, in order. Capped
// at 64 terms.
std::vector<std::string> QueryTerms(absl::string_view user_text);

// An FTS5 MATCH expression for `terms`: each term a quoted string (so no
// character of user text can act as FTS5 syntax: `"`, `*`, `-`, `(`, NEAR,
// OR, AND, NOT, column filters), joined with OR. Empty for no terms.
std::string MatchExpression(const std::vector<std::string>& terms);

// The terms worth matching in a store of `total_chunks` chunks, the rule
// both keyword searches (FTS5 and the in-memory index) apply so that they
// rank alike: from 1,000 chunks on, with two terms or more, a term found in
// more than half of the store is left out (BM25 gives it an IDF <= 0,
// clamped to ~0, so it changes no score, but it makes nearly every chunk a
// match to score). Terms found nowhere go too. The rarest term found is
// always kept. `df(term, cap)` counts the chunks containing `term`, and may
// stop counting at `cap`.
using DocumentFrequencyFn =
    std::function<absl::StatusOr<int64_t>(const std::string& term, int64_t cap)>;
absl::StatusOr<std::vector<std::string>> InformativeTerms(std::vector<std::string> terms,
                                                          int64_t total_chunks,
                                                          const DocumentFrequencyFn& df);

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_INDEX_KEYWORD_QUERY_H_
