#ifndef ASSISTD_TESTS_UTIL_ZIPF_WORDS_H_
#define ASSISTD_TESTS_UTIL_ZIPF_WORDS_H_

// Random text for keyword-index tests: words with stems in common, case and
// diacritics (so tokenizing matters) ahead of numbered filler words, drawn
// Zipf-like, so that a few words are in most chunks and most in few.

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace assistd::testing {

// `head` first (the most frequent), then "w0" .. "w<numbered - 1>".
inline std::vector<std::string> ZipfVocabulary(std::vector<std::string> head, int numbered) {
  for (int i = 0; i < numbered; ++i) head.push_back(absl::StrCat("w", i));
  return head;
}

// `n` words of `vocabulary`, low ranks far more often, joined by spaces.
inline std::string ZipfWords(const std::vector<std::string>& vocabulary, std::mt19937& rng,
                             int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    out.push_back(vocabulary[static_cast<size_t>(std::pow(u, 2.5) * (vocabulary.size() - 1))]);
  }
  return absl::StrJoin(out, " ");
}

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_UTIL_ZIPF_WORDS_H_
