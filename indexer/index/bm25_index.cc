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

void PutVarint(std::vector<uint8_t>& out, uint32_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

uint32_t GetVarint(const uint8_t*& p) {
  uint32_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t byte = *p++;
    v |= static_cast<uint32_t>(byte & 0x7f) << shift;
    if (byte < 0x80) return v;
  }
}

}  // namespace

Bm25Document MakeBm25Document(int64_t id, const std::vector<std::string>& title,
                              const std::vector<std::string>& text) {
  Bm25Document doc;
  doc.id = id;
  doc.length = static_cast<uint32_t>(title.size() + text.size());
  absl::flat_hash_map<absl::string_view, size_t> at;  // token -> index in doc.terms
  at.reserve(doc.length / 2);
  doc.terms.reserve(doc.length / 2);
  auto count = [&](const std::string& token, bool in_title) {
    auto [it, added] = at.try_emplace(token, doc.terms.size());
    if (added) doc.terms.push_back({token, 0, 0});
    Bm25Document::Term& t = doc.terms[it->second];
    ++(in_title ? t.title_tf : t.text_tf);
  };
  for (const std::string& t : title) count(t, true);
  for (const std::string& t : text) count(t, false);
  return doc;
}

void Bm25Index::Postings::Append(uint32_t doc, uint32_t title_tf, uint32_t text_tf) {
  // A block's first delta is from the previous block's last doc.
  uint32_t prev = block_last.empty() ? 0 : block_last.back();
  if (count % kBlock == 0) {
    block_at.push_back(static_cast<uint32_t>(bytes.size()));
    block_last.push_back(doc);
  } else {
    block_last.back() = doc;
  }
  PutVarint(bytes, doc - prev);
  PutVarint(bytes, text_tf << 1 | (title_tf > 0 ? 1 : 0));
  if (title_tf > 0) PutVarint(bytes, title_tf);
  ++count;
}

// One query term's walk over its postings, a decoded block at a time.
struct Bm25Index::Cursor {
  const Postings* postings = nullptr;
  double idf = 0;
  double bound = 0;  // the most this term can add to a score
  size_t slot = 0;   // the term's place in the query
  uint32_t block = 0, n = 0, at = 0;
  uint32_t docs[kBlock], title_tf[kBlock], text_tf[kBlock];

  void Load(uint32_t b) {
    const Postings& p = *postings;
    block = b;
    n = std::min(kBlock, p.count - b * kBlock);
    at = 0;
    const uint8_t* q = p.bytes.data() + p.block_at[b];
    uint32_t doc = b == 0 ? 0 : p.block_last[b - 1];
    for (uint32_t i = 0; i < n; ++i) {
      doc += GetVarint(q);
      docs[i] = doc;
      const uint32_t code = GetVarint(q);
      text_tf[i] = code >> 1;
      title_tf[i] = (code & 1) != 0 ? GetVarint(q) : 0;
    }
  }
  uint32_t doc() const { return at < n ? docs[at] : kEnd; }
  void Next() {
    if (++at == n && block + 1 < postings->block_last.size()) Load(block + 1);
  }
  // Moves to the first posting at or after `target`: whole blocks are
  // skipped by their last doc (galloping, then binary search).
  void SeekTo(uint32_t target) {
    if (doc() >= target) return;
    const std::vector<uint32_t>& last = postings->block_last;
    if (last[block] < target) {
      size_t lo = block + 1, step = 1, hi = lo;
      while (hi < last.size() && last[hi] < target) {
        lo = hi + 1;
        hi += step;
        step *= 2;
      }
      const size_t b = static_cast<size_t>(
          std::lower_bound(last.begin() + lo, last.begin() + std::min(hi, last.size()), target) -
          last.begin());
      if (b == last.size()) {  // past the end
        at = n;
        return;
      }
      Load(static_cast<uint32_t>(b));
    }
    while (docs[at] < target) ++at;  // the block's last doc is >= target
  }
};

absl::Status Bm25Index::Add(const Bm25Document& d) {
  if (doc_of_.contains(d.id)) {
    return absl::InvalidArgumentError(absl::StrCat("chunk ", d.id, " is indexed"));
  }
  if (ids_.size() >= kEnd - 1 && dead_docs_ > 0) Compact();  // doc numbers ran out
  if (ids_.size() >= kEnd - 1) return absl::ResourceExhaustedError("the index is full");
  const uint32_t doc = static_cast<uint32_t>(ids_.size());
  doc_of_[d.id] = doc;
  ids_.push_back(d.id);
  length_.push_back(d.length);
  live_.push_back(true);
  ++live_docs_;
  live_tokens_ += d.length;
  for (const Bm25Document::Term& t : d.terms) {
    Postings& p = postings_[t.token];
    p.Append(doc, t.title_tf, t.text_tf);
    ++p.live;
  }
  return absl::OkStatus();
}

absl::Status Bm25Index::Remove(const Bm25Document& d) {
  auto it = doc_of_.find(d.id);
  if (it == doc_of_.end()) {
    return absl::NotFoundError(absl::StrCat("chunk ", d.id, " is not indexed"));
  }
  const uint32_t doc = it->second;
  doc_of_.erase(it);
  live_[doc] = false;  // a tombstone: its postings are skipped
  --live_docs_;
  ++dead_docs_;
  live_tokens_ -= length_[doc];
  for (const Bm25Document::Term& t : d.terms) {
    auto p = postings_.find(t.token);
    if (p != postings_.end()) --p->second.live;
  }
  if (dead_docs_ > 1024 && dead_docs_ > live_docs_) Compact();
  return absl::OkStatus();
}

