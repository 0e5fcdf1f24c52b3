#include "services/files/file_store.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/sqlite/keyset_cursor.h"
#include "common/status_macros.h"
#include "indexer/extract/document_codec.h"

namespace assistd::files {
namespace {

using sqlite::Connection;
using sqlite::Statement;

const std::vector<sqlite::Migration>& Schema() {
  static const auto* const schema = new std::vector<sqlite::Migration>{
      {1, R"sql(
        CREATE TABLE files(
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          project_id TEXT NOT NULL,
          filename TEXT NOT NULL,
          bytes INTEGER NOT NULL,
          purpose TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER,
          sha256 TEXT NOT NULL);
        CREATE INDEX files_by_project ON files(project_id, seq);
        CREATE INDEX files_by_purpose ON files(project_id, purpose, seq);
        CREATE INDEX files_by_expiry ON files(expires_at) WHERE expires_at IS NOT NULL;
        CREATE TABLE blobs(
          sha256 TEXT PRIMARY KEY,
          bytes INTEGER NOT NULL,
          refcount INTEGER NOT NULL CHECK (refcount > 0));
      )sql"}};
  return *schema;
}

constexpr char kColumns[] =
    "id, project_id, filename, bytes, purpose, created_at, expires_at, sha256";
// Bumped whenever extraction output changes, so old caches are not reused.
constexpr char kTextCacheExt[] = "text.v1";
constexpr int64_t kDefaultBatchExpiry = 30 * 24 * 3600;
constexpr int64_t kMinExpiry = 3600;
constexpr int64_t kMaxExpiry = 2592000;

FileRecord ReadRecord(const Statement& st) {
  FileRecord r;
  r.id = st.ColumnText(0);
  r.project_id = st.ColumnText(1);
  r.filename = st.ColumnText(2);
  r.bytes = st.ColumnInt64(3);
  r.purpose = st.ColumnText(4);
  r.created_at = st.ColumnInt64(5);
  r.expires_at = st.ColumnOptionalInt64(6);
  r.sha256 = st.ColumnText(7);
  return r;
}

absl::Status NoSuchFile(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("No such File object: ", id));
}

absl::Status ValidateFilename(absl::string_view name) {
  if (name.empty() || name.size() > 255) {
    return absl::InvalidArgumentError(
        "Invalid 'filename': expected 1 to 255 bytes.");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/') {
      return absl::InvalidArgumentError(
          "Invalid 'filename': control characters and '/' are not allowed.");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePurpose(absl::string_view purpose) {
  static const auto* const kUploadPurposes = new std::set<std::string>{
      "assistants", "assistants_output", "batch", "fine-tune",
      "vision", "user_data", "evals"};
  if (kUploadPurposes->count(std::string(purpose)) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid 'purpose': '", purpose, "'. Expected one of 'assistants', "
        "'batch', 'fine-tune', 'vision', 'user_data', 'evals'."));
  }
  return absl::OkStatus();
}

absl::Status ValidateHeader(const UploadHeader& h, int64_t max_bytes) {
  RETURN_IF_ERROR(ValidateFilename(h.filename));
  RETURN_IF_ERROR(ValidatePurpose(h.purpose));
  if (h.expires_after_seconds &&
      (*h.expires_after_seconds < kMinExpiry || *h.expires_after_seconds > kMaxExpiry)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid 'expires_after.seconds': ", *h.expires_after_seconds,
        ". Expected a value between ", kMinExpiry, " and ", kMaxExpiry, "."));
  }
  if (h.declared_bytes && *h.declared_bytes > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "File is too large: ", *h.declared_bytes, " bytes; the limit is ",
        max_bytes, " bytes."));
  }
  if (h.declared_bytes && *h.declared_bytes < 0) {
    return absl::InvalidArgumentError("Invalid 'bytes': must not be negative.");
  }
  return absl::OkStatus();
}

