#include "indexer/index/memory_keyword_index.h"

#include <utility>

#include "common/status_macros.h"
#include "indexer/index/fts5_tokenizer.h"
#include "indexer/index/keyword_query.h"

namespace assistd::index {

absl::StatusOr<Bm25Document> TokenizeChunk(int64_t id, absl::string_view title,
                                           absl::string_view text) {
  ASSIGN_OR_RETURN(const Fts5TextTokenizer* tokenizer, Fts5TextTokenizer::ForThisThread());
  return MakeBm25Document(id, tokenizer->Tokenize(title, /*query=*/false),
                          tokenizer->Tokenize(text, /*query=*/false));
}

MemoryKeywordIndex::MemoryKeywordIndex(const KeywordIndexOptions& options)
    : bm25_options_{options.title_weight, 1.0}, index_(bm25_options_) {}

void MemoryKeywordIndex::Apply(Bm25Index& index, const Change& change) {
  // Replaying onto a build, an add may already be there and a remove may
  // find nothing; both are the expected no-ops.
  if (change.add) {
    index.Add(change.chunk).IgnoreError();
  } else {
    index.Remove(change.chunk).IgnoreError();
  }
}

void MemoryKeywordIndex::Add(std::vector<Bm25Document> chunks) { Pass(true, std::move(chunks)); }

void MemoryKeywordIndex::Remove(std::vector<Bm25Document> chunks) {
  Pass(false, std::move(chunks));
}

void MemoryKeywordIndex::Pass(bool add, std::vector<Bm25Document> chunks) {
  absl::MutexLock lock(&mu_);
  for (Bm25Document& c : chunks) {
    if (state_ == State::kReady) {
      Apply(index_, {add, std::move(c)});
    } else if (state_ == State::kBuilding) {
      queued_.push_back({add, std::move(c)});
    }
  }
}

void MemoryKeywordIndex::BeginBuild() {
  absl::MutexLock lock(&mu_);
  state_ = State::kBuilding;
  queued_.clear();
  index_ = Bm25Index(bm25_options_);
}

void MemoryKeywordIndex::FinishBuild(Bm25Index built) {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kBuilding) return;  // abandoned meanwhile
  for (const Change& change : queued_) Apply(built, change);
  built.ShrinkToFit();
  queued_.clear();
  queued_.shrink_to_fit();
  index_ = std::move(built);
  state_ = State::kReady;
}

void MemoryKeywordIndex::AbandonBuild() {
  absl::MutexLock lock(&mu_);
  queued_.clear();
  queued_.shrink_to_fit();
  state_ = State::kAbandoned;
}

bool MemoryKeywordIndex::ready() const {
  absl::MutexLock lock(&mu_);
  return state_ == State::kReady;
}

bool MemoryKeywordIndex::WaitUntilReady(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto settled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return state_ == State::kReady || state_ == State::kAbandoned;
  };
  mu_.AwaitWithTimeout(absl::Condition(&settled), timeout);
  return state_ == State::kReady;
}

int64_t MemoryKeywordIndex::size() const {
  absl::MutexLock lock(&mu_);
  return index_.size();
}

int64_t MemoryKeywordIndex::MemoryBytes() const {
  absl::MutexLock lock(&mu_);
  return index_.MemoryBytes();
}

std::optional<std::vector<ScoredId>> MemoryKeywordIndex::Search(
    absl::string_view user_text, int limit, int64_t total_chunks,
    const std::function<bool(int64_t)>& accept) const {
  absl::StatusOr<const Fts5TextTokenizer*> tokenizer = Fts5TextTokenizer::ForThisThread();
  if (!tokenizer.ok()) return std::nullopt;
  // Each quoted query term is one FTS5 phrase; a phrase of one token is a
  // term here, one of none matches nothing, a longer one only FTS5 can do.
  std::vector<std::string> tokens;
  for (const std::string& term : QueryTerms(user_text)) {
    std::vector<std::string> t = (*tokenizer)->Tokenize(term, /*query=*/true);
    if (t.size() > 1) return std::nullopt;
    if (t.size() == 1) tokens.push_back(std::move(t[0]));
  }
  absl::ReaderMutexLock lock(&mu_);
  if (state_ != State::kReady) return std::nullopt;
  auto df = [this](const std::string& token, int64_t) ABSL_NO_THREAD_SAFETY_ANALYSIS
      -> absl::StatusOr<int64_t> { return index_.DocumentFrequency(token); };
  absl::StatusOr<std::vector<std::string>> kept =
      InformativeTerms(std::move(tokens), total_chunks, df);
  if (!kept.ok()) return std::nullopt;
  if (kept->empty() || limit <= 0) return std::vector<ScoredId>{};
  return index_.Search(*kept, limit, accept);
}

}  // namespace assistd::index