void Bm25Index::Compact() {
  // Live chunks get dense numbers in their old order (so ties still break
  // by it), and every posting list is rewritten with them.
  std::vector<uint32_t> renumber(ids_.size(), kEnd);
  std::vector<int64_t> ids;
  std::vector<uint32_t> length;
  for (uint32_t d = 0; d < ids_.size(); ++d) {
    if (!live_[d]) continue;
    renumber[d] = static_cast<uint32_t>(ids.size());
    doc_of_[ids_[d]] = renumber[d];
    ids.push_back(ids_[d]);
    length.push_back(length_[d]);
  }
  for (auto it = postings_.begin(); it != postings_.end();) {
    Postings& old = it->second;
    Postings kept;
    kept.live = old.live;
    Cursor c;
    c.postings = &old;
    if (old.count > 0) c.Load(0);
    for (; c.doc() != kEnd; c.Next()) {
      const uint32_t doc = renumber[c.docs[c.at]];
      if (doc != kEnd) kept.Append(doc, c.title_tf[c.at], c.text_tf[c.at]);
    }
    if (kept.count == 0) {
      postings_.erase(it++);
      continue;
    }
    old = std::move(kept);
    old.bytes.shrink_to_fit();
    old.block_last.shrink_to_fit();
    old.block_at.shrink_to_fit();
    ++it;
  }
  ids_ = std::move(ids);
  length_ = std::move(length);
  live_.assign(ids_.size(), true);
  dead_docs_ = 0;
}

void Bm25Index::ShrinkToFit() {
  for (auto& [term, p] : postings_) {
    p.bytes.shrink_to_fit();
    p.block_last.shrink_to_fit();
    p.block_at.shrink_to_fit();
  }
  ids_.shrink_to_fit();
  length_.shrink_to_fit();
  live_.shrink_to_fit();
}

int64_t Bm25Index::MemoryBytes() const {
  int64_t bytes = 0;
  for (const auto& [term, p] : postings_) {
    bytes += static_cast<int64_t>((term.capacity() > 15 ? term.capacity() + 1 : 0) +
                                  p.bytes.capacity() +
                                  (p.block_last.capacity() + p.block_at.capacity()) *
                                      sizeof(uint32_t));
  }
  bytes += static_cast<int64_t>(postings_.capacity() *
                                (sizeof(std::pair<std::string, Postings>) + 1));
  bytes += static_cast<int64_t>(doc_of_.capacity() * (sizeof(std::pair<int64_t, uint32_t>) + 1) +
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
  for (size_t slot = 0; slot < terms.size(); ++slot) {
    auto it = postings_.find(terms[slot]);
    if (it == postings_.end() || it->second.live == 0) continue;
    const double df = static_cast<double>(it->second.live);
    double idf = std::log((n - df + 0.5) / (df + 0.5));
    if (idf <= 0.0) idf = 1e-6;
    // f / (f + k1 * norm) < 1, so a term adds less than idf * (k1 + 1).
    Cursor& c = cursors.emplace_back();
    c.postings = &it->second;
    c.idf = idf;
    c.bound = idf * (kK1 + 1.0);
    c.slot = slot;
    c.Load(0);
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
  // A term's part of a chunk's score, as fts5_aux.c computes it (FTS5 adds
  // a column's weight for each instance; with whole-number weights, ours,
  // that is exactly the product).
  auto contribution = [&](const Cursor& c, uint32_t doc) {
    const double f =
        options_.title_weight * c.title_tf[c.at] + options_.text_weight * c.text_tf[c.at];
    return c.idf * ((f * (kK1 + 1.0)) / (f + kK1 * (1.0 - kB + kB * length_[doc] / avgdl)));
  };
  // The parts of the chunk being scored, by query term. FTS5 sums them in
  // query order; so does the final score here, bit for bit, so that equal
  // chunks score equal whatever order pruning met their terms in.
  std::vector<double> part(terms.size(), 0.0);
  while (essential < cursors.size()) {
    uint32_t doc = kEnd;
    for (size_t j = essential; j < cursors.size(); ++j) doc = std::min(doc, cursors[j].doc());
    if (doc == kEnd) break;
    double partial = 0;  // for pruning
    for (Cursor& c : cursors) part[c.slot] = 0;
    for (size_t j = essential; j < cursors.size(); ++j) {
      if (cursors[j].doc() != doc) continue;
      part[cursors[j].slot] = contribution(cursors[j], doc);
      partial += part[cursors[j].slot];
      cursors[j].Next();
    }
    if (!live_[doc] || (accept && !accept(ids_[doc]))) continue;
    bool pruned = false;
    for (size_t j = essential; j-- > 0;) {
      if (best.size() == static_cast<size_t>(limit) && partial + below[j + 1] <= threshold) {
        pruned = true;
        break;
      }
      cursors[j].SeekTo(doc);
      if (cursors[j].doc() != doc) continue;
      part[cursors[j].slot] = contribution(cursors[j], doc);
      partial += part[cursors[j].slot];
    }
    if (pruned) continue;
    double score = 0;
    for (double x : part) score += x;
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
