#ifndef ASSISTD_BENCH_ZIPF_TEXT_H_
#define ASSISTD_BENCH_ZIPF_TEXT_H_

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace assistd::bench {

// Pseudo-words with Zipf-distributed frequencies, so FTS5 posting lists
// have natural text's head and long tail. The vocabulary depends on
// a fixed seed only; the draws on `draw_seed`. Words are 2-4 syllables of
// consonant-vowel(-consonant) without h, w or y, so none is a stopword.
class ZipfText {
 public:
  ZipfText(int vocabulary, double exponent, uint64_t draw_seed);

  // `words` words in sentences of 6-24 words, 3-8 sentences a paragraph.
  std::string Document(int words);
  // `n` words separated by spaces.
  std::string Words(int n);
  // Uniform in [lo, hi].
  int Between(int lo, int hi) {
    return lo + static_cast<int>(rng_() % static_cast<uint64_t>(hi - lo + 1));
  }

 private:
  const std::string& Word() {
    const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53 * cdf_.back();
    const size_t i = std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin();
    return words_[std::min(i, words_.size() - 1)];
  }

  std::vector<std::string> words_;  // by rank
  std::vector<double> cdf_;         // cumulative weight up to each rank
  std::mt19937_64 rng_;
};

}  // namespace assistd::bench

#endif  // ASSISTD_BENCH_ZIPF_TEXT_H_
