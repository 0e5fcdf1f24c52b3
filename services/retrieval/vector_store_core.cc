#include "services/retrieval/vector_store_core.h"

#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/sqlite/keyset_cursor.h"
#include "common/status_macros.h"
#include "services/retrieval/retrieval_schema.h"
#include "services/retrieval/vector_store_core_impl.h"

namespace assistd::retrieval {
namespace {

using sqlite::Connection;
using sqlite::Statement;

constexpr char kStoreColumns[] =
    "id, name, description, created_at, last_active_at, expires_after_days, metadata, usage_bytes";
constexpr char kFileColumns[] =
    "file_id, store_id, filename, created_at, status, error_code, error_message, usage_bytes,"
    " chunk_type, chunk_max, chunk_overlap, attributes, batch_id";

absl::Status NoStore(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("No vector store found with id '", id, "'."));
}

absl::Status NoFile(absl::string_view store, absl::string_view file) {
  return absl::NotFoundError(
      absl::StrCat("No file found with id '", file, "' in vector store '", store, "'."));
}

absl::StatusOr<FileCounts> CountFiles(Connection& c, absl::string_view column,
                                      absl::string_view value) {
  ASSIGN_OR_RETURN(Statement * st, c.Prepare(absl::StrCat(
      "SELECT status, count(*) FROM store_files WHERE ", column, " = ? GROUP BY status")));
  RETURN_IF_ERROR(st->BindAll(value));
  FileCounts n;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    const int64_t count = st->ColumnInt64(1);
    switch (StatusFromCode(static_cast<int>(st->ColumnInt64(0)))) {
      case FileStatus::kInProgress: n.in_progress = count; break;
      case FileStatus::kCompleted: n.completed = count; break;
      case FileStatus::kCancelled: n.cancelled = count; break;
      case FileStatus::kFailed: n.failed += count; break;
    }
    n.total += count;
  }
  return n;
}

absl::StatusOr<VectorStoreRecord> ReadStore(Connection& c, Statement& st, int64_t now,
                                            bool with_counts) {
  VectorStoreRecord r;
  r.id = st.ColumnText(0);
  r.name = st.ColumnText(1);
  r.description = st.ColumnText(2);
  r.created_at = st.ColumnInt64(3);
  r.last_active_at = st.ColumnOptionalInt64(4);
  if (auto d = st.ColumnOptionalInt64(5)) r.expires_after_days = static_cast<int>(*d);
  if (auto m = st.ColumnOptionalText(6)) {
    ASSIGN_OR_RETURN(r.metadata, MetadataFromJson(*m));
  }
  r.usage_bytes = st.ColumnInt64(7);
  if (r.expires_after_days) {
    r.expires_at = r.last_active_at.value_or(r.created_at) + int64_t{*r.expires_after_days} * 86400;
  }
  const bool expired = r.expires_at && *r.expires_at <= now;
  if (!with_counts) {
    r.status = expired ? "expired" : "";
    return r;
  }
  ASSIGN_OR_RETURN(r.file_counts, CountFiles(c, "store_id", r.id));
  r.status = expired ? "expired" : r.file_counts.in_progress > 0 ? "in_progress" : "completed";
  return r;
}

absl::StatusOr<StoreFileRecord> ReadFile(Statement& st) {
  StoreFileRecord r;
  r.file_id = st.ColumnText(0);
  r.store_id = st.ColumnText(1);
  r.filename = st.ColumnText(2);
  r.created_at = st.ColumnInt64(3);
  r.status = StatusFromCode(static_cast<int>(st.ColumnInt64(4)));
  if (auto code = st.ColumnOptionalText(5)) r.last_error = LastError{*code, st.ColumnText(6)};
  r.usage_bytes = st.ColumnInt64(7);
  r.chunking.type = static_cast<ChunkingStrategy::Type>(st.ColumnInt64(8));
  r.chunking.max_tokens = static_cast<int>(st.ColumnInt64(9));
  r.chunking.overlap_tokens = static_cast<int>(st.ColumnInt64(10));
  if (auto a = st.ColumnOptionalText(11)) {
    ASSIGN_OR_RETURN(r.attributes, AttributesFromJson(*a));
  }
  r.batch_id = st.ColumnOptionalText(12).value_or("");
  return r;
}

}  // namespace

