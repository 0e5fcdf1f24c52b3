// The only file that includes FAISS.

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/invlists/DirectMap.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "indexer/index/vector_index.h"

namespace assistd::index {
namespace {

using faiss_idx = faiss::Index::idx_t;

constexpr char kMagic[] = "AVX2";
// Compact when this share of the stored vectors are removed ones.
constexpr double kCompactAt = 0.25;

}  // namespace

// FAISS keeps its own sequential ids (0..n-1); this class maps them to the
// caller's ids and remembers removals as tombstones (compacted later), so
// every FAISS index kind behaves the same.
class FaissVectorIndex final : public VectorIndex {
 public:
  explicit FaissVectorIndex(const VectorIndexOptions& o) : options_(o) {
    index_ = std::make_unique<faiss::IndexFlatIP>(o.dimension);
  }

  int dimension() const override { return options_.dimension; }
  int64_t size() const override {
    absl::ReaderMutexLock lock(&mu_);
    return static_cast<int64_t>(position_.size());
  }
  int64_t max_id() const override {
    absl::ReaderMutexLock lock(&mu_);
    return max_id_;
  }
  absl::Status Add(absl::Span<const int64_t> ids, absl::Span<const float> vectors) override;
  absl::Status Remove(absl::Span<const int64_t> ids) override;
  absl::StatusOr<std::vector<VectorHit>> Search(
      absl::Span<const float> query, int k,
      const std::function<bool(int64_t)>& accept) const override;
  absl::StatusOr<std::vector<float>> Reconstruct(int64_t id) const override;
  std::vector<int64_t> Ids() const override;
  absl::Status Save(const std::string& path) const override;

  // Restores state read from a file (used by LoadFaissVectorIndex).
  absl::Status Restore(std::unique_ptr<faiss::Index> index, std::vector<int64_t> ids,
                       std::vector<bool> removed);

 private:
  bool IsApproximate() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return dynamic_cast<const faiss::IndexIVF*>(index_.get()) != nullptr;
  }
  // Whether the index should be rebuilt for its size: exact -> IVF at the
  // threshold, IVF retrained when 4x larger than when trained.
  bool NeedsRebuild() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    const int64_t n = static_cast<int64_t>(position_.size());
    if (!IsApproximate()) return n >= options_.approximate_threshold;
    return n >= 4 * trained_size_;
  }
  // Rebuilds from live vectors: drops removed ones, and picks exact or IVF
  // by size. Training and filling an IVF index takes seconds to a minute at
  // scale, so it runs with mu_ released: searches and other writers go on
  // with the old index meanwhile. Called with mu_ held exclusively, returns
  // with it held again; a rebuild asked for while one runs is skipped (the
  // running one catches up with what changed before it swaps).
  absl::Status RebuildReleasingLock() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const VectorIndexOptions options_;
  mutable absl::Mutex mu_;
  std::unique_ptr<faiss::Index> index_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> ids_ ABSL_GUARDED_BY(mu_);        // FAISS position -> id
  std::vector<bool> removed_ ABSL_GUARDED_BY(mu_);       // FAISS position -> removed?
  absl::flat_hash_map<int64_t, int64_t> position_ ABSL_GUARDED_BY(mu_);  // live id -> position
  int64_t max_id_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t trained_size_ ABSL_GUARDED_BY(mu_) = 0;  // live vectors at the last IVF training
  bool rebuilding_ ABSL_GUARDED_BY(mu_) = false;
};