absl::StatusOr<FileRecord> SelectFile(Connection& c, absl::string_view project,
                                      absl::string_view id) {
  ASSIGN_OR_RETURN(Statement * st, c.Prepare(absl::StrCat(
      "SELECT ", kColumns, " FROM files WHERE id = ? AND project_id = ?")));
  RETURN_IF_ERROR(st->BindAll(id, project));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return NoSuchFile(id);
  return ReadRecord(*st);
}

}  // namespace

FileStore::FileStore(FileStoreOptions options, std::unique_ptr<sqlite::Database> db,
                     std::unique_ptr<BlobStore> blobs)
    : options_(std::move(options)), db_(std::move(db)), blobs_(std::move(blobs)) {}

absl::StatusOr<std::unique_ptr<FileStore>> FileStore::Create(FileStoreOptions options) {
  sqlite::DatabaseOptions db_options;
  db_options.path = options.data_dir + "/files.db";
  db_options.migrations = Schema();
  ASSIGN_OR_RETURN(auto db, sqlite::Database::Open(std::move(db_options)));
  ASSIGN_OR_RETURN(auto blobs, BlobStore::Open(options.data_dir + "/blobs"));
  std::unique_ptr<FileStore> store(
      new FileStore(std::move(options), std::move(db), std::move(blobs)));
  RETURN_IF_ERROR(store->CollectOrphanBlobs());
  if (store->options_.reap_interval > absl::ZeroDuration()) {
    store->reaper_ = std::thread([s = store.get()] { s->ReaperLoop(); });
  }
  return store;
}

FileStore::~FileStore() { StopReaper(); }

void FileStore::StopReaper() {
  {
    absl::MutexLock lock(&reaper_mu_);
    stopping_ = true;
  }
  if (reaper_.joinable()) reaper_.join();
}

absl::StatusOr<std::unique_ptr<FileStore::Upload>> FileStore::BeginUpload(
    const std::string& project, UploadHeader header) {
  RETURN_IF_ERROR(ValidateHeader(header, options_.max_upload_bytes));
  ASSIGN_OR_RETURN(auto writer, blobs_->NewWriter());
  return std::unique_ptr<Upload>(
      new Upload(this, project, std::move(header), std::move(writer)));
}

absl::Status FileStore::Upload::Append(absl::string_view chunk) {
  if (writer_ == nullptr) return absl::FailedPreconditionError("upload finished");
  const int64_t limit = store_->options_.max_upload_bytes;
  if (writer_->bytes() + static_cast<int64_t>(chunk.size()) > limit) {
    writer_.reset();  // drop the partial blob now, not when the call ends
    return absl::ResourceExhaustedError(absl::StrCat(
        "File is too large: the limit is ", limit, " bytes."));
  }
  return writer_->Append(chunk);
}

absl::StatusOr<FileRecord> FileStore::Upload::Commit() {
  if (writer_ == nullptr) return absl::FailedPreconditionError("upload finished");
  if (header_.declared_bytes && *header_.declared_bytes != writer_->bytes()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid 'bytes': the header declared ", *header_.declared_bytes,
        " bytes but ", writer_->bytes(), " arrived."));
  }
  absl::StatusOr<FileRecord> record = store_->CommitUpload(project_, header_, writer_.get());
  writer_.reset();
  return record;
}