// ---------------------------------------------------------------- Impl basics

VectorStoreCoreImpl::VectorStoreCoreImpl(VectorStoreCoreOptions o,
                                         std::unique_ptr<sqlite::Database> database)
    : options(std::move(o)), db(std::move(database)) {}

VectorStoreCoreImpl::~VectorStoreCoreImpl() { StopWorkers(); }

std::string VectorStoreCoreImpl::SnapshotPath(const std::string& store_id) const {
  return absl::StrCat(options.data_dir, "/vectors/", store_id, ".idx");
}

absl::StatusOr<std::shared_ptr<StoreIndex>> VectorStoreCoreImpl::Index(const std::string& store_id) {
  absl::MutexLock lock(&index_mu_);
  auto it = indexes_.find(store_id);
  if (it != indexes_.end()) return it->second;
  // A store is searched only with vectors from the space it was built in.
  std::string built_with;
  RETURN_IF_ERROR(db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare("SELECT embedder FROM stores WHERE id = ?"));
    RETURN_IF_ERROR(st->BindAll(store_id));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return NoStore(store_id);
    built_with = st->ColumnText(0);
    return absl::OkStatus();
  }));
  if (built_with != options.embedder->name()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "vector store ", store_id, " was built with the embedder '", built_with,
        "' but this server uses '", options.embedder->name(), "'"));
  }
  index::VectorIndexOptions vo = options.vectors;
  vo.dimension = options.embedder->dimension();
  ASSIGN_OR_RETURN(std::unique_ptr<StoreIndex> loaded,
                   StoreIndex::Load(db.get(), store_id, SnapshotPath(store_id), vo,
                                    options.memory_keyword_index));
  std::shared_ptr<StoreIndex> shared = std::move(loaded);
  indexes_[store_id] = shared;
  return shared;
}

void VectorStoreCoreImpl::ForgetIndex(const std::string& store_id) {
  std::shared_ptr<StoreIndex> forgotten;  // released after the lock: it may join a build
  absl::MutexLock lock(&index_mu_);
  auto it = indexes_.find(store_id);
  if (it != indexes_.end()) {
    forgotten = std::move(it->second);
    indexes_.erase(it);
  }
  std::error_code ec;
  std::filesystem::remove(SnapshotPath(store_id), ec);
}

absl::StatusOr<VectorStoreRecord> VectorStoreCoreImpl::LoadStore(const std::string& project,
                                                                 absl::string_view id,
                                                                 bool with_counts) {
  if (!ValidateId(id, IdKind::kVectorStore, "vector_store_id").ok()) return NoStore(id);
  VectorStoreRecord r;
  const int64_t now = options.clock->NowUnixSeconds();
  RETURN_IF_ERROR(db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(absl::StrCat(
        "SELECT ", kStoreColumns, " FROM stores WHERE id = ? AND project_id = ?")));
    RETURN_IF_ERROR(st->BindAll(id, project));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return NoStore(id);
    ASSIGN_OR_RETURN(r, ReadStore(c, *st, now, with_counts));
    return absl::OkStatus();
  }));
  return r;
}

absl::StatusOr<StoreFileRecord> VectorStoreCoreImpl::LoadFile(const std::string& project,
                                                              absl::string_view store_id,
                                                              absl::string_view file_id) {
  ASSIGN_OR_RETURN(VectorStoreRecord store, LoadStore(project, store_id));
  StoreFileRecord r;
  RETURN_IF_ERROR(db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(absl::StrCat(
        "SELECT ", kFileColumns, " FROM store_files WHERE store_id = ? AND file_id = ?")));
    RETURN_IF_ERROR(st->BindAll(store.id, file_id));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return NoFile(store.id, file_id);
    ASSIGN_OR_RETURN(r, ReadFile(*st));
    return absl::OkStatus();
  }));
  return r;
}

