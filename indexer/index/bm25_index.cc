#include "indexer/index/bm25_index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <utility>

#include "absl/strings/str_cat.h"

namespace assistd::index {
namespace {

// FTS5's bm25() constants (fts5_aux.c).
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
constexpr uint32_t kEnd = std::numeric_limits<uint32_t>::max();

// Weighted frequency of each distinct token of a chunk.
absl::flat_hash_map<std::string, float> Frequencies(const std::vector<std::string>& title,
                                                    const std::vector<std::string>& text,
                                                    const Bm25Options& o) {
  absl::flat_hash_map<std::string, float> freq;
  for (const std::string& t : title) freq[t] += static_cast<float>(o.title_weight);
  for (const std::string& t : text) freq[t] += static_cast<float>(o.text_weight);
  return freq;
}

}  // namespace

// One query term's walk over its postings.
struct Bm25Index::Cursor {
  const Postings* postings = nullptr;
  size_t at = 0;
  double idf = 0;
  double bound = 0;  // the most this term can add to a score

  uint32_t doc() const { return at < postings->docs.size() ? postings->docs[at] : kEnd; }
  // Moves to the first posting at or after `doc` (galloping, then binary).
  void SeekTo(uint32_t doc) {
    const std::vector<uint32_t>& d = postings->docs;
    size_t step = 1, hi = at;
    while (hi < d.size() && d[hi] < doc) {
      at = hi;
      hi += step;
      step *= 2;
    }
    at = static_cast<size_t>(std::lower_bound(d.begin() + at, d.begin() + std::min(hi, d.size()),
                                              doc) - d.begin());
  }
};

absl::Status Bm25Index::Add(int64_t id, const std::vector<std::string>& title,
                            const std::vector<std::string>& text) {
  if (doc_of_.contains(id)) return absl::InvalidArgumentError(absl::StrCat("chunk ", id, " is indexed"));
  const uint32_t doc = static_cast<uint32_t>(ids_.size());
  doc_of_[id] = doc;
  ids_.push_back(id);
  length_.push_back(static_cast<uint32_t>(title.size() + text.size()));
  live_.push_back(true);
  ++live_docs_;
  live_tokens_ += static_cast<int64_t>(title.size() + text.size());
  for (const auto& [token, f] : Frequencies(title, text, options_)) {
    Postings& p = postings_[token];
    p.docs.push_back(doc);
    p.freq.push_back(f);
    ++p.live;
  }
  return absl::OkStatus();
}

absl::Status Bm25Index::Remove(int64_t id, const std::vector<std::string>& title,
                               const std::vector<std::string>& text) {
  auto it = doc_of_.find(id);
  if (it == doc_of_.end()) return absl::NotFoundError(absl::StrCat("chunk ", id, " is not indexed"));
  const uint32_t doc = it->second;
  doc_of_.erase(it);
  live_[doc] = false;  // a tombstone: its postings are skipped
  --live_docs_;
  live_tokens_ -= length_[doc];
  for (const auto& [token, f] : Frequencies(title, text, options_)) {
    auto p = postings_.find(token);
    if (p != postings_.end()) --p->second.live;
  }
  return absl::OkStatus();
}

int64_t Bm25Index::MemoryBytes() const {
  int64_t bytes = 0;
  for (const auto& [term, p] : postings_) {
    bytes += static_cast<int64_t>(sizeof(term) + sizeof(p) + term.capacity() + 1 +
                                  p.docs.capacity() * sizeof(uint32_t) +
                                  p.freq.capacity() * sizeof(float));
  }
  bytes += static_cast<int64_t>(postings_.capacity() - postings_.size()) *
           static_cast<int64_t>(sizeof(std::pair<std::string, Postings>));
  bytes += static_cast<int64_t>(doc_of_.capacity() * (sizeof(int64_t) + sizeof(uint32_t) + 1) +
                                ids_.capacity() * sizeof(int64_t) +
                                length_.capacity() * sizeof(uint32_t) + live_.capacity() / 8);
  return bytes;
}

int64_t Bm25Index::DocumentFrequency(const std::string& term) const {
  auto it = postings_.find(term);
  return it == postings_.end() ? 0 : it->second.live;
}

std::vector<ScoredId> Bm25Index::Search(const std::vector<std::string>& terms, int limit,
                                        const std::function<bool(int64_t)>& accept) const {
  std::vector<ScoredId> out;
  if (limit <= 0 || live_docs_ == 0) return out;
  const double n = static_cast<double>(live_docs_);
  const double avgdl = static_cast<double>(live_tokens_) / n;
  std::vector<Cursor> cursors;
  for (const std::string& term : terms) {
    auto it = postings_.find(term);
    if (it == postings_.end() || it->second.live == 0) continue;
    const double df = static_cast<double>(it->second.live);
    double idf = std::log((n - df + 0.5) / (df + 0.5));
    if (idf <= 0.0) idf = 1e-6;
    // f / (f + k1 * norm) < 1, so a term adds less than idf * (k1 + 1).
    cursors.push_back({&it->second, 0, idf, idf * (kK1 + 1.0)});
  }
  // MaxScore: terms by bound, ascending; the ones whose bounds sum to no
  // more than the k-th best score so far cannot make a chunk enter the top
  // k alone, so they are only probed for chunks the others found.
  std::sort(cursors.begin(), cursors.end(),
            [](const Cursor& a, const Cursor& b) { return a.bound < b.bound; });
  std::vector<double> below(cursors.size() + 1, 0.0);  // below[j]: sum of bounds [0, j)
  for (size_t j = 0; j < cursors.size(); ++j) below[j + 1] = below[j] + cursors[j].bound;
  // The best `limit` so far, worst on top. Of equal scores the lower chunk
  // (added earlier, so visited earlier) ranks first, as FTS5 returns them;
  // a later chunk must score higher to enter.
  using Entry = std::pair<double, uint32_t>;
  auto worse_first = [](const Entry& a, const Entry& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(worse_first)> best(worse_first);
  double threshold = 0;
  size_t essential = 0;
  auto contribution = [&](const Cursor& c, uint32_t doc) {
    const double f = c.postings->freq[c.at];
    const double norm = kK1 * (1.0 - kB + kB * length_[doc] / avgdl);
    return c.idf * (f * (kK1 + 1.0)) / (f + norm);
  };
  while (essential < cursors.size()) {
    uint32_t doc = kEnd;
    for (size_t j = essential; j < cursors.size(); ++j) doc = std::min(doc, cursors[j].doc());
    if (doc == kEnd) break;
    double score = 0;
    for (size_t j = essential; j < cursors.size(); ++j) {
      if (cursors[j].doc() != doc) continue;
      score += contribution(cursors[j], doc);
      ++cursors[j].at;
    }
    if (!live_[doc] || (accept && !accept(ids_[doc]))) continue;
    for (size_t j = essential; j-- > 0;) {
      if (best.size() == static_cast<size_t>(limit) && score + below[j + 1] <= threshold) break;
      cursors[j].SeekTo(doc);
      if (cursors[j].doc() == doc) score += contribution(cursors[j], doc);
    }
    if (best.size() < static_cast<size_t>(limit)) {
      best.emplace(score, doc);
    } else if (score > threshold) {
      best.pop();
      best.emplace(score, doc);
    } else {
      continue;
    }
    if (best.size() == static_cast<size_t>(limit)) {
      threshold = best.top().first;
      while (essential < cursors.size() && below[essential + 1] <= threshold) ++essential;
    }
  }
  out.resize(best.size());
  for (size_t i = out.size(); i-- > 0; best.pop()) {
    out[i] = {ids_[best.top().second], best.top().first};
  }
  return out;
}

}  // namespace assistd::index
