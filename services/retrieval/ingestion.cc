// Ingestion: the files of every store with status in_progress form the
// queue (it lives in retrieval.db, so a restart resumes it). Workers claim
// the oldest unclaimed file, extract -> chunk -> embed outside any lock,
// then commit chunks, keyword rows, embeddings and the new status in one
// transaction that only succeeds if the file is still in progress (it may
// have been cancelled, detached or its store deleted meanwhile).

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "indexer/chunk/chunker.h"
#include "indexer/extract/document.h"
#include "services/retrieval/retrieval_schema.h"
#include "services/retrieval/vector_store_core_impl.h"

namespace assistd::retrieval {
namespace {

using sqlite::Connection;
using sqlite::Statement;

constexpr int kEmbedBatch = 64;
// A file whose text or embeddings could not be fetched for a passing reason
// (a peer down, a timeout) is retried this many times, backing off from 1 s
// to 60 s, before it fails with server_error.
constexpr int kMaxAttempts = 8;

constexpr char kNoLongerInProgress[] = "no longer in progress";

bool IsTransient(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) || absl::IsCancelled(s) ||
         absl::IsAborted(s) || absl::IsResourceExhausted(s);
}

// The message without the "<code>: " prefix the code already carries.
std::string AfterCode(absl::string_view message, absl::string_view code) {
  absl::ConsumePrefix(&message, code);
  absl::ConsumePrefix(&message, ": ");
  return std::string(message);
}

LastError ErrorFor(const absl::Status& s) {
  switch (extract::ClassifyFileError(s)) {
    case extract::FileErrorKind::kUnsupported:
      return {"unsupported_file", AfterCode(s.message(), "unsupported_file")};
    case extract::FileErrorKind::kInvalid:
      return {"invalid_file", AfterCode(s.message(), "invalid_file")};
    case extract::FileErrorKind::kNotAFileError: break;
  }
  if (absl::IsNotFound(s)) return {"invalid_file", "the file no longer exists"};
  return {"server_error", std::string(s.message())};
}

const char* FileStatusName(FileStatus status) {
  switch (status) {
    case FileStatus::kInProgress: return "in_progress";
    case FileStatus::kCompleted: return "completed";
    case FileStatus::kCancelled: return "cancelled";
    case FileStatus::kFailed: return "failed";
  }
  return "failed";
}

}  // namespace

void VectorStoreCoreImpl::StartWorkers(int n) {
  files_metric_ = metrics::ProvideVectorStoreFiles([this] { return FilesByStatus(); });
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  if (options.snapshot_interval > absl::ZeroDuration()) {
    snapshotter_ = std::thread([this] { SnapshotLoop(); });
  }
}

void VectorStoreCoreImpl::StopWorkers() {
  {
    absl::MutexLock lock(&queue_mu_);
    if (stopping_ && workers_.empty()) return;  // already stopped
    stopping_ = true;
  }
  files_metric_.reset();  // before the database goes
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  if (snapshotter_.joinable()) snapshotter_.join();
  absl::MutexLock lock(&index_mu_);
  for (auto& [id, idx] : indexes_) {
    absl::Status s = idx->SaveIfChanged();
    if (!s.ok()) LogWarning("retrieval: saving the vector index of ", id, ": ", s.message());
  }
}

void VectorStoreCoreImpl::Wake() {
  absl::MutexLock lock(&queue_mu_);
  ++enqueued_;
}

void VectorStoreCoreImpl::WaitUntilIdle() {
  {
    absl::MutexLock lock(&queue_mu_);
    queue_mu_.Await(absl::Condition(
        +[](VectorStoreCoreImpl* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->queue_mu_) {
          return s->stopping_ || (s->claimed_.empty() && s->drained_at_ == s->enqueued_);
        },
        this));
  }
  std::vector<std::shared_ptr<StoreIndex>> loaded;
  {
    absl::MutexLock lock(&index_mu_);
    for (auto& [id, idx] : indexes_) loaded.push_back(idx);
  }
  for (const auto& idx : loaded) {
    if (idx->memory_keywords() != nullptr) {
      idx->memory_keywords()->WaitUntilReady(absl::InfiniteDuration());
    }
  }
}