namespace {

// An exact index below the threshold, else an IVF-Flat index trained on
// (a sample of) `vectors`, which holds n rows.
std::unique_ptr<faiss::Index> NewFaissIndex(const VectorIndexOptions& o, int64_t n,
                                            const float* vectors) {
  if (n < o.approximate_threshold) return std::make_unique<faiss::IndexFlatIP>(o.dimension);
  const int64_t nlist = std::max<int64_t>(16, static_cast<int64_t>(std::sqrt(double(n))));
  auto quantizer = new faiss::IndexFlatIP(o.dimension);
  auto ivf = std::make_unique<faiss::IndexIVFFlat>(quantizer, o.dimension, nlist,
                                                   faiss::METRIC_INNER_PRODUCT);
  ivf->own_fields = true;
  ivf->nprobe = o.ivf_nprobe;
  ivf->cp.min_points_per_centroid = 1;  // small stores train on what they have, quietly
  // Rows are in insertion order; a strided sample covers the whole store.
  const int64_t sample = std::min<int64_t>(n, 64 * nlist);
  std::vector<float> train(static_cast<size_t>(sample) * o.dimension);
  for (int64_t i = 0; i < sample; ++i) {
    const int64_t row = i * n / sample;
    std::copy_n(vectors + row * o.dimension, o.dimension, train.data() + i * o.dimension);
  }
  ivf->train(sample, train.data());
  ivf->set_direct_map_type(faiss::DirectMap::Array);  // for reconstruct()
  return ivf;
}

void LogIfFailed(const absl::Status& rebuild) {
  if (!rebuild.ok()) {
    LogWarning("vector index: rebuild failed (kept the old index): ", rebuild.ToString());
  }
}

absl::Status FaissError(const char* what, const faiss::FaissException& e) {
  return absl::InternalError(absl::StrCat("faiss ", what, ": ", e.what()));
}

}  // namespace

absl::Status FaissVectorIndex::Add(absl::Span<const int64_t> ids,
                                   absl::Span<const float> vectors) {
  const size_t d = static_cast<size_t>(options_.dimension);
  if (vectors.size() != ids.size() * d) {
    return absl::InvalidArgumentError(absl::StrCat(
        "got ", vectors.size(), " floats for ", ids.size(), " ids of dimension ", d));
  }
  absl::WriterMutexLock lock(&mu_);
  for (int64_t id : ids) {
    if (position_.contains(id)) return absl::InvalidArgumentError(absl::StrCat("id ", id, " is already indexed"));
  }
  try {
    index_->add(static_cast<faiss_idx>(ids.size()), vectors.data());
  } catch (const faiss::FaissException& e) {
    return FaissError("add", e);
  }
  for (int64_t id : ids) {
    position_[id] = static_cast<int64_t>(ids_.size());
    ids_.push_back(id);
    removed_.push_back(false);
    max_id_ = std::max(max_id_, id);
  }
  // The vectors are in: a failed rebuild leaves the index as it was, usable.
  if (NeedsRebuild()) LogIfFailed(RebuildReleasingLock());
  return absl::OkStatus();
}

absl::Status FaissVectorIndex::Remove(absl::Span<const int64_t> ids) {
  absl::WriterMutexLock lock(&mu_);
  for (int64_t id : ids) {
    auto it = position_.find(id);
    if (it == position_.end()) continue;
    removed_[it->second] = true;
    position_.erase(it);
  }
  const double dead = 1.0 - static_cast<double>(position_.size()) / std::max<size_t>(1, ids_.size());
  if (dead >= kCompactAt) LogIfFailed(RebuildReleasingLock());
  return absl::OkStatus();
}

