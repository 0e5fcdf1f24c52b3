#include "services/retrieval/store_index.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace assistd::retrieval {

absl::StatusOr<std::unique_ptr<StoreIndex>> StoreIndex::Load(
    sqlite::Database* db, const std::string& store_id, const std::string& snapshot_path,
    const index::VectorIndexOptions& options, bool memory_keywords) {
  absl::StatusOr<std::unique_ptr<index::VectorIndex>> vectors =
      index::LoadFaissVectorIndex(snapshot_path, options);
  if (!vectors.ok()) {
    if (absl::IsDataLoss(vectors.status())) {
      LogWarning("retrieval: ", vectors.status().message(), "; rebuilding it from retrieval.db");
    }
    ASSIGN_OR_RETURN(vectors, index::NewFaissVectorIndex(options));
  }
  std::unique_ptr<StoreIndex> out(new StoreIndex(store_id, snapshot_path, *std::move(vectors)));
  RETURN_IF_ERROR(out->Reconcile(db, store_id));
  if (memory_keywords) {
    out->memory_ = std::make_unique<index::MemoryKeywordIndex>();
    // Before any commit can pass changes on: those go to the build's queue.
    out->memory_->BeginBuild();
    StoreIndex* self = out.get();
    out->build_ = std::thread([self, db, store_id] { self->BuildKeywords(db, store_id); });
  }
  return out;
}

StoreIndex::~StoreIndex() {
  {
    absl::MutexLock lock(&stop_mu_);
    stop_build_ = true;
  }
  if (build_.joinable()) build_.join();
}

bool StoreIndex::Stopping() const {
  absl::MutexLock lock(&stop_mu_);
  return stop_build_;
}

void StoreIndex::BuildKeywords(sqlite::Database* db, const std::string& store_id) {
  // A failed build (a read error) is tried again, backing off from 1 s to
  // 60 s; FTS5 answers meanwhile. Load began the first build.
  for (absl::Duration backoff = absl::Seconds(1);;
       backoff = std::min(2 * backoff, absl::Seconds(60))) {
    const absl::Time start = absl::Now();
    index::Bm25Index built = memory_->NewBuildTarget();
    absl::Status s = ReadKeywords(db, store_id, built);
    if (s.ok()) {
      const int64_t n = built.size();
      memory_->FinishBuild(std::move(built));
      if (n > 0) {
        LogInfo("retrieval: keyword index of ", store_id, " built: ", n, " chunks in ",
                absl::FormatDuration(absl::Now() - start));
      }
      return;
    }
    memory_->AbandonBuild();
    if (Stopping()) return;
    LogWarning("retrieval: building the keyword index of ", store_id, ": ", s.message(),
               "; FTS5 serves its keyword searches; trying again in ",
               absl::FormatDuration(backoff));
    absl::MutexLock lock(&stop_mu_);
    if (stop_mu_.AwaitWithTimeout(absl::Condition(&stop_build_), backoff)) return;
    memory_->BeginBuild();
  }
}

void StoreIndex::DisableMemoryKeywords(const absl::Status& why) {
  if (memory_ == nullptr) return;
  LogWarning("retrieval: ", why.message(), "; FTS5 serves the keyword searches of this store");
  memory_->AbandonBuild();
}

absl::Status StoreIndex::ReadKeywords(sqlite::Database* db, const std::string& store_id,
                                      index::Bm25Index& built) {
  // Batches in short read transactions, so that a long build holds back
  // neither writers nor WAL checkpoints; changes committed between them
  // reach the index through the build's queue.
  constexpr int64_t kBatch = 2048;
  int64_t after = 0;
  while (!Stopping()) {
    std::vector<std::tuple<int64_t, std::string, std::string>> rows;
    RETURN_IF_ERROR(db->Read([&](sqlite::Connection& c) -> absl::Status {
      ASSIGN_OR_RETURN(sqlite::Statement * st, c.Prepare(
          "SELECT chunk_id, title, text FROM chunks WHERE store_id = ? AND chunk_id > ?"
          " ORDER BY chunk_id LIMIT ?"));
      RETURN_IF_ERROR(st->BindAll(store_id, after, kBatch));
      while (true) {
        ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) return absl::OkStatus();
        rows.emplace_back(st->ColumnInt64(0), st->ColumnText(1), st->ColumnText(2));
      }
    }));
    if (rows.empty()) return absl::OkStatus();
    for (const auto& [id, title, text] : rows) {
      ASSIGN_OR_RETURN(index::Bm25Document chunk, index::TokenizeChunk(id, title, text));
      RETURN_IF_ERROR(built.Add(chunk));
    }
    after = std::get<0>(rows.back());
  }
  return absl::CancelledError("stopped");
}