absl::Status VectorStoreCoreImpl::Enqueue(const std::string& project,
                                          const std::string& store_id,
                                          const std::vector<AddFileParams>& files,
                                          const std::string& batch_id) {
  std::vector<std::string> names;
  for (const AddFileParams& f : files) {
    ASSIGN_OR_RETURN(std::string name, options.files->Filename(project, f.file_id));
    names.push_back(std::move(name));
  }
  const int64_t now = options.clock->NowUnixSeconds();
  std::optional<std::string> batch;
  if (!batch_id.empty()) batch = batch_id;
  RETURN_IF_ERROR(db->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "INSERT INTO store_files(store_id, file_id, project_id, filename, created_at, status,"
        " chunk_type, chunk_max, chunk_overlap, attributes, batch_id)"
        " VALUES(?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) ON CONFLICT(store_id, file_id) DO NOTHING"));
    for (size_t i = 0; i < files.size(); ++i) {
      const ChunkingStrategy chunking = files[i].chunking.value_or(ChunkingStrategy{});
      std::optional<std::string> attributes;
      if (files[i].attributes) attributes = AttributesToJson(*files[i].attributes);
      RETURN_IF_ERROR(st->BindAll(store_id, files[i].file_id, project, names[i], now,
                                  static_cast<int>(chunking.type), chunking.max_tokens,
                                  chunking.overlap_tokens, attributes, batch));
      RETURN_IF_ERROR(st->Run());
    }
    return absl::OkStatus();
  }));
  Wake();
  return absl::OkStatus();
}

absl::Status VectorStoreCoreImpl::DeleteFileRows(const std::string& store_id,
                                                 const std::string& file_id) {
  ASSIGN_OR_RETURN(std::shared_ptr<StoreIndex> idx, Index(store_id));
  std::vector<int64_t> ids;
  std::vector<std::tuple<int64_t, std::string, std::string>> rows;
  absl::ReleasableMutexLock commit_lock(&idx->commit_mu());
  RETURN_IF_ERROR(db->Write([&](Connection& c) -> absl::Status {
    rows.clear();
    ids.clear();
    ASSIGN_OR_RETURN(Statement * sel, c.Prepare(
        "SELECT chunk_id, title, text FROM chunks WHERE store_id = ? AND file_id = ?"));
    RETURN_IF_ERROR(sel->BindAll(store_id, file_id));
    while (true) {
      ASSIGN_OR_RETURN(bool row, sel->Step());
      if (!row) break;
      rows.emplace_back(sel->ColumnInt64(0), sel->ColumnText(1), sel->ColumnText(2));
    }
    for (const auto& [id, title, text] : rows) {
      RETURN_IF_ERROR(idx->keyword().Remove(c, id, title, text));
      ids.push_back(id);
    }
    ASSIGN_OR_RETURN(Statement * del, c.Prepare("DELETE FROM chunks WHERE store_id = ? AND file_id = ?"));
    RETURN_IF_ERROR(del->BindAll(store_id, file_id));
    RETURN_IF_ERROR(del->Run());
    ASSIGN_OR_RETURN(Statement * usage, c.Prepare(
        "UPDATE stores SET usage_bytes = usage_bytes - (SELECT usage_bytes FROM store_files"
        " WHERE store_id = ?1 AND file_id = ?2) WHERE id = ?1"));
    RETURN_IF_ERROR(usage->BindAll(store_id, file_id));
    RETURN_IF_ERROR(usage->Run());
    ASSIGN_OR_RETURN(Statement * row, c.Prepare("DELETE FROM store_files WHERE store_id = ? AND file_id = ?"));
    RETURN_IF_ERROR(row->BindAll(store_id, file_id));
    return row->Run();
  }));
  // Tokenized after the SQLite write lock is released, before the next
  // commit to this store.
  if (idx->memory_keywords() != nullptr) {
    std::vector<index::Bm25Document> removed;
    absl::Status tokenized;
    for (const auto& [id, title, text] : rows) {
      absl::StatusOr<index::Bm25Document> t = index::TokenizeChunk(id, title, text);
      if (!t.ok()) tokenized = t.status();
      if (t.ok()) removed.push_back(*std::move(t));
    }
    if (tokenized.ok()) {
      idx->RemoveKeywords(std::move(removed));
    } else {
      idx->DisableMemoryKeywords(tokenized);
    }
  }
  commit_lock.Release();
  RETURN_IF_ERROR(idx->vectors()->Remove(ids));
  idx->RemoveFile(file_id);
  return absl::OkStatus();
}

