// Signed feature hashing ("the hashing trick") with a fixed hash, so vectors
// are identical across runs, builds and machines. Changing anything that
// alters the output (hash, seeds, folding, tokenisation, weights) changes
// the embedding space and must bump the "v1" in name().

#include "indexer/embed/hashed_embedder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/utf8.h"

namespace assistd::embed {
namespace {

// 64-bit FNV-1a.
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr uint64_t kFnvPrime = 0x100000001b3ull;

inline uint64_t FnvAppend(uint64_t h, absl::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

// FNV's low bits mix poorly; the murmur3 finaliser spreads every input bit
// over the index and the sign.
inline uint64_t Finalize(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// Feature families, kept in the two low bits of a feature key.
enum Family : uint64_t { kUnigram = 0, kBigram = 1, kTrigram = 2 };

// Each family starts from its own state so "ab" the word and "ab" the
// trigram are different features.
const uint64_t kFamilySeed[3] = {FnvAppend(kFnvOffset, "w1"),
                                 FnvAppend(kFnvOffset, "w2"),
                                 FnvAppend(kFnvOffset, "c3")};

inline uint64_t Key(uint64_t h, Family family) {
  return (Finalize(h) & ~uint64_t{3}) | family;
}

// ASCII letters and digits lower-cased; 0 for separators.
constexpr std::array<char, 128> MakeAsciiTable() {
  std::array<char, 128> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<char>(c);
  for (int c = 'a'; c <= 'z'; ++c) table[c] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = static_cast<char>(c - 'A' + 'a');
  return table;
}
constexpr std::array<char, 128> kAscii = MakeAsciiTable();

// U+00C0..U+00FF folded to ASCII; "" marks a separator (multiplication and
// division signs).
// clang-format off
constexpr const char* kLatin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // C0
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss", // D0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // E0
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"}; // F0
// clang-format on

// U+0100..U+017F (Latin Extended-A) as ranges of code points that fold to
// the same ASCII letters.
struct FoldRange {
  char32_t last;
  const char* ascii;
};
constexpr FoldRange kLatinExtA[] = {
    {0x105, "a"}, {0x10D, "c"}, {0x111, "d"},  {0x11B, "e"},  {0x123, "g"},
    {0x127, "h"}, {0x131, "i"}, {0x133, "ij"}, {0x135, "j"},  {0x138, "k"},
    {0x142, "l"}, {0x14B, "n"}, {0x151, "o"},  {0x153, "oe"}, {0x159, "r"},
    {0x161, "s"}, {0x167, "t"}, {0x173, "u"},  {0x175, "w"},  {0x178, "y"},
    {0x17E, "z"}, {0x17F, "s"}};

bool IsSeparator(char32_t cp) {
  return cp < 0xC0 ||                       // Latin-1 punctuation and symbols
         (cp >= 0x2000 && cp <= 0x2BFF) ||  // punctuation, arrows, math, boxes
         (cp >= 0x3000 && cp <= 0x303F) ||  // CJK punctuation
         (cp >= 0xFE30 && cp <= 0xFE4F) || cp == 0xFEFF ||
         cp == kReplacementChar;
}

// Appends the folded, lower-cased form of a non-ASCII code point to `word`;
// false if it separates words. Combining marks (U+0300..U+036F) vanish, so
// decomposed "e\u0301" folds like "é".
bool FoldNonAscii(char32_t cp, std::string* word) {
  if (cp >= 0x300 && cp <= 0x36F) return true;
  if (cp == 0xAA || cp == 0xBA) {  // feminine/masculine ordinals
    word->push_back(cp == 0xAA ? 'a' : 'o');
    return true;
  }
  if (cp == 0xB2 || cp == 0xB3 || cp == 0xB9) {  // superscript digits
    word->push_back(cp == 0xB9 ? '1' : static_cast<char>('0' + cp - 0xB0));
    return true;
  }
  if (IsSeparator(cp)) return false;
  if (cp <= 0xFF) {
    word->append(kLatin1[cp - 0xC0]);
    return kLatin1[cp - 0xC0][0] != '\0';
  }
  if (cp <= 0x17F) {
    for (const FoldRange& r : kLatinExtA) {
      if (cp <= r.last) {
        word->append(r.ascii);
        return true;
      }
    }
  }
  if (cp >= 0xFF01 && cp <= 0xFF5E) {  // full-width ASCII
    const char c = kAscii[cp - 0xFF01 + 0x21];
    if (c == 0) return false;
    word->push_back(c);
    return true;
  }
  // Simple case mapping for Greek and Cyrillic capitals; other scripts as is.
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) cp += 0x20;
  if (cp >= 0x410 && cp <= 0x42F) cp += 0x20;
  if (cp >= 0x400 && cp <= 0x40F) cp += 0x50;
  AppendUtf8(cp, word);
  return true;
}

// Splits `text` into folded words, stored back to back in `buffer`;
// `words` receives their [begin, end) offsets.
void Tokenize(absl::string_view text, std::string* buffer,
              std::vector<std::pair<uint32_t, uint32_t>>* words) {
  buffer->clear();
  words->clear();
  size_t begin = 0;
  auto end_word = [&] {
    if (buffer->size() > begin) words->emplace_back(begin, buffer->size());
    begin = buffer->size();
  };
  for (size_t i = 0; i < text.size();) {
    const unsigned char b = text[i];
    if (b < 0x80) {
      ++i;
      const char c = kAscii[b];
      if (c != 0) {
        buffer->push_back(c);
      } else {
        end_word();
      }
    } else {
      // An ill-formed sequence decodes as U+FFFD, a separator.
      const Utf8Char c = DecodeUtf8At(text, i);
      i += c.length;
      if (!FoldNonAscii(c.code_point, buffer)) end_word();
    }
  }
  end_word();
}

// Character trigrams of "^word$", counted in code points.
void AddTrigrams(absl::string_view word, std::vector<uint64_t>* keys) {
  thread_local std::string padded;
  thread_local std::vector<uint32_t> starts;  // code point offsets, then end
  padded.assign("^");
  padded.append(word.data(), word.size());
  padded.push_back('$');
  starts.clear();
  for (uint32_t i = 0; i < padded.size(); ++i) {
    if ((static_cast<unsigned char>(padded[i]) & 0xC0) != 0x80)
      starts.push_back(i);
  }
  starts.push_back(static_cast<uint32_t>(padded.size()));
  const absl::string_view all(padded);
  for (size_t s = 0; s + 3 < starts.size(); ++s) {
    const absl::string_view trigram =
        all.substr(starts[s], starts[s + 3] - starts[s]);
    keys->push_back(Key(FnvAppend(kFamilySeed[kTrigram], trigram), kTrigram));
  }
}

// Counts repeated feature keys: an open-addressing table reused across
// texts (thread-local), with generation stamps so it needs no clearing.
class FeatureCounter {
 public:
  // Starts a new text with room for `n` distinct keys.
  void Reset(size_t n) {
    size_t capacity = 64;
    while (capacity < 2 * n) capacity *= 2;
    if (capacity > keys_.size() || ++generation_ == 0) {
      keys_.assign(std::max(capacity, keys_.size()), 0);
      counts_.assign(keys_.size(), 0);
      stamps_.assign(keys_.size(), 0);
      generation_ = 1;
    }
    mask_ = keys_.size() - 1;
    order_.clear();
  }
  void Add(uint64_t key) {
    for (size_t slot = (key >> 2) & mask_;; slot = (slot + 1) & mask_) {
      if (stamps_[slot] != generation_) {
        stamps_[slot] = generation_;
        keys_[slot] = key;
        counts_[slot] = 1;
        order_.push_back(static_cast<uint32_t>(slot));
        return;
      }
      if (keys_[slot] == key) {
        ++counts_[slot];
        return;
      }
    }
  }
  // Calls fn(key, count) for each distinct key, in first-seen order.
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (uint32_t slot : order_) fn(keys_[slot], counts_[slot]);
  }

 private:
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> counts_;
  std::vector<uint32_t> stamps_;
  std::vector<uint32_t> order_;  // occupied slots, first-seen order
  uint32_t generation_ = 0;
  size_t mask_ = 0;
};

// Thread-safe: options are constant after construction and all scratch
// space is per call (or thread-local).
class HashedEmbedder final : public Embedder {
 public:
  explicit HashedEmbedder(const HashedEmbedderOptions& options)
      : options_(options),
        weights_{options.unigram_weight, options.bigram_weight,
                 options.trigram_weight} {}

