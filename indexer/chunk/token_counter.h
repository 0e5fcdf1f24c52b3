#ifndef ASSISTD_INDEXER_CHUNK_TOKEN_COUNTER_H_
#define ASSISTD_INDEXER_CHUNK_TOKEN_COUNTER_H_

// Approximate LLM token counts without a model's vocabulary. The estimate
// follows how byte-pair encoders such as cl100k split text: a pre-tokenizer
// cuts words (with their leading space), numbers (at most 3 digits a piece),
// runs of punctuation and whitespace; a word of Latin script is one token per
// up to 10 letters (so nearly every English word is one token); Greek,
// Cyrillic, Hebrew, Arabic cost about one token per 2 letters; other scripts
// (CJK, Hangul, Thai, Indic, ...) about one token per character. See
// docs/retrieval.md for how close this is to real tokenizers.

#include <cstddef>
#include <vector>

#include "absl/strings/string_view.h"

namespace assistd::chunk {

// Estimated number of tokens in `text` (valid UTF-8).
int CountTokens(absl::string_view text);

// The byte offset at which each estimated token starts, in order; its size
// is CountTokens(text). Offsets are always at UTF-8 character boundaries.
// The estimate is additive at these offsets: for token starts a <= b (or b =
// text.size()), CountTokens(text.substr(a, b - a)) is the number of starts
// in [a, b), so a window's tokens can be counted without re-tokenizing it.
std::vector<size_t> TokenStarts(absl::string_view text);

}  // namespace assistd::chunk

#endif  // ASSISTD_INDEXER_CHUNK_TOKEN_COUNTER_H_