// ------------------------------------------------------------------ facade

VectorStoreCore::VectorStoreCore(std::unique_ptr<VectorStoreCoreImpl> impl) : impl_(std::move(impl)) {}
VectorStoreCore::~VectorStoreCore() = default;

absl::StatusOr<std::unique_ptr<VectorStoreCore>> VectorStoreCore::Create(
    VectorStoreCoreOptions options) {
  if (options.files == nullptr || options.embedder == nullptr) {
    return absl::InvalidArgumentError("VectorStoreCore needs a file source and an embedder");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir + "/vectors", ec);
  if (ec) return absl::FailedPreconditionError(absl::StrCat("cannot create ", options.data_dir, "/vectors"));
  sqlite::DatabaseOptions db_options;
  db_options.path = options.data_dir + "/retrieval.db";
  db_options.migrations = RetrievalSchema();
  ASSIGN_OR_RETURN(auto db, sqlite::Database::Open(std::move(db_options)));
  int workers = options.ingest_workers > 0
                    ? options.ingest_workers
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  auto impl = std::make_unique<VectorStoreCoreImpl>(std::move(options), std::move(db));
  impl->StartWorkers(workers);  // resumes files left in progress
  return std::unique_ptr<VectorStoreCore>(new VectorStoreCore(std::move(impl)));
}

absl::StatusOr<VectorStoreRecord> VectorStoreCore::CreateStore(const std::string& project,
                                                               const CreateStoreParams& p) {
  // Every file must exist before the store is made: a bad id leaves nothing.
  for (const std::string& file_id : p.file_ids) {
    RETURN_IF_ERROR(impl_->options.files->Filename(project, file_id).status());
  }
  const std::string id = NewId(IdKind::kVectorStore);
  const int64_t now = impl_->options.clock->NowUnixSeconds();
  index::KeywordIndex keyword(id);
  RETURN_IF_ERROR(impl_->db->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "INSERT INTO stores(id, project_id, name, description, created_at, last_active_at,"
        " expires_after_days, metadata, embedder) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    std::optional<std::string> metadata;
    if (p.metadata) metadata = MetadataToJson(*p.metadata);
    RETURN_IF_ERROR(st->BindAll(id, project, p.name, p.description, now, now,
                                p.expires_after_days, metadata, impl_->options.embedder->name()));
    RETURN_IF_ERROR(st->Run());
    return keyword.Create(c);
  }));
  std::vector<AddFileParams> files;
  for (const std::string& file_id : p.file_ids) files.push_back({file_id, p.chunking, std::nullopt});
  if (!files.empty()) RETURN_IF_ERROR(impl_->Enqueue(project, id, files, ""));
  return impl_->LoadStore(project, id, /*with_counts=*/true);
}

absl::StatusOr<VectorStoreRecord> VectorStoreCore::GetStore(const std::string& project,
                                                            absl::string_view id) {
  return impl_->LoadStore(project, id, /*with_counts=*/true);
}

