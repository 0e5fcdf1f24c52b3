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
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "indexer/index/vector_index.h"

namespace assistd::index {
namespace {

using faiss_idx = faiss::Index::idx_t;

constexpr char kMagic[] = "AVX1";
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
  // by size.
  absl::Status RebuildLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const VectorIndexOptions options_;
  mutable absl::Mutex mu_;
  std::unique_ptr<faiss::Index> index_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> ids_ ABSL_GUARDED_BY(mu_);        // FAISS position -> id
  std::vector<bool> removed_ ABSL_GUARDED_BY(mu_);       // FAISS position -> removed?
  absl::flat_hash_map<int64_t, int64_t> position_ ABSL_GUARDED_BY(mu_);  // live id -> position
  int64_t max_id_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t trained_size_ ABSL_GUARDED_BY(mu_) = 0;  // live vectors at the last IVF training
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
  if (NeedsRebuild()) return RebuildLocked();
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
  if (dead >= kCompactAt) return RebuildLocked();
  return absl::OkStatus();
}

absl::Status FaissVectorIndex::RebuildLocked() {
  const size_t d = static_cast<size_t>(options_.dimension);
  std::vector<float> live;
  std::vector<int64_t> live_ids;
  live.reserve(position_.size() * d);
  std::vector<float> row(d);
  try {
    for (size_t pos = 0; pos < ids_.size(); ++pos) {
      if (removed_[pos]) continue;
      index_->reconstruct(static_cast<faiss_idx>(pos), row.data());
      live.insert(live.end(), row.begin(), row.end());
      live_ids.push_back(ids_[pos]);
    }
    const int64_t n = static_cast<int64_t>(live_ids.size());
    auto fresh = NewFaissIndex(options_, n, live.data());
    fresh->add(static_cast<faiss_idx>(n), live.data());
    index_ = std::move(fresh);
    if (IsApproximate()) trained_size_ = n;
  } catch (const faiss::FaissException& e) {
    return FaissError("rebuild", e);
  }
  ids_ = live_ids;
  removed_.assign(ids_.size(), false);
  position_.clear();
  for (size_t pos = 0; pos < ids_.size(); ++pos) position_[ids_[pos]] = static_cast<int64_t>(pos);
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
  // Removed and rejected ids are filtered here, so ask for more until k
  // survive or everything has been seen.
  for (faiss_idx want = std::min<faiss_idx>(total, 2 * k + 16);; want = std::min(total, want * 4)) {
    std::vector<float> scores(want);
    std::vector<faiss_idx> labels(want);
    try {
      index_->search(1, query.data(), want, scores.data(), labels.data());
    } catch (const faiss::FaissException& e) {
      return FaissError("search", e);
    }
    hits.clear();
    for (faiss_idx i = 0; i < want && static_cast<int>(hits.size()) < k; ++i) {
      if (labels[i] < 0 || removed_[labels[i]]) continue;
      const int64_t id = ids_[labels[i]];
      if (accept && !accept(id)) continue;
      hits.push_back({id, scores[i]});
    }
    if (static_cast<int>(hits.size()) >= k || want >= total) return hits;
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

// File layout: "AVX1", dimension u32, count u64, count x (id i64, removed u8),
// faiss blob length u64, faiss blob (write_index), crc32 of all before it.
template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <typename T>
bool Get(absl::string_view* in, T* v) {
  if (in->size() < sizeof(T)) return false;
  std::memcpy(v, in->data(), sizeof(T));
  in->remove_prefix(sizeof(T));
  return true;
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot create ", tmp));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return absl::InternalError(absl::StrCat("cannot write ", tmp));
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot replace ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FaissVectorIndex::Save(const std::string& path) const {
  std::string out(kMagic, 4);
  {
    absl::ReaderMutexLock lock(&mu_);
    Put<uint32_t>(&out, static_cast<uint32_t>(options_.dimension));
    Put<uint64_t>(&out, ids_.size());
    for (size_t i = 0; i < ids_.size(); ++i) {
      Put<int64_t>(&out, ids_[i]);
      Put<uint8_t>(&out, removed_[i] ? 1 : 0);
    }
    faiss::VectorIOWriter writer;
    try {
      faiss::write_index(index_.get(), &writer);
    } catch (const faiss::FaissException& e) {
      return FaissError("write", e);
    }
    Put<uint64_t>(&out, writer.data.size());
    out.append(reinterpret_cast<const char*>(writer.data.data()), writer.data.size());
  }
  Put<uint32_t>(&out, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(out.data()),
                                                  static_cast<uInt>(out.size()))));
  return WriteFileAtomically(path, out);
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
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("no vector index at ", path));
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string data = buf.str();
  auto corrupt = [&](absl::string_view why) {
    return absl::DataLossError(absl::StrCat("vector index ", path, " is unusable: ", why));
  };
  if (data.size() < 8 || data.compare(0, 4, kMagic) != 0) return corrupt("bad header");
  uint32_t stored_crc;
  std::memcpy(&stored_crc, data.data() + data.size() - 4, 4);
  if (crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size() - 4)) !=
      stored_crc) {
    return corrupt("checksum mismatch");
  }
  absl::string_view rest(data.data() + 4, data.size() - 8);
  uint32_t dim;
  uint64_t count, blob_size;
  if (!Get(&rest, &dim) || !Get(&rest, &count)) return corrupt("truncated");
  if (static_cast<int>(dim) != options.dimension) return corrupt("dimension differs");
  std::vector<int64_t> ids(count);
  std::vector<bool> removed(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t r;
    if (!Get(&rest, &ids[i]) || !Get(&rest, &r)) return corrupt("truncated ids");
    removed[i] = r != 0;
  }
  if (!Get(&rest, &blob_size) || rest.size() != blob_size) return corrupt("bad index size");
  faiss::VectorIOReader reader;
  reader.data.assign(rest.begin(), rest.end());
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::read_index(&reader));
  } catch (const faiss::FaissException& e) {
    return corrupt(e.what());
  }
  if (index->d != options.dimension || static_cast<uint64_t>(index->ntotal) != count) {
    return corrupt("index disagrees with its id map");
  }
  auto out = std::make_unique<FaissVectorIndex>(options);
  RETURN_IF_ERROR(out->Restore(std::move(index), std::move(ids), std::move(removed)));
  return std::unique_ptr<VectorIndex>(std::move(out));
}

}  // namespace assistd::index
