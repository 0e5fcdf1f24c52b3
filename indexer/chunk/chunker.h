#ifndef ASSISTD_INDEXER_CHUNK_CHUNKER_H_
#define ASSISTD_INDEXER_CHUNK_CHUNKER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "indexer/extract/document.h"

namespace assistd::chunk {

// OpenAI's chunking strategy: `auto` is 800 tokens with 400 overlap;
// `static` allows 100..4096 tokens with 0 <= overlap <= max/2.
struct ChunkingOptions {
  int max_tokens = 800;
  int overlap_tokens = 400;
};

// InvalidArgument naming "max_chunk_size_tokens" or "chunk_overlap_tokens".
absl::Status ValidateChunkingOptions(const ChunkingOptions& options);

// One window of a document's text.
struct Chunk {
  int index = 0;          // 0-based position in the document
  std::string text;       // the chunk's text (UTF-8, never cut inside a word)
  int page_start = 1;     // first page/section the chunk touches (1-based)
  int page_end = 1;       // last page/section it touches
  // Where each later page begins inside `text`: (byte offset, page number),
  // ascending; empty when the chunk lies on one page.
  std::vector<std::pair<int, int>> page_breaks;
  // Byte offsets of the chunk in the document text: the pages' texts joined
  // with "\n\n" (see DocumentText).
  int64_t char_start = 0;
  int64_t char_end = 0;
  int tokens = 0;         // CountTokens(text)
};

// The document's pages joined with "\n\n", the text chunk offsets refer to.
// A page whose text is empty or only whitespace (e.g. a scanned PDF page
// without a text layer) is left out together with its separator, so it
// shifts no offsets: the text is the same as if the page did not exist.
std::string DocumentText(const extract::Document& doc);

// Splits `doc` into windows of at most options.max_tokens tokens, each
// starting options.overlap_tokens before the previous one ended (so
// consecutive chunks share about that many tokens). A window ends at a
// paragraph break, else a sentence end, else a line break, else a word
// boundary, whichever is the latest within the last quarter of the window;
// it never ends inside a word (a single "word" longer than the window is
// split at a UTF-8 character boundary). Pages without text contribute
// nothing. Every character of the text is in at least one chunk. Options
// must be valid (ValidateChunkingOptions); invalid ones are clamped.
std::vector<Chunk> ChunkDocument(const extract::Document& doc,
                                 const ChunkingOptions& options);

}  // namespace assistd::chunk

#endif  // ASSISTD_INDEXER_CHUNK_CHUNKER_H_