absl::StatusOr<std::map<std::string, int64_t>> VectorStoreCoreImpl::FilesByStatus() {
  std::map<std::string, int64_t> counts;
  RETURN_IF_ERROR(db->Read([&](Connection& c) -> absl::Status {
    counts.clear();
    ASSIGN_OR_RETURN(Statement * st,
                     c.Prepare("SELECT status, COUNT(*) FROM store_files GROUP BY status"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) return absl::OkStatus();
      counts[FileStatusName(StatusFromCode(static_cast<int>(st->ColumnInt64(0))))] +=
          st->ColumnInt64(1);
    }
  }));
  return counts;
}

std::optional<IngestJob> VectorStoreCoreImpl::ClaimJob() {
  // Enough rows to skip the ones other workers hold.
  std::optional<IngestJob> job;
  absl::Status s = db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "SELECT project_id, store_id, file_id, filename, chunk_type, chunk_max, chunk_overlap,"
        " attempts FROM store_files WHERE status = 0 AND not_before <= ? ORDER BY seq LIMIT ?"));
    RETURN_IF_ERROR(st->BindAll(options.clock->NowUnixSeconds(),
                                static_cast<int64_t>(claimed_.size()) + 1));
    while (!job) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      IngestJob j{st->ColumnText(0), st->ColumnText(1), st->ColumnText(2), st->ColumnText(3), {}};
      j.chunking.type = static_cast<ChunkingStrategy::Type>(st->ColumnInt64(4));
      j.chunking.max_tokens = static_cast<int>(st->ColumnInt64(5));
      j.chunking.overlap_tokens = static_cast<int>(st->ColumnInt64(6));
      j.attempts = static_cast<int>(st->ColumnInt64(7));
      if (claimed_.insert({j.store_id, j.file_id}).second) job = std::move(j);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) LogWarning("retrieval: reading the ingestion queue: ", s.message());
  return job;
}

void VectorStoreCoreImpl::WorkerLoop() {
  queue_mu_.Lock();
  uint64_t seen = 0;
  while (!stopping_) {
    std::optional<IngestJob> job = ClaimJob();
    if (!job) {
      if (claimed_.empty()) drained_at_ = enqueued_;
      // Sleep until something is queued. The timeout is a safety net only:
      // every enqueue wakes the workers.
      seen = enqueued_;
      auto woken = [this, &seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
        return stopping_ || enqueued_ != seen;
      };
      queue_mu_.AwaitWithTimeout(absl::Condition(&woken), absl::Seconds(5));
      continue;
    }
    queue_mu_.Unlock();
    Ingest(*job);
    queue_mu_.Lock();
    claimed_.erase({job->store_id, job->file_id});
  }
  queue_mu_.Unlock();
}

std::string EncodePageBreaks(const std::vector<std::pair<int, int>>& breaks) {
  std::string out;
  for (const auto& [offset, page] : breaks) {
    absl::StrAppend(&out, out.empty() ? "" : ",", offset, ":", page);
  }
  return out;
}