absl::StatusOr<Page<VectorStoreRecord>> VectorStoreCore::ListStores(const std::string& project,
                                                                    const PageParams& params) {
  Page<VectorStoreRecord> page;
  const int64_t now = impl_->options.clock->NowUnixSeconds();
  RETURN_IF_ERROR(impl_->db->Read([&](Connection& c) -> absl::Status {
    constexpr char kSeq[] = "SELECT seq FROM stores WHERE project_id = ? AND id = ?";
    ASSIGN_OR_RETURN(auto after, sqlite::ResolveKeysetCursor(c, kSeq, project, params.after, "after"));
    ASSIGN_OR_RETURN(auto before, sqlite::ResolveKeysetCursor(c, kSeq, project, params.before, "before"));
    KeysetQuery q = PlanKeysetPage(params, after, before, "seq");
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(absl::StrCat(
        "SELECT ", kStoreColumns, " FROM stores WHERE project_id = ? AND ", q.condition,
        " ORDER BY ", q.order_by, " LIMIT ", q.fetch_limit)));
    RETURN_IF_ERROR(st->Bind(1, project));
    for (size_t i = 0; i < q.args.size(); ++i) RETURN_IF_ERROR(st->Bind(static_cast<int>(i) + 2, q.args[i]));
    std::vector<VectorStoreRecord> rows;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      ASSIGN_OR_RETURN(VectorStoreRecord r, ReadStore(c, *st, now, /*with_counts=*/true));
      rows.push_back(std::move(r));
    }
    page = FinishKeysetPage(std::move(rows), q);
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<VectorStoreRecord> VectorStoreCore::UpdateStore(const std::string& project,
                                                               absl::string_view id,
                                                               const UpdateStoreParams& p) {
  ASSIGN_OR_RETURN(VectorStoreRecord store, impl_->LoadStore(project, id));
  if (p.name) store.name = *p.name;
  if (p.clear_expires_after) store.expires_after_days.reset();
  if (p.expires_after_days) store.expires_after_days = p.expires_after_days;
  if (p.clear_metadata) store.metadata.reset();
  if (p.metadata) store.metadata = p.metadata;
  RETURN_IF_ERROR(impl_->db->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "UPDATE stores SET name = ?, expires_after_days = ?, metadata = ? WHERE id = ?"));
    std::optional<std::string> metadata;
    if (store.metadata) metadata = MetadataToJson(*store.metadata);
    RETURN_IF_ERROR(st->BindAll(store.name, store.expires_after_days, metadata, store.id));
    return st->Run();
  }));
  return impl_->LoadStore(project, id, /*with_counts=*/true);
}

absl::Status VectorStoreCore::DeleteStore(const std::string& project, absl::string_view id) {
  ASSIGN_OR_RETURN(VectorStoreRecord store, impl_->LoadStore(project, id));
  index::KeywordIndex keyword(store.id);
  RETURN_IF_ERROR(impl_->db->Write([&](Connection& c) -> absl::Status {
    for (const char* sql : {"DELETE FROM chunks WHERE store_id = ?",
                            "DELETE FROM store_files WHERE store_id = ?",
                            "DELETE FROM batches WHERE store_id = ?",
                            "DELETE FROM stores WHERE id = ?"}) {
      ASSIGN_OR_RETURN(Statement * st, c.Prepare(sql));
      RETURN_IF_ERROR(st->BindAll(store.id));
      RETURN_IF_ERROR(st->Run());
    }
    return keyword.Drop(c);
  }));
  impl_->ForgetIndex(store.id);
  return absl::OkStatus();
}

absl::StatusOr<StoreFileRecord> VectorStoreCore::AddFile(const std::string& project,
                                                         absl::string_view store_id,
                                                         const AddFileParams& params) {
  ASSIGN_OR_RETURN(VectorStoreRecord store, impl_->LoadStore(project, store_id));
  RETURN_IF_ERROR(impl_->Enqueue(project, store.id, {params}, ""));
  return impl_->LoadFile(project, store.id, params.file_id);
}

absl::StatusOr<StoreFileRecord> VectorStoreCore::GetFile(const std::string& project,
                                                         absl::string_view store_id,
                                                         absl::string_view file_id) {
  return impl_->LoadFile(project, store_id, file_id);
}