absl::StatusOr<FileRecord> FileStore::CommitUpload(const std::string& project,
                                                   const UploadHeader& header,
                                                   BlobStore::Writer* writer) {
  FileRecord r;
  r.id = NewId(IdKind::kFile);
  r.project_id = project;
  r.filename = header.filename;
  r.bytes = writer->bytes();
  r.purpose = header.purpose;
  r.created_at = options_.clock->NowUnixSeconds();
  if (header.expires_after_seconds) {
    r.expires_at = r.created_at + *header.expires_after_seconds;
  } else if (header.purpose == "batch") {
    r.expires_at = r.created_at + kDefaultBatchExpiry;
  }
  absl::MutexLock lock(&blob_mu_);
  ASSIGN_OR_RETURN(r.sha256, writer->Commit());
  absl::Status s = db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * ins, c.Prepare(absl::StrCat(
        "INSERT INTO files(", kColumns, ") VALUES(?, ?, ?, ?, ?, ?, ?, ?)")));
    RETURN_IF_ERROR(ins->BindAll(r.id, r.project_id, r.filename, r.bytes, r.purpose,
                                 r.created_at, r.expires_at, r.sha256));
    RETURN_IF_ERROR(ins->Run());
    ASSIGN_OR_RETURN(Statement * ref, c.Prepare(
        "INSERT INTO blobs(sha256, bytes, refcount) VALUES(?, ?, 1) "
        "ON CONFLICT(sha256) DO UPDATE SET refcount = refcount + 1"));
    RETURN_IF_ERROR(ref->BindAll(r.sha256, r.bytes));
    return ref->Run();
  });
  if (!s.ok()) {
    // Nothing refers to the blob unless another file already did.
    bool referenced = false;
    (void)db_->Read([&](Connection& c) -> absl::Status {
      ASSIGN_OR_RETURN(Statement * st, c.Prepare("SELECT 1 FROM blobs WHERE sha256 = ?"));
      RETURN_IF_ERROR(st->BindAll(r.sha256));
      ASSIGN_OR_RETURN(referenced, st->Step());
      return absl::OkStatus();
    });
    if (!referenced) (void)blobs_->Remove(r.sha256);
    return s;
  }
  return r;
}

absl::StatusOr<FileRecord> FileStore::Get(const std::string& project, absl::string_view id) {
  FileRecord record;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(record, SelectFile(c, project, id));
    return absl::OkStatus();
  }));
  return record;
}

absl::StatusOr<Page<FileRecord>> FileStore::List(const std::string& project,
                                                 absl::string_view purpose,
                                                 const PageParams& params) {
  Page<FileRecord> page;
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    constexpr char kSeq[] = "SELECT seq FROM files WHERE project_id = ? AND id = ?";
    ASSIGN_OR_RETURN(auto after, sqlite::ResolveKeysetCursor(c, kSeq, project, params.after, "after"));
    ASSIGN_OR_RETURN(auto before,
                     sqlite::ResolveKeysetCursor(c, kSeq, project, params.before, "before"));
    KeysetQuery q = PlanKeysetPage(params, after, before, "seq");
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(absl::StrCat(
        "SELECT ", kColumns, " FROM files WHERE project_id = ?1 AND (?2 = '' OR purpose = ?2)"
        " AND ", q.condition, " ORDER BY ", q.order_by, " LIMIT ", q.fetch_limit)));
    RETURN_IF_ERROR(st->Bind(1, project));
    RETURN_IF_ERROR(st->Bind(2, purpose));
    for (size_t i = 0; i < q.args.size(); ++i) {
      RETURN_IF_ERROR(st->Bind(static_cast<int>(i) + 3, q.args[i]));
    }
    std::vector<FileRecord> rows;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      rows.push_back(ReadRecord(*st));
    }
    page = FinishKeysetPage(std::move(rows), q);
    return absl::OkStatus();
  }));
  return page;
}

absl::Status FileStore::Delete(const std::string& project, absl::string_view id) {
  ASSIGN_OR_RETURN(FileRecord record, Get(project, id));
  RETURN_IF_ERROR(DeleteRecord(record));
  if (options_.on_delete) options_.on_delete(record.project_id, record.id);
  return absl::OkStatus();
}

absl::Status FileStore::DeleteRecord(const FileRecord& record) {
  absl::MutexLock lock(&blob_mu_);
  bool last_reference = false;
  RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * del, c.Prepare(
        "DELETE FROM files WHERE id = ? AND project_id = ?"));
    RETURN_IF_ERROR(del->BindAll(record.id, record.project_id));
    RETURN_IF_ERROR(del->Run());
    if (c.Changes() == 0) return NoSuchFile(record.id);  // raced with a delete
    ASSIGN_OR_RETURN(Statement * unref, c.Prepare(
        "UPDATE blobs SET refcount = refcount - 1 WHERE sha256 = ? AND refcount > 1"));
    RETURN_IF_ERROR(unref->BindAll(record.sha256));
    RETURN_IF_ERROR(unref->Run());
    if (c.Changes() > 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(Statement * drop, c.Prepare("DELETE FROM blobs WHERE sha256 = ?"));
    RETURN_IF_ERROR(drop->BindAll(record.sha256));
    last_reference = true;
    return drop->Run();
  }));
  // After the commit: a crash here leaves an orphan blob, which the next
  // start collects, never a file row without its bytes.
  if (last_reference) return blobs_->Remove(record.sha256);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<BlobStore::Reader>> FileStore::OpenContent(
    const std::string& project, absl::string_view id) {
  ASSIGN_OR_RETURN(FileRecord record, Get(project, id));
  return blobs_->OpenReader(record.sha256);
}