std::vector<std::pair<int, int>> DecodePageBreaks(absl::string_view column) {
  std::vector<std::pair<int, int>> breaks;
  for (absl::string_view item : absl::StrSplit(column, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(item, ':');
    int offset = 0, page = 0;
    if (absl::SimpleAtoi(parts.first, &offset) && absl::SimpleAtoi(parts.second, &page)) {
      breaks.emplace_back(offset, page);
    }
  }
  return breaks;
}

void VectorStoreCoreImpl::Ingest(const IngestJob& job) {
  absl::StatusOr<extract::Document> doc = options.files->Text(job.project, job.file_id);
  if (!doc.ok()) return MarkFailed(job, doc.status());
  chunk::ChunkingOptions co{job.chunking.max_tokens, job.chunking.overlap_tokens};
  std::vector<ChunkRow> rows;
  std::vector<std::string> texts, titles;
  for (chunk::Chunk& ch : chunk::ChunkDocument(*doc, co)) {
    // The file name is the chunk's title: a BM25 field and embedding context.
    texts.push_back(absl::StrCat(job.filename, "\n", ch.text));
    titles.push_back(job.filename);
    rows.push_back({ch.index, ch.page_start, ch.page_end, std::move(ch.text),
                    EncodePageBreaks(ch.page_breaks)});
  }
  std::vector<float> vectors;
  for (size_t i = 0; i < texts.size(); i += kEmbedBatch) {
    std::vector<std::string> batch(texts.begin() + i,
                                   texts.begin() + std::min(texts.size(), i + kEmbedBatch));
    absl::StatusOr<std::vector<float>> v = options.embedder->Embed(batch);
    if (!v.ok()) return MarkFailed(job, v.status());
    vectors.insert(vectors.end(), v->begin(), v->end());
  }
  absl::Status s = CommitChunks(job, titles, rows, vectors);
  if (absl::IsAborted(s) && s.message() == kNoLongerInProgress) return;  // cancelled meanwhile
  if (!s.ok()) MarkFailed(job, s);
}

absl::Status VectorStoreCoreImpl::CommitChunks(const IngestJob& job,
                                               const std::vector<std::string>& titles,
                                               const std::vector<ChunkRow>& chunks,
                                               const std::vector<float>& vectors) {
  ASSIGN_OR_RETURN(std::shared_ptr<StoreIndex> idx, Index(job.store_id));
  const size_t dim = static_cast<size_t>(options.embedder->dimension());
  // Tokenized here, outside the write lock, for the in-memory keyword
  // index; the ids come with the commit.
  std::vector<index::Bm25Document> tokens;
  absl::Status tokenized;
  for (size_t i = 0; idx->memory_keywords() != nullptr && i < chunks.size(); ++i) {
    absl::StatusOr<index::Bm25Document> t = index::TokenizeChunk(0, titles[i], chunks[i].text);
    if (!t.ok()) {
      tokenized = t.status();
      break;
    }
    tokens.push_back(*std::move(t));
  }
  std::vector<int64_t> ids;
  int64_t usage = 0;
  absl::ReleasableMutexLock commit_lock(&idx->commit_mu());
  RETURN_IF_ERROR(db->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * check, c.Prepare(
        "SELECT 1 FROM store_files WHERE store_id = ? AND file_id = ? AND status = 0"));
    RETURN_IF_ERROR(check->BindAll(job.store_id, job.file_id));
    ASSIGN_OR_RETURN(bool pending, check->Step());
    if (!pending) return absl::AbortedError(kNoLongerInProgress);
    ASSIGN_OR_RETURN(Statement * ins, c.Prepare(
        "INSERT INTO chunks(store_id, file_id, chunk_index, page_start, page_end, title, text,"
        " embedding, page_breaks) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (size_t i = 0; i < chunks.size(); ++i) {
      absl::string_view blob(reinterpret_cast<const char*>(vectors.data() + i * dim),
                             dim * sizeof(float));
      RETURN_IF_ERROR(ins->BindAll(job.store_id, job.file_id, chunks[i].chunk_index,
                                   chunks[i].page_start, chunks[i].page_end, titles[i],
                                   chunks[i].text, sqlite::Blob{blob}, chunks[i].page_breaks));
      RETURN_IF_ERROR(ins->Run());
      ids.push_back(c.LastInsertRowId());
      RETURN_IF_ERROR(idx->keyword().Insert(c, ids.back(), titles[i], chunks[i].text));
      usage += static_cast<int64_t>(chunks[i].text.size() + blob.size());
    }
    ASSIGN_OR_RETURN(Statement * done, c.Prepare(
        "UPDATE store_files SET status = 1, usage_bytes = ?, error_code = NULL,"
        " error_message = NULL WHERE store_id = ? AND file_id = ?"));
    RETURN_IF_ERROR(done->BindAll(usage, job.store_id, job.file_id));
    RETURN_IF_ERROR(done->Run());
    ASSIGN_OR_RETURN(Statement * store, c.Prepare(
        "UPDATE stores SET usage_bytes = usage_bytes + ?, last_active_at = ? WHERE id = ?"));
    RETURN_IF_ERROR(store->BindAll(usage, options.clock->NowUnixSeconds(), job.store_id));
    return store->Run();
  }));
  // After the commit: the database is the truth; a crash before this line
  // is repaired when the store's index is next loaded.
  if (ids.empty()) return absl::OkStatus();
  if (tokenized.ok()) {
    for (size_t i = 0; i < tokens.size(); ++i) tokens[i].id = ids[i];
    idx->AddKeywords(std::move(tokens));
  } else {
    idx->DisableMemoryKeywords(tokenized);
  }
  commit_lock.Release();
  RETURN_IF_ERROR(idx->vectors()->Add(ids, vectors));
  idx->AddFile(job.file_id, ids.front(), ids.back());
  return absl::OkStatus();
}

