#include "bench/zipf_text.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "absl/strings/str_cat.h"

namespace assistd::bench {
namespace {

constexpr uint64_t kVocabSeed = 20261121;

}  // namespace

ZipfText::ZipfText(int vocabulary, double exponent, uint64_t draw_seed) : rng_(draw_seed) {
  static constexpr char kConsonants[] = "bcdfgklmnprstvz";
  static constexpr char kVowels[] = "aeiou";
  std::mt19937_64 gen(kVocabSeed);
  std::unordered_set<std::string> seen;
  while (static_cast<int>(words_.size()) < vocabulary) {
    std::string w;
    for (int s = 2 + static_cast<int>(gen() % 3); s > 0; --s) {
      w.push_back(kConsonants[gen() % 15]);
      w.push_back(kVowels[gen() % 5]);
      if (gen() % 4 == 0) w.push_back(kConsonants[gen() % 15]);
    }
    if (seen.insert(w).second) words_.push_back(std::move(w));
  }
  double total = 0;
  for (int r = 1; r <= vocabulary; ++r) {
    total += 1.0 / std::pow(r, exponent);
    cdf_.push_back(total);
  }
}

std::string ZipfText::Words(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) absl::StrAppend(&out, i == 0 ? "" : " ", Word());
  return out;
}

std::string ZipfText::Document(int words) {
  std::string out;
  out.reserve(static_cast<size_t>(words) * 8);
  while (words > 0) {
    if (!out.empty()) out.append("\n\n");
    for (int s = Between(3, 8); s > 0 && words > 0; --s) {
      const int n = std::min(words, Between(6, 24));
      if (out.size() > 0 && out.back() == '.') out.push_back(' ');
      out.append(Words(n)).push_back('.');
      words -= n;
    }
  }
  return out;
}

}  // namespace assistd::bench
