#ifndef ASSISTD_INDEXER_INDEX_VECTOR_INDEX_H_
#define ASSISTD_INDEXER_INDEX_VECTOR_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace assistd::index {

struct VectorHit {
  int64_t id = 0;
  float score = 0;  // inner product; cosine similarity for unit vectors
};

struct VectorIndexOptions {
  int dimension = 384;
  // At this many live vectors the exact index becomes an inverted-file
  // index (IVF-Flat): about sqrt(n) k-means lists, trained on a sample;
  // a search scans the `ivf_nprobe` lists nearest to the query. Adding a
  // vector costs one comparison per list, whatever the store's size. The
  // index is retrained once the store has grown 4x past its training.
  int64_t approximate_threshold = 50000;
  int ivf_nprobe = 16;
  // An IVF search stops after scanning this many times the vectors that
  // `ivf_nprobe` average lists hold (0: no limit). Lists are uneven: a
  // query near the middle of the data (a pseudo-relevance-feedback query
  // is a mean of chunk vectors) probes the largest ones and, unbounded,
  // scans 3-4x the average (issue 4's benchmarks).
  double ivf_scan_factor = 2.0;
};

// Stores and searches dense vectors by inner product. Thread-safe:
// searches run in parallel; adds and removes take a writer lock.
class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  virtual int dimension() const = 0;
  // Live vectors (added and not removed).
  virtual int64_t size() const = 0;
  // The largest id ever added, or -1 (for replaying newer rows on load).
  virtual int64_t max_id() const = 0;
  // Adds `vectors` (row-major, dimension() floats each) under `ids`.
  // InvalidArgument if the sizes disagree or an id is already present.
  virtual absl::Status Add(absl::Span<const int64_t> ids, absl::Span<const float> vectors) = 0;
  // Removes `ids`; unknown ids are ignored. Removed ids never come back
  // from Search.
  virtual absl::Status Remove(absl::Span<const int64_t> ids) = 0;
  // Up to `k` live ids with the highest scores, best first, among those
  // `accept` (when given) returns true for. InvalidArgument if the query
  // has the wrong dimension.
  virtual absl::StatusOr<std::vector<VectorHit>> Search(
      absl::Span<const float> query, int k,
      const std::function<bool(int64_t)>& accept = nullptr) const = 0;
  // The stored vector of a live id. NotFound otherwise.
  virtual absl::StatusOr<std::vector<float>> Reconstruct(int64_t id) const = 0;
  // Every live id (for reconciling with the source of truth on load).
  virtual std::vector<int64_t> Ids() const = 0;
  // Writes the index to `path` atomically (temp file, fsync, rename).
  virtual absl::Status Save(const std::string& path) const = 0;
};

// An empty FAISS-backed index (exact inner product, IVF past the
// threshold).
absl::StatusOr<std::unique_ptr<VectorIndex>> NewFaissVectorIndex(const VectorIndexOptions& options);

// Loads an index written by Save. NotFound if absent; DataLoss if the file
// is corrupt, truncated or has another dimension than `options` (callers
// rebuild it from their source of truth).
absl::StatusOr<std::unique_ptr<VectorIndex>> LoadFaissVectorIndex(
    const std::string& path, const VectorIndexOptions& options);

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_INDEX_VECTOR_INDEX_H_