void VectorStoreCoreImpl::MarkFailed(const IngestJob& job, const absl::Status& error) {
  if (IsTransient(error) && job.attempts + 1 < kMaxAttempts) return RetryLater(job, error);
  const LastError e = ErrorFor(error);
  LogInfo("retrieval: ", job.file_id, " in ", job.store_id, " failed: ", e.code, ": ", e.message);
  absl::Status s = db->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "UPDATE store_files SET status = 3, error_code = ?, error_message = ?"
        " WHERE store_id = ? AND file_id = ? AND status = 0"));
    RETURN_IF_ERROR(st->BindAll(e.code, e.message, job.store_id, job.file_id));
    return st->Run();
  });
  if (!s.ok()) LogWarning("retrieval: recording the failure of ", job.file_id, ": ", s.message());
}

void VectorStoreCoreImpl::RetryLater(const IngestJob& job, const absl::Status& error) {
  const int64_t delay = std::min<int64_t>(60, int64_t{1} << job.attempts);
  LogInfo("retrieval: ", job.file_id, " in ", job.store_id, ": ", error.message(),
          "; retrying in ", delay, " s");
  absl::Status s = db->Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare(
        "UPDATE store_files SET attempts = attempts + 1, not_before = ?"
        " WHERE store_id = ? AND file_id = ? AND status = 0"));
    RETURN_IF_ERROR(st->BindAll(options.clock->NowUnixSeconds() + delay, job.store_id, job.file_id));
    return st->Run();
  });
  if (!s.ok()) LogWarning("retrieval: scheduling a retry of ", job.file_id, ": ", s.message());
}

void VectorStoreCoreImpl::SnapshotLoop() {
  absl::MutexLock lock(&queue_mu_);
  while (!stopping_) {
    queue_mu_.AwaitWithTimeout(absl::Condition(&stopping_), options.snapshot_interval);
    if (stopping_) break;
    std::vector<std::pair<std::string, std::shared_ptr<StoreIndex>>> all;
    {
      absl::MutexLock index_lock(&index_mu_);
      for (auto& [id, idx] : indexes_) all.emplace_back(id, idx);
    }
    queue_mu_.Unlock();
    for (auto& [id, idx] : all) {
      absl::Status s = idx->SaveIfChanged();
      if (!s.ok()) LogWarning("retrieval: saving the vector index of ", id, ": ", s.message());
    }
    queue_mu_.Lock();
  }
}

}  // namespace assistd::retrieval