absl::StatusOr<extract::Document> FileStore::GetText(const std::string& project,
                                                     absl::string_view id) {
  ASSIGN_OR_RETURN(FileRecord record, Get(project, id));
  absl::StatusOr<std::string> cached = blobs_->GetDerived(record.sha256, kTextCacheExt);
  if (cached.ok()) {
    absl::StatusOr<extract::Document> doc = extract::DecodeResult(*cached);
    if (doc.ok()) return doc;
    LogWarning("files: text cache of ", record.sha256, " unreadable (",
               doc.status().message(), "); extracting again");
  }
  if (!options_.extractor) return absl::FailedPreconditionError("no text extractor configured");
  if (!blobs_->Exists(record.sha256)) {
    return absl::DataLossError(absl::StrCat("the bytes of ", record.id, " are missing"));
  }
  absl::StatusOr<extract::Document> doc =
      options_.extractor(blobs_->PathOf(record.sha256), record.filename);
  if (doc.ok()) {
    absl::Status put = blobs_->PutDerived(record.sha256, kTextCacheExt, extract::EncodeResult(doc));
    if (!put.ok()) LogWarning("files: cannot cache text of ", record.id, ": ", put.message());
  }
  return doc;
}

absl::StatusOr<int> FileStore::ReapExpired() {
  std::vector<FileRecord> expired;
  const int64_t now = options_.clock->NowUnixSeconds();
  RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(absl::StrCat(
        "SELECT ", kColumns, " FROM files WHERE expires_at IS NOT NULL AND expires_at <= ?")));
    RETURN_IF_ERROR(st->BindAll(now));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) return absl::OkStatus();
      expired.push_back(ReadRecord(*st));
    }
  }));
  int deleted = 0;
  for (const FileRecord& r : expired) {
    absl::Status s = DeleteRecord(r);
    if (absl::IsNotFound(s)) continue;  // deleted meanwhile
    RETURN_IF_ERROR(s);
    if (options_.on_delete) options_.on_delete(r.project_id, r.id);
    LogInfo("files: deleted expired ", r.id, " (project ", r.project_id, ")");
    ++deleted;
  }
  return deleted;
}

absl::Status FileStore::CollectOrphanBlobs() {
  ASSIGN_OR_RETURN(std::vector<std::string> on_disk, blobs_->ListBlobs());
  absl::MutexLock lock(&blob_mu_);
  for (const std::string& sha : on_disk) {
    bool referenced = false;
    RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
      ASSIGN_OR_RETURN(Statement * st, c.Prepare("SELECT 1 FROM blobs WHERE sha256 = ?"));
      RETURN_IF_ERROR(st->BindAll(sha));
      ASSIGN_OR_RETURN(referenced, st->Step());
      return absl::OkStatus();
    }));
    if (!referenced) {
      LogInfo("files: removing unreferenced blob ", sha, " (left by an interrupted write)");
      RETURN_IF_ERROR(blobs_->Remove(sha));
    }
  }
  return absl::OkStatus();
}

void FileStore::ReaperLoop() {
  absl::MutexLock lock(&reaper_mu_);
  while (!stopping_) {
    // Wakes early when the store is being destroyed.
    reaper_mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.reap_interval);
    if (stopping_) break;
    reaper_mu_.Unlock();
    absl::StatusOr<int> reaped = ReapExpired();
    if (!reaped.ok()) LogWarning("files: expiry sweep failed: ", reaped.status().message());
    reaper_mu_.Lock();
  }
}

}  // namespace assistd::files
