#ifndef ASSISTD_INDEXER_INDEX_KEYWORD_QUERY_H_
#define ASSISTD_INDEXER_INDEX_KEYWORD_QUERY_H_

#include <string>
#include <vector>

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

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_INDEX_KEYWORD_QUERY_H_
