#ifndef ASSISTD_INDEXER_EMBED_HASHED_EMBEDDER_H_
#define ASSISTD_INDEXER_EMBED_HASHED_EMBEDDER_H_

#include <memory>

#include "indexer/embed/embedder.h"

namespace assistd::embed {

struct HashedEmbedderOptions {
  int dimension = 384;
  // Feature families; each is hashed with a sign into the vector.
  bool word_unigrams = true;
  bool word_bigrams = true;
  bool char_trigrams = true;  // inside words, with boundary markers
  // Relative weights of the families.
  float unigram_weight = 1.0f;
  float bigram_weight = 0.5f;
  float trigram_weight = 0.5f;
};

// A deterministic embedder that needs no model weights: signed feature
// hashing of lower-cased (diacritics folded) word unigrams, bigrams and
// character trigrams, sublinear term weights, L2-normalised. Same input,
// same vector, on every machine. name() is "hashed-v1-<dimension>".
std::unique_ptr<Embedder> NewHashedEmbedder(const HashedEmbedderOptions& options = {});

}  // namespace assistd::embed

#endif  // ASSISTD_INDEXER_EMBED_HASHED_EMBEDDER_H_
