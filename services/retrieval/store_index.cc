#include "services/retrieval/store_index.h"

#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace assistd::retrieval {

absl::StatusOr<std::unique_ptr<StoreIndex>> StoreIndex::Load(
    sqlite::Database* db, const std::string& store_id, const std::string& snapshot_path,
    const index::VectorIndexOptions& options) {
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
  return out;
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