void StoreIndex::AddKeywords(std::vector<index::Bm25Document> chunks) {
  if (memory_ != nullptr) memory_->Add(std::move(chunks));
}

void StoreIndex::RemoveKeywords(std::vector<index::Bm25Document> chunks) {
  if (memory_ != nullptr) memory_->Remove(std::move(chunks));
}

absl::Status StoreIndex::Reconcile(sqlite::Database* db, const std::string& store_id) {
  const std::vector<int64_t> indexed = vectors_->Ids();
  absl::flat_hash_set<int64_t> in_index(indexed.begin(), indexed.end());
  absl::flat_hash_set<int64_t> in_db;
  std::vector<int64_t> add_ids;
  std::vector<float> add_vectors;
  const size_t dim = static_cast<size_t>(vectors_->dimension());
  RETURN_IF_ERROR(db->Read([&](sqlite::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(sqlite::Statement * st, c.Prepare(
        "SELECT chunk_id, file_id, embedding FROM chunks WHERE store_id = ? ORDER BY chunk_id"));
    RETURN_IF_ERROR(st->BindAll(store_id));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) return absl::OkStatus();
      const int64_t id = st->ColumnInt64(0);
      in_db.insert(id);
      const std::string file = st->ColumnText(1);
      auto last = ranges_.empty() ? ranges_.end() : std::prev(ranges_.end());
      if (last != ranges_.end() && last->second.second == file) {
        last->second.first = id;
      } else {
        ranges_[id] = {id, file};
      }
      if (in_index.contains(id)) continue;
      const std::string blob = st->ColumnBlob(2);
      if (blob.size() != dim * sizeof(float)) {
        return absl::DataLossError(absl::StrCat("chunk ", id, " has an embedding of ",
                                                blob.size(), " bytes"));
      }
      add_ids.push_back(id);
      const size_t at = add_vectors.size();
      add_vectors.resize(at + dim);
      std::memcpy(add_vectors.data() + at, blob.data(), blob.size());
    }
  }));
  std::vector<int64_t> stale;
  for (int64_t id : indexed) {
    if (!in_db.contains(id)) stale.push_back(id);
  }
  if (!stale.empty()) RETURN_IF_ERROR(vectors_->Remove(stale));
  if (!add_ids.empty()) RETURN_IF_ERROR(vectors_->Add(add_ids, add_vectors));
  absl::MutexLock lock(&mu_);
  changed_ = !stale.empty() || !add_ids.empty();
  return absl::OkStatus();
}

void StoreIndex::AddFile(const std::string& file_id, int64_t first, int64_t last) {
  absl::MutexLock lock(&mu_);
  ranges_[first] = {last, file_id};
  changed_ = true;
}

void StoreIndex::RemoveFile(const std::string& file_id) {
  absl::MutexLock lock(&mu_);
  for (auto it = ranges_.begin(); it != ranges_.end();) {
    it = it->second.second == file_id ? ranges_.erase(it) : std::next(it);
  }
  changed_ = true;
}

std::optional<std::string> StoreIndex::FileOf(int64_t chunk_id) const {
  absl::MutexLock lock(&mu_);
  auto it = ranges_.upper_bound(chunk_id);
  if (it == ranges_.begin()) return std::nullopt;
  --it;
  if (chunk_id > it->second.first) return std::nullopt;
  return it->second.second;
}

void StoreIndex::MarkChanged() {
  absl::MutexLock lock(&mu_);
  changed_ = true;
}

absl::Status StoreIndex::SaveIfChanged() {
  {
    absl::MutexLock lock(&mu_);
    if (!changed_) return absl::OkStatus();
    changed_ = false;
  }
  absl::Status s = vectors_->Save(snapshot_path_);
  if (!s.ok()) MarkChanged();
  return s;
}

}  // namespace assistd::retrieval
