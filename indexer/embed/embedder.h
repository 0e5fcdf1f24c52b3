#ifndef ASSISTD_INDEXER_EMBED_EMBEDDER_H_
#define ASSISTD_INDEXER_EMBED_EMBEDDER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace assistd::embed {

// Turns texts into dense vectors for similarity search. Thread-safe.
class Embedder {
 public:
  virtual ~Embedder() = default;
  // Identifies the embedding space, stored with each vector store so a
  // store is never searched with vectors from another space, e.g.
  // "hashed-v1-384" or "http:nomic-embed-text".
  virtual std::string name() const = 0;
  virtual int dimension() const = 0;
  // Returns texts.size() rows of dimension() floats (row-major), each row
  // L2-normalised (a text with nothing to embed gives a zero row).
  // Errors: InvalidArgument for bad input; Unavailable / DeadlineExceeded /
  // ResourceExhausted from a remote model server after retries.
  virtual absl::StatusOr<std::vector<float>> Embed(
      absl::Span<const std::string> texts) = 0;
};

}  // namespace assistd::embed

#endif  // ASSISTD_INDEXER_EMBED_EMBEDDER_H_