absl::Status FaissVectorIndex::RebuildReleasingLock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (rebuilding_) return absl::OkStatus();
  const size_t d = static_cast<size_t>(options_.dimension);
  // The live vectors as of now, in position order.
  std::vector<int64_t> fresh_ids;
  std::vector<float> live;
  live.reserve(position_.size() * d);
  std::vector<float> row(d);
  const size_t snapshot_end = ids_.size();
  try {
    for (size_t pos = 0; pos < snapshot_end; ++pos) {
      if (removed_[pos]) continue;
      index_->reconstruct(static_cast<faiss_idx>(pos), row.data());
      live.insert(live.end(), row.begin(), row.end());
      fresh_ids.push_back(ids_[pos]);
    }
  } catch (const faiss::FaissException& e) {
    return FaissError("rebuild", e);
  }
  rebuilding_ = true;
  mu_.WriterUnlock();
  const int64_t n = static_cast<int64_t>(fresh_ids.size());
  std::unique_ptr<faiss::Index> fresh;
  absl::Status built;
  try {
    fresh = NewFaissIndex(options_, n, live.data());
    fresh->add(static_cast<faiss_idx>(n), live.data());
  } catch (const std::exception& e) {  // also bad_alloc: the lock must be retaken
    built = absl::InternalError(absl::StrCat("faiss rebuild: ", e.what()));
  }
  mu_.WriterLock();
  rebuilding_ = false;
  if (!built.ok()) return built;
  // Catch up with the vectors added meanwhile; the ones removed meanwhile
  // are no longer in position_ and become tombstones.
  live.clear();
  try {
    for (size_t pos = snapshot_end; pos < ids_.size(); ++pos) {
      if (removed_[pos]) continue;
      index_->reconstruct(static_cast<faiss_idx>(pos), row.data());
      live.insert(live.end(), row.begin(), row.end());
      fresh_ids.push_back(ids_[pos]);
    }
    fresh->add(static_cast<faiss_idx>(live.size() / d), live.data());
  } catch (const faiss::FaissException& e) {
    return FaissError("rebuild", e);
  }
  absl::flat_hash_map<int64_t, int64_t> fresh_position;
  std::vector<bool> fresh_removed(fresh_ids.size(), false);
  for (size_t pos = 0; pos < fresh_ids.size(); ++pos) {
    const int64_t id = fresh_ids[pos];
    if (!position_.contains(id)) {
      fresh_removed[pos] = true;
      continue;
    }
    // An id removed and added again meanwhile is here twice: the later
    // vector is the live one.
    auto [it, inserted] = fresh_position.try_emplace(id, static_cast<int64_t>(pos));
    if (!inserted) {
      fresh_removed[it->second] = true;
      it->second = static_cast<int64_t>(pos);
    }
  }
  index_ = std::move(fresh);
  if (IsApproximate()) trained_size_ = n;
  ids_ = std::move(fresh_ids);
  removed_ = std::move(fresh_removed);
  position_ = std::move(fresh_position);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<VectorHit>> FaissVectorIndex::Search(
    absl::Span<const float> query, int k, const std::function<bool(int64_t)>& accept) const {
  if (query.size() != static_cast<size_t>(options_.dimension)) {
    return absl::InvalidArgumentError(absl::StrCat("query has dimension ", query.size(),
                                                   ", the index ", options_.dimension));
  }
  absl::ReaderMutexLock lock(&mu_);
  std::vector<VectorHit> hits;
  const faiss_idx total = index_->ntotal;
  if (k <= 0 || total == 0) return hits;
  faiss::SearchParametersIVF ivf_params;
  const faiss::SearchParameters* params = nullptr;
  if (const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index_.get())) {
    ivf_params.nprobe = ivf->nprobe;
    ivf_params.max_codes = static_cast<size_t>(options_.ivf_scan_factor * ivf->nprobe *
                                               static_cast<double>(total) / ivf->nlist);
    params = &ivf_params;
  }
  // Removed and rejected ids are filtered here, so ask for more until k
  // survive or everything reachable has been seen (an IVF search that
  // returned fewer than it was asked for has nothing more in its lists).
  for (faiss_idx want = std::min<faiss_idx>(total, 2 * k + 16);; want = std::min(total, want * 4)) {
    std::vector<float> scores(want);
    std::vector<faiss_idx> labels(want);
    try {
      index_->search(1, query.data(), want, scores.data(), labels.data(), params);
    } catch (const faiss::FaissException& e) {
      return FaissError("search", e);
    }
    hits.clear();
    bool exhausted = false;
    for (faiss_idx i = 0; i < want && static_cast<int>(hits.size()) < k; ++i) {
      if (labels[i] < 0) {
        exhausted = true;
        break;
      }
      if (removed_[labels[i]]) continue;
      const int64_t id = ids_[labels[i]];
      if (accept && !accept(id)) continue;
      hits.push_back({id, scores[i]});
    }
    if (static_cast<int>(hits.size()) >= k || exhausted || want >= total) return hits;
  }
}

