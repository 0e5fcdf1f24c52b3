// Chunking throughput: ~5 MB of synthetic English-like prose split into
// 800-token windows with 400 tokens of overlap (OpenAI's `auto` strategy).
//
//   build/bench/chunk_bench
//
// Reports chunks/s and bytes/s for ChunkDocument, and bytes/s for
// CountTokens alone.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "indexer/chunk/chunker.h"
#include "indexer/chunk/token_counter.h"
#include "indexer/extract/document.h"

namespace assistd::chunk {
namespace {

constexpr size_t kDocumentBytes = 5 << 20;
constexpr size_t kPageBytes = 3000;

// Deterministic prose: sentences of 5-24 words from a small vocabulary with
// a few long words and numbers, paragraphs of 2-7 sentences, ~3 KB pages.
extract::Document SyntheticDocument() {
  static const std::vector<std::string> kWords = {
      "the",         "of",
      "and",         "to",
      "in",          "a",
      "is",          "that",
      "for",         "it",
      "as",          "was",
      "with",        "be",
      "by",          "on",
      "not",         "this",
      "which",       "have",
      "system",      "retrieval",
      "document",    "chunk",
      "token",       "information",
      "development", "assistant",
      "vector",      "search",
      "performance", "configuration",
      "throughput",  "quickly",
      "between",     "2024",
      "15",          "internationalization",
      "e.g.",        "data"};
  std::mt19937 rng(2024);
  std::uniform_int_distribution<size_t> word(0, kWords.size() - 1);
  std::uniform_int_distribution<int> sentence_words(5, 24);
  std::uniform_int_distribution<int> paragraph_sentences(2, 7);
  extract::Document doc;
  doc.format = extract::Format::kPdf;
  std::string page;
  size_t total = 0;
  while (total < kDocumentBytes) {
    const int sentences = paragraph_sentences(rng);
    for (int s = 0; s < sentences; ++s) {
      const int words = sentence_words(rng);
      for (int w = 0; w < words; ++w) {
        page += kWords[word(rng)];
        page += w + 1 == words ? ". " : (w % 9 == 8 ? ", " : " ");
      }
    }
    page += "\n\n";
    if (page.size() >= kPageBytes) {
      total += page.size();
      doc.pages.push_back(
          {static_cast<int>(doc.pages.size()) + 1, std::move(page), true});
      page.clear();
    }
  }
  return doc;
}

void BM_ChunkDocument(benchmark::State& state) {
  const extract::Document doc = SyntheticDocument();
  const ChunkingOptions options{static_cast<int>(state.range(0)),
                                static_cast<int>(state.range(1))};
  const int64_t bytes = static_cast<int64_t>(DocumentText(doc).size());
  int64_t chunks = 0;
  for (auto _ : state) {
    const std::vector<Chunk> result = ChunkDocument(doc, options);
    chunks += static_cast<int64_t>(result.size());
    benchmark::DoNotOptimize(result.data());
  }
  state.SetBytesProcessed(bytes * state.iterations());
  state.counters["chunks/s"] = benchmark::Counter(static_cast<double>(chunks),
                                                  benchmark::Counter::kIsRate);
  state.counters["chunks"] = static_cast<double>(chunks / state.iterations());
}
BENCHMARK(BM_ChunkDocument)
    ->Args({800, 400})
    ->Args({100, 50})
    ->Args({4096, 0})
    ->Unit(benchmark::kMillisecond);

void BM_CountTokens(benchmark::State& state) {
  const std::string text = DocumentText(SyntheticDocument());
  for (auto _ : state) benchmark::DoNotOptimize(CountTokens(text));
  state.SetBytesProcessed(static_cast<int64_t>(text.size()) *
                          state.iterations());
}
BENCHMARK(BM_CountTokens)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace assistd::chunk

BENCHMARK_MAIN();