  std::string name() const override {
    return absl::StrCat("hashed-v1-", options_.dimension);
  }
  int dimension() const override { return options_.dimension; }

  absl::StatusOr<std::vector<float>> Embed(
      absl::Span<const std::string> texts) override {
    if (options_.dimension <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("hashed embedder dimension must be positive, got ",
                       options_.dimension));
    }
    std::vector<float> out(texts.size() * options_.dimension, 0.0f);
    for (size_t i = 0; i < texts.size(); ++i) {
      EmbedOne(texts[i], absl::MakeSpan(out).subspan(i * options_.dimension,
                                                     options_.dimension));
    }
    return out;
  }

 private:
  void CollectKeys(absl::string_view text, std::vector<uint64_t>* keys) const;
  void EmbedOne(absl::string_view text, absl::Span<float> row) const;

  const HashedEmbedderOptions options_;
  const float weights_[3];
};

void HashedEmbedder::CollectKeys(absl::string_view text,
                                 std::vector<uint64_t>* keys) const {
  thread_local std::string buffer;
  thread_local std::vector<std::pair<uint32_t, uint32_t>> words;
  Tokenize(text, &buffer, &words);
  keys->clear();
  const absl::string_view all(buffer);
  auto word = [&](size_t i) {
    return all.substr(words[i].first, words[i].second - words[i].first);
  };
  for (size_t i = 0; i < words.size(); ++i) {
    if (options_.word_unigrams) {
      keys->push_back(Key(FnvAppend(kFamilySeed[kUnigram], word(i)), kUnigram));
    }
    if (options_.word_bigrams && i + 1 < words.size()) {
      uint64_t h = FnvAppend(kFamilySeed[kBigram], word(i));
      h = FnvAppend(FnvAppend(h, " "), word(i + 1));
      keys->push_back(Key(h, kBigram));
    }
    if (options_.char_trigrams) AddTrigrams(word(i), keys);
  }
}

void HashedEmbedder::EmbedOne(absl::string_view text,
                              absl::Span<float> row) const {
  thread_local std::vector<uint64_t> keys;
  thread_local FeatureCounter counter;
  CollectKeys(text, &keys);
  counter.Reset(keys.size());
  for (uint64_t key : keys) counter.Add(key);
  // First-seen order keeps the float sums, and so the vector, deterministic.
  const uint64_t dim = static_cast<uint64_t>(row.size());
  counter.ForEach([&](uint64_t key, uint32_t count) {
    const float tf =
        count == 1
            ? 1.0f
            : static_cast<float>(1.0 + std::log(static_cast<double>(count)));
    const float sign = (key >> 63) != 0 ? -1.0f : 1.0f;
    row[(key >> 2) % dim] += sign * weights_[key & 3] * tf;
  });
  double norm = 0;
  for (float v : row) norm += static_cast<double>(v) * v;
  if (norm == 0) return;
  const float scale = static_cast<float>(1.0 / std::sqrt(norm));
  for (float& v : row) v *= scale;
}

}  // namespace

std::unique_ptr<Embedder> NewHashedEmbedder(
    const HashedEmbedderOptions& options) {
  return std::make_unique<HashedEmbedder>(options);
}

}  // namespace assistd::embed