absl::StatusOr<std::vector<float>> FaissVectorIndex::Reconstruct(int64_t id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = position_.find(id);
  if (it == position_.end()) return absl::NotFoundError(absl::StrCat("no vector for id ", id));
  std::vector<float> row(static_cast<size_t>(options_.dimension));
  try {
    index_->reconstruct(static_cast<faiss_idx>(it->second), row.data());
  } catch (const faiss::FaissException& e) {
    return FaissError("reconstruct", e);
  }
  return row;
}

std::vector<int64_t> FaissVectorIndex::Ids() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<int64_t> out;
  out.reserve(position_.size());
  for (size_t pos = 0; pos < ids_.size(); ++pos) {
    if (!removed_[pos]) out.push_back(ids_[pos]);
  }
  return out;
}

namespace {

// File layout: "AVX2", dimension u32, count u64, count x (id i64,
// removed u8), the faiss index (write_index), then the CRC-32 of every byte
// before it. Written and read in a stream: no copy of the index in memory.

// Adds `len` bytes to a running CRC-32 (zlib takes at most 4 GiB a call).
uLong CrcUpdate(uLong crc, const void* data, size_t len) {
  const Bytef* p = static_cast<const Bytef*>(data);
  while (len > 0) {
    const uInt n = static_cast<uInt>(std::min<size_t>(len, size_t{1} << 30));
    crc = crc32(crc, p, n);
    p += n;
    len -= n;
  }
  return crc;
}

// A FILE* sink that keeps the CRC of what went through it.
class CrcFileWriter final : public faiss::IOWriter {
 public:
  explicit CrcFileWriter(FILE* f) : f_(f) {}
  size_t operator()(const void* ptr, size_t size, size_t nitems) override {
    const size_t n = std::fwrite(ptr, size, nitems, f_);
    crc_ = CrcUpdate(crc_, ptr, size * n);
    return n;
  }
  template <typename T>
  bool Put(T v) { return (*this)(&v, sizeof(T), 1) == 1; }
  uint32_t crc() const { return static_cast<uint32_t>(crc_); }

 private:
  FILE* const f_;
  uLong crc_ = crc32(0, nullptr, 0);
};

// A FILE* source for read_index that never reads past `limit` bytes.
class BoundedFileReader final : public faiss::IOReader {
 public:
  BoundedFileReader(FILE* f, uint64_t limit) : f_(f), left_(limit) {}
  size_t operator()(void* ptr, size_t size, size_t nitems) override {
    if (size == 0) return 0;
    nitems = std::min<uint64_t>(nitems, left_ / size);
    const size_t n = std::fread(ptr, size, nitems, f_);
    left_ -= n * size;
    return n;
  }
  template <typename T>
  bool Get(T* v) { return (*this)(v, sizeof(T), 1) == 1; }
  uint64_t left() const { return left_; }

 private:
  FILE* const f_;
  uint64_t left_;
};

// Whether the file's last 4 bytes are the CRC-32 of the rest; reads it in
// blocks, so a corrupt file is rejected before anything trusts its sizes.
absl::StatusOr<uint64_t> VerifyChecksum(FILE* f) {
  if (std::fseek(f, 0, SEEK_END) != 0) return absl::DataLossError("cannot seek");
  const long size = std::ftell(f);
  if (size < 8) return absl::DataLossError("truncated");
  std::rewind(f);
  std::vector<char> buf(1 << 20);
  uLong crc = crc32(0, nullptr, 0);
  uint64_t left = static_cast<uint64_t>(size) - 4;
  while (left > 0) {
    const size_t n = std::fread(buf.data(), 1, std::min<uint64_t>(left, buf.size()), f);
    if (n == 0) return absl::DataLossError("short read");
    crc = CrcUpdate(crc, buf.data(), n);
    left -= n;
  }
  uint32_t stored = 0;
  if (std::fread(&stored, 4, 1, f) != 1 || stored != static_cast<uint32_t>(crc)) {
    return absl::DataLossError("checksum mismatch");
  }
  std::rewind(f);
  return static_cast<uint64_t>(size) - 4;
}

}  // namespace