absl::StatusOr<Page<StoreFileRecord>> VectorStoreCore::ListFiles(
    const std::string& project, absl::string_view store_id, absl::string_view batch_id,
    std::optional<FileStatus> status, const PageParams& params) {
  ASSIGN_OR_RETURN(VectorStoreRecord store, impl_->LoadStore(project, store_id));
  Page<StoreFileRecord> page;
  RETURN_IF_ERROR(impl_->db->Read([&](Connection& c) -> absl::Status {
    constexpr char kSeq[] = "SELECT seq FROM store_files WHERE store_id = ? AND file_id = ?";
    ASSIGN_OR_RETURN(auto after, sqlite::ResolveKeysetCursor(c, kSeq, store.id, params.after, "after"));
    ASSIGN_OR_RETURN(auto before, sqlite::ResolveKeysetCursor(c, kSeq, store.id, params.before, "before"));
    KeysetQuery q = PlanKeysetPage(params, after, before, "seq");
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(absl::StrCat(
        "SELECT ", kFileColumns, " FROM store_files WHERE store_id = ?1 AND (?2 = '' OR batch_id = ?2)"
        " AND (?3 < 0 OR status = ?3) AND ", q.condition, " ORDER BY ", q.order_by,
        " LIMIT ", q.fetch_limit)));
    RETURN_IF_ERROR(st->Bind(1, store.id));
    RETURN_IF_ERROR(st->Bind(2, batch_id));
    RETURN_IF_ERROR(st->Bind(3, status ? StatusCode(*status) : -1));
    for (size_t i = 0; i < q.args.size(); ++i) RETURN_IF_ERROR(st->Bind(static_cast<int>(i) + 4, q.args[i]));
    std::vector<StoreFileRecord> rows;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      ASSIGN_OR_RETURN(StoreFileRecord r, ReadFile(*st));
      rows.push_back(std::move(r));
    }
    page = FinishKeysetPage(std::move(rows), q);
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<StoreFileRecord> VectorStoreCore::UpdateFileAttributes(
    const std::string& project, absl::string_view store_id, absl::string_view file_id,
    std::optional<Attributes> attributes) {
  ASSIGN_OR_RETURN(StoreFileRecord file, impl_->LoadFile(project, store_id, file_id));
  RETURN_IF_ERROR(impl_->db->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "UPDATE store_files SET attributes = ? WHERE store_id = ? AND file_id = ?"));
    std::optional<std::string> json;
    if (attributes) json = AttributesToJson(*attributes);
    RETURN_IF_ERROR(st->BindAll(json, file.store_id, file.file_id));
    return st->Run();
  }));
  return impl_->LoadFile(project, store_id, file_id);
}

absl::Status VectorStoreCore::RemoveFile(const std::string& project, absl::string_view store_id,
                                         absl::string_view file_id) {
  ASSIGN_OR_RETURN(StoreFileRecord file, impl_->LoadFile(project, store_id, file_id));
  return impl_->DeleteFileRows(file.store_id, file.file_id);
}

absl::StatusOr<extract::Document> VectorStoreCore::FileContent(const std::string& project,
                                                               absl::string_view store_id,
                                                               absl::string_view file_id) {
  ASSIGN_OR_RETURN(StoreFileRecord file, impl_->LoadFile(project, store_id, file_id));
  if (file.status != FileStatus::kCompleted) {
    return absl::FailedPreconditionError(absl::StrCat(
        "File ", file.file_id, " in vector store ", file.store_id,
        " has not been processed; its content is available once it is completed."));
  }
  return impl_->options.files->Text(project, file.file_id);
}

absl::StatusOr<int> VectorStoreCore::DetachFileEverywhere(const std::string& project,
                                                          absl::string_view file_id) {
  std::vector<std::string> stores;
  RETURN_IF_ERROR(impl_->db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "SELECT store_id FROM store_files WHERE project_id = ? AND file_id = ?"));
    RETURN_IF_ERROR(st->BindAll(project, file_id));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) return absl::OkStatus();
      stores.push_back(st->ColumnText(0));
    }
  }));
  for (const std::string& store : stores) {
    RETURN_IF_ERROR(impl_->DeleteFileRows(store, std::string(file_id)));
  }
  return static_cast<int>(stores.size());
}

