#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_TEXT_OVERLAP_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_TEXT_OVERLAP_H_

// A small English word-overlap toolkit shared by the built-in extractive
// model (which sentences of a passage answer the question?) and the
// citation aligner (which passage does a sentence of an answer quote?).
// Words are lowercased (ASCII), split on anything that is not a letter or
// digit (non-ASCII letters count as letters; Unicode punctuation does not),
// "content words" drop stopwords and get a light suffix-stripping stem.
// Pure functions, no state, thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace assistd::model {

// The lowercased words of `text`, in order.
std::vector<std::string> Words(absl::string_view text);

// True for common English function words ("the", "does", "about", ...).
// `word` must be lowercased.
bool IsStopword(absl::string_view word);

// Strips common inflections so "pumps", "primed" and "priming" meet
// "pump" and "prime": plural -s/-es/-ies, -ing, -ed, -ly, a final -e and a
// doubled final consonant. `word` must be lowercased.
std::string Stem(absl::string_view word);

// Stems of the words of `text` that are not stopwords (nor single letters),
// in order, duplicates kept.
std::vector<std::string> ContentWords(absl::string_view text);

// A byte range [begin, end) of a text.
struct TextSpan {
  size_t begin = 0;
  size_t end = 0;
};

// Splits `text` into sentences: after ".", "!", "?" (and closing quotes or
// brackets) followed by whitespace, after "。！？", and at blank lines. With
// `lines_are_breaks` every newline ends a sentence too (markdown answers),
// and a blockquote line ("> ...") is one sentence however many it holds.
// A period after a single letter or a number ("e.g. ", "Fig. 3") does not
// end a sentence when a lowercase letter or digit follows. Spans are
// trimmed of whitespace; empty ones are dropped.
std::vector<TextSpan> SplitSentences(absl::string_view text, bool lines_are_breaks);

// How much of a sentence a passage contains.
struct Overlap {
  int content_words = 0;       // distinct content words of the sentence
  double word_coverage = 0;    // share of those in the passage
  double bigram_coverage = 0;  // share of its content-word bigrams in the passage
  bool verbatim_run = false;   // shares a run of kVerbatimRunWords words
};

// A sentence, tokenized once to be measured against many passages.
struct SentenceWords {
  explicit SentenceWords(absl::string_view sentence);
  std::vector<std::string> content;  // distinct content words
  std::vector<std::string> bigrams;  // distinct "a b" of consecutive content words
  std::vector<uint64_t> runs;        // hashes of its PassageOverlap::kVerbatimRunWords-word runs
};

// A passage, indexed once so that many sentences can be measured against
// it cheaply. Immutable after construction, thread-safe.
class PassageOverlap {
 public:
  // Consecutive words (stopwords included) that count as a verbatim quote.
  static constexpr int kVerbatimRunWords = 8;

  explicit PassageOverlap(absl::string_view passage);

  Overlap Measure(absl::string_view sentence) const;
  Overlap Measure(const SentenceWords& sentence) const;

 private:
  absl::flat_hash_set<std::string> words_;    // content words
  absl::flat_hash_set<std::string> bigrams_;  // "a b" of consecutive content words
  absl::flat_hash_set<uint64_t> runs_;        // hashes of kVerbatimRunWords-word runs
};

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_TEXT_OVERLAP_H_