absl::Status FaissVectorIndex::Save(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wbe");
  if (f == nullptr) return absl::InternalError(absl::StrCat("cannot create ", tmp));
  CrcFileWriter w(f);
  bool ok = w(kMagic, 1, 4) == 4;
  {
    absl::ReaderMutexLock lock(&mu_);
    ok = ok && w.Put<uint32_t>(static_cast<uint32_t>(options_.dimension)) &&
         w.Put<uint64_t>(ids_.size());
    for (size_t i = 0; ok && i < ids_.size(); ++i) {
      ok = w.Put<int64_t>(ids_[i]) && w.Put<uint8_t>(removed_[i] ? 1 : 0);
    }
    try {
      if (ok) faiss::write_index(index_.get(), &w);
    } catch (const faiss::FaissException&) {
      ok = false;
    }
  }
  const uint32_t crc = w.crc();
  ok = ok && std::fwrite(&crc, 4, 1, f) == 1 && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot write the vector index ", path));
  }
  return absl::OkStatus();
}

absl::Status FaissVectorIndex::Restore(std::unique_ptr<faiss::Index> index,
                                       std::vector<int64_t> ids, std::vector<bool> removed) {
  absl::WriterMutexLock lock(&mu_);
  index_ = std::move(index);
  ids_ = std::move(ids);
  removed_ = std::move(removed);
  position_.clear();
  for (size_t pos = 0; pos < ids_.size(); ++pos) {
    max_id_ = std::max(max_id_, ids_[pos]);
    if (!removed_[pos]) position_[ids_[pos]] = static_cast<int64_t>(pos);
  }
  if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(index_.get())) {
    ivf->nprobe = options_.ivf_nprobe;
    trained_size_ = static_cast<int64_t>(position_.size());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<VectorIndex>> NewFaissVectorIndex(const VectorIndexOptions& options) {
  if (options.dimension <= 0 || options.dimension > 65536) {
    return absl::InvalidArgumentError(absl::StrCat("bad vector dimension ", options.dimension));
  }
  return std::unique_ptr<VectorIndex>(new FaissVectorIndex(options));
}

absl::StatusOr<std::unique_ptr<VectorIndex>> LoadFaissVectorIndex(
    const std::string& path, const VectorIndexOptions& options) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rbe"), &std::fclose);
  if (f == nullptr) return absl::NotFoundError(absl::StrCat("no vector index at ", path));
  auto corrupt = [&](absl::string_view why) {
    return absl::DataLossError(absl::StrCat("vector index ", path, " is unusable: ", why));
  };
  absl::StatusOr<uint64_t> body = VerifyChecksum(f.get());
  if (!body.ok()) return corrupt(body.status().message());
  BoundedFileReader r(f.get(), *body);
  char magic[4];
  uint32_t dim = 0;
  uint64_t count = 0;
  if (r(magic, 1, 4) != 4 || std::memcmp(magic, kMagic, 4) != 0) return corrupt("bad header");
  if (!r.Get(&dim) || !r.Get(&count)) return corrupt("truncated");
  if (static_cast<int>(dim) != options.dimension) return corrupt("dimension differs");
  if (count > r.left() / 9) return corrupt("id map larger than the file");
  std::vector<int64_t> ids(count);
  std::vector<bool> removed(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t gone = 0;
    if (!r.Get(&ids[i]) || !r.Get(&gone)) return corrupt("truncated ids");
    removed[i] = gone != 0;
  }
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::read_index(&r));
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
  if (r.left() != 0) return corrupt("trailing bytes");
  if (index->d != options.dimension || static_cast<uint64_t>(index->ntotal) != count) {
    return corrupt("index disagrees with its id map");
  }
  auto out = std::make_unique<FaissVectorIndex>(options);
  RETURN_IF_ERROR(out->Restore(std::move(index), std::move(ids), std::move(removed)));
  return std::unique_ptr<VectorIndex>(std::move(out));
}

}  // namespace assistd::index