namespace {

absl::StatusOr<BatchRecord> LoadBatch(sqlite::Database* db, const std::string& store_id,
                                      absl::string_view batch_id) {
  BatchRecord b;
  RETURN_IF_ERROR(db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "SELECT id, created_at, cancelled FROM batches WHERE id = ? AND store_id = ?"));
    RETURN_IF_ERROR(st->BindAll(batch_id, store_id));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) {
      return absl::NotFoundError(absl::StrCat("No file batch found with id '", batch_id,
                                              "' in vector store '", store_id, "'."));
    }
    b.id = st->ColumnText(0);
    b.store_id = store_id;
    b.created_at = st->ColumnInt64(1);
    const bool cancelled = st->ColumnInt64(2) != 0;
    ASSIGN_OR_RETURN(b.file_counts, CountFiles(c, "batch_id", b.id));
    const FileCounts& n = b.file_counts;
    b.status = cancelled               ? "cancelled"
               : n.in_progress > 0     ? "in_progress"
               : n.total > 0 && n.failed == n.total ? "failed"
                                       : "completed";
    return absl::OkStatus();
  }));
  return b;
}

}  // namespace

absl::StatusOr<BatchRecord> VectorStoreCore::CreateBatch(const std::string& project,
                                                         absl::string_view store_id,
                                                         const std::vector<AddFileParams>& files) {
  ASSIGN_OR_RETURN(VectorStoreRecord store, impl_->LoadStore(project, store_id));
  // Every file must exist before the batch is recorded.
  for (const AddFileParams& f : files) {
    RETURN_IF_ERROR(impl_->options.files->Filename(project, f.file_id).status());
  }
  const std::string id = NewId(IdKind::kFileBatch);
  RETURN_IF_ERROR(impl_->db->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "INSERT INTO batches(id, store_id, project_id, created_at) VALUES(?, ?, ?, ?)"));
    RETURN_IF_ERROR(st->BindAll(id, store.id, project, impl_->options.clock->NowUnixSeconds()));
    return st->Run();
  }));
  RETURN_IF_ERROR(impl_->Enqueue(project, store.id, files, id));
  return LoadBatch(impl_->db.get(), store.id, id);
}

absl::StatusOr<BatchRecord> VectorStoreCore::GetBatch(const std::string& project,
                                                      absl::string_view store_id,
                                                      absl::string_view batch_id) {
  ASSIGN_OR_RETURN(VectorStoreRecord store, impl_->LoadStore(project, store_id));
  return LoadBatch(impl_->db.get(), store.id, batch_id);
}

absl::StatusOr<BatchRecord> VectorStoreCore::CancelBatch(const std::string& project,
                                                         absl::string_view store_id,
                                                         absl::string_view batch_id) {
  ASSIGN_OR_RETURN(VectorStoreRecord store, impl_->LoadStore(project, store_id));
  ASSIGN_OR_RETURN(BatchRecord batch, LoadBatch(impl_->db.get(), store.id, batch_id));
  if (batch.status != "in_progress") {
    return absl::FailedPreconditionError(absl::StrCat(
        "Cannot cancel file batch ", batch.id, ": it is already ", batch.status, "."));
  }
  RETURN_IF_ERROR(impl_->db->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * b, c.Prepare("UPDATE batches SET cancelled = 1 WHERE id = ?"));
    RETURN_IF_ERROR(b->BindAll(batch.id));
    RETURN_IF_ERROR(b->Run());
    // Files being ingested right now see this at commit and are discarded.
    ASSIGN_OR_RETURN(Statement * f, c.Prepare(absl::StrCat(
        "UPDATE store_files SET status = ", StatusCode(FileStatus::kCancelled),
        " WHERE batch_id = ? AND status = ", StatusCode(FileStatus::kInProgress))));
    RETURN_IF_ERROR(f->BindAll(batch.id));
    return f->Run();
  }));
  return LoadBatch(impl_->db.get(), store.id, batch_id);
}

absl::StatusOr<std::vector<SearchHit>> VectorStoreCore::Search(const std::string& project,
                                                               absl::string_view store_id,
                                                               const SearchParams& params) {
  ASSIGN_OR_RETURN(VectorStoreRecord store, impl_->LoadStore(project, store_id));
  if (store.status == "expired") {
    return absl::FailedPreconditionError(absl::StrCat("Vector store ", store.id, " has expired."));
  }
  return impl_->Search(store, params);
}

void VectorStoreCore::WaitUntilIdle() { impl_->WaitUntilIdle(); }

void VectorStoreCore::StopBackgroundWork() { impl_->StopWorkers(); }

}  // namespace assistd::retrieval
