// Retrieval speed at scale, on synthetic stores of --sizes chunks:
//  - ingestion chunks/s: chunk (800/400), embed with the hashed embedder, one
//    SQLite transaction per batch of documents (chunk rows with their
//    embedding BLOB + FTS5 rows), then FAISS Add. Generating the text stands
//    in for extraction and is excluded;
//  - the cost of adding one more ~20-chunk document to the full store;
//  - search latency (hybrid p50/p99, keyword-only and vector-only p50, k=10,
//    one thread, after a warm-up), keyword search from the in-memory BM25
//    index against FTS5 alone, in turns on the same queries;
//  - resident memory, in-memory BM25 index, FAISS snapshot and SQLite file
//    bytes per chunk;
//  - restart (open SQLite, load the FAISS snapshot, one query, which FTS5
//    answers), building the in-memory BM25 index from the stored chunks (the
//    service does it in the background) and the fallback rebuild of the
//    vector index from the SQLite BLOBs.
// Each size runs in a child process of its own, so memory figures start
// clean. One table row per size on stdout; progress and each size's phase
// breakdown on stderr. FAISS threads come from OpenMP, so pin them to get
// single-core figures:
//
//   OMP_NUM_THREADS=1 nice -n 10 build/bench/retrieval_speed --sizes=10000,100000

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench/zipf_text.h"
#include "common/sqlite/database.h"
#include "common/status_macros.h"
#include "indexer/chunk/chunker.h"
#include "indexer/embed/hashed_embedder.h"
#include "indexer/hybrid_retriever.h"
#include "indexer/index/keyword_index.h"
#include "indexer/index/memory_keyword_index.h"
#include "indexer/index/vector_index.h"

ABSL_FLAG(std::vector<std::string>, sizes, std::vector<std::string>({"10000", "100000"}),
          "Store sizes in chunks, e.g. 10000,100000,1000000.");
ABSL_FLAG(int, queries, 200, "Timed queries per search mode.");
ABSL_FLAG(int, warmup, 20, "Untimed queries run first in each mode.");
ABSL_FLAG(int, vocabulary, 50000, "Pseudo-words in the Zipf vocabulary.");
ABSL_FLAG(double, zipf_exponent, 1.0, "Word rank r has weight 1/r^exponent.");
ABSL_FLAG(int, batch_chunks, 512, "Chunks embedded and written per transaction.");
ABSL_FLAG(int, embed_threads, 1, "Threads that embed each batch.");
ABSL_FLAG(bool, overlap_writes, false,
          "Embed the next batch while the previous one is written, as two of the service's "
          "ingestion workers overlap.");
ABSL_FLAG(int, one_doc_adds, 5, "Single ~20-chunk documents added to the full store.");
ABSL_FLAG(std::string, dir, "/tmp", "Where the temporary stores go.");

namespace assistd::bench {
namespace {

using sqlite::Connection;
using sqlite::Statement;

constexpr uint64_t kDocSeed = 1;
constexpr uint64_t kQuerySeed = 2;
constexpr int kTopK = 10;
// Words of the single documents added to the full store: ~20 chunks at
// 800/400 tokens (the token estimate gives ~1.3 per pseudo-word and period).
constexpr int kOneDocWords = 6500;
constexpr size_t kRebuildBatch = 4096;

// The embedding comes before the text so that reading it (the rebuild)
// does not walk the text's overflow pages.
constexpr char kSchema[] =
    "CREATE TABLE chunks(chunk_id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL,"
    " embedding BLOB NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX chunks_by_doc ON chunks(doc_id);";
constexpr char kInsertChunk[] =
    "INSERT INTO chunks(chunk_id, doc_id, embedding, title, text) VALUES(?, ?, ?, ?, ?)";

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A field of /proc/self/status ("VmRSS", "VmHWM") in bytes; 0 if missing.
int64_t ProcStatusBytes(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size() + 1, key + ":") != 0) continue;
    int64_t kb = 0;
    std::string digits;
    for (char c : line) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    return absl::SimpleAtoi(digits, &kb) ? kb * 1024 : 0;
  }
  return 0;
}

// Makes VmHWM start again from the current resident set.
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

int64_t FileBytes(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

// One vector store, as the retrieval service would hold it.
struct Store {
  std::unique_ptr<sqlite::Database> db;
  index::KeywordIndex keyword{"vs_speed"};
  // Unready until built (a new store: at once, empty; a reopened one: by
  // BuildMemoryKeywords).
  index::MemoryKeywordIndex memory;
  std::unique_ptr<embed::Embedder> embedder = embed::NewHashedEmbedder();
  std::unique_ptr<index::VectorIndex> vectors;
};

index::VectorIndexOptions VectorOptions() { return index::VectorIndexOptions{}; }

std::string DbPath(const std::string& dir) { return dir + "/store.db"; }
std::string SnapshotPath(const std::string& dir) { return dir + "/vectors.faiss"; }

// Opens (or creates) the store's database and keyword table; no vectors.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& dir) {
  auto s = std::make_unique<Store>();
  sqlite::DatabaseOptions o;
  o.path = DbPath(dir);
  o.migrations = {{1, kSchema}};
  ASSIGN_OR_RETURN(s->db, sqlite::Database::Open(o));
  RETURN_IF_ERROR(s->db->Write([&](Connection& c) { return s->keyword.Create(c); }));
  return s;
}

// Seconds spent in each ingestion phase.
struct Phases {
  double chunk = 0;
  double embed = 0;
  double sqlite = 0;
  double tokenize = 0;  // for the in-memory keyword index, beside embedding
  double memory = 0;    // adding to it after the commit
  double vectors = 0;
  double slowest_add = 0;  // the longest single VectorIndex::Add
};

// Turns documents into rows and vectors, a batch at a time. Borrows the
// store, which must outlive it. Not thread-safe.
//
// With --overlap_writes, a batch is embedded on a thread of its own while
// the previous one is written, as two of the service's ingestion workers
// overlap (one embeds its file while the other's transaction commits).
class Ingester {
 public:
  explicit Ingester(Store* store) : store_(store) {}
  ~Ingester() {
    if (in_flight_.valid()) in_flight_.wait();
  }

  // Chunks `text` (one page of a text file) into the pending batch.
  void AddDocument(const std::string& title, std::string text);
  // Embeds the pending chunks, writes them in one transaction, then adds
  // their vectors (the rows are the source of truth, so they go first).
  // With --overlap_writes the batch is only started here; Drain() finishes.
  absl::Status Flush();
  // Writes the batch still being embedded, if any.
  absl::Status Drain();

  int64_t chunks() const { return next_chunk_id_; }  // including pending ones
  int64_t docs() const { return next_doc_id_; }
  size_t pending() const { return pending_.ids.size(); }
  const Phases& phases() const { return phases_; }

 private:
  struct Batch {
    std::vector<int64_t> ids, doc_ids;
    std::vector<std::string> titles, texts, embed_inputs;
    absl::StatusOr<std::vector<float>> vectors;
    absl::StatusOr<std::vector<index::Bm25Document>> tokens;
    double embed_s = 0, tokenize_s = 0;
  };
  // The batch's vectors, on --embed_threads threads.
  absl::StatusOr<std::vector<float>> Embed(const std::vector<std::string>& inputs) const;
  void EmbedInto(Batch& b) const;
  // One transaction for the rows, then the vectors.
  absl::Status Write(Batch& b);

  Store* const store_;
  Batch pending_;
  std::future<Batch> in_flight_;
  int64_t next_chunk_id_ = 0;
  int64_t next_doc_id_ = 0;
  Phases phases_;
};

void Ingester::AddDocument(const std::string& title, std::string text) {
  const double start = Now();
  extract::Document doc;
  doc.format = extract::Format::kText;
  doc.pages = {{1, std::move(text), true}};
  std::vector<chunk::Chunk> chunks = chunk::ChunkDocument(doc, chunk::ChunkingOptions{});
  const int64_t doc_id = next_doc_id_++;
  for (chunk::Chunk& ch : chunks) {
    pending_.ids.push_back(next_chunk_id_++);
    pending_.doc_ids.push_back(doc_id);
    pending_.titles.push_back(title);
    pending_.embed_inputs.push_back(absl::StrCat(title, "\n", ch.text));
    pending_.texts.push_back(std::move(ch.text));
  }
  phases_.chunk += Now() - start;
}

absl::StatusOr<std::vector<float>> Ingester::Embed(const std::vector<std::string>& inputs) const {
  const size_t threads = static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_embed_threads)));
  const size_t n = inputs.size();
  if (threads == 1) return store_->embedder->Embed(inputs);
  const size_t d = static_cast<size_t>(store_->embedder->dimension());
  std::vector<float> out(n * d);
  std::vector<absl::Status> status(threads);
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const size_t from = n * t / threads, to = n * (t + 1) / threads;
      absl::StatusOr<std::vector<float>> v = store_->embedder->Embed(
          std::vector<std::string>(inputs.begin() + from, inputs.begin() + to));
      if (!v.ok()) {
        status[t] = v.status();
        return;
      }
      std::copy(v->begin(), v->end(), out.begin() + from * d);
    });
  }
  for (std::thread& w : workers) w.join();
  for (const absl::Status& st : status) RETURN_IF_ERROR(st);
  return out;
}

void Ingester::EmbedInto(Batch& b) const {
  const double start = Now();
  b.vectors = Embed(b.embed_inputs);
  b.embed_s = Now() - start;
  // As an ingestion worker does before its commit.
  std::vector<index::Bm25Document> tokens;
  for (size_t i = 0; i < b.ids.size(); ++i) {
    absl::StatusOr<index::Bm25Document> t = index::TokenizeChunk(b.ids[i], b.titles[i], b.texts[i]);
    if (!t.ok()) {
      b.tokens = t.status();
      return;
    }
    tokens.push_back(*std::move(t));
  }
  b.tokens = std::move(tokens);
  b.tokenize_s = Now() - start - b.embed_s;
}

absl::Status Ingester::Flush() {
  if (pending_.ids.empty()) return absl::OkStatus();
  Batch batch = std::move(pending_);
  pending_ = Batch();
  if (!absl::GetFlag(FLAGS_overlap_writes)) {
    EmbedInto(batch);
    return Write(batch);
  }
  // This batch embeds on its own thread while the previous one is written.
  std::future<Batch> previous = std::move(in_flight_);
  in_flight_ = std::async(std::launch::async, [this, b = std::move(batch)]() mutable {
    EmbedInto(b);
    return std::move(b);
  });
  if (!previous.valid()) return absl::OkStatus();
  Batch ready = previous.get();
  return Write(ready);
}

absl::Status Ingester::Drain() {
  if (!in_flight_.valid()) return absl::OkStatus();
  Batch batch = in_flight_.get();
  return Write(batch);
}

absl::Status Ingester::Write(Batch& b) {
  if (!b.vectors.ok()) return b.vectors.status();
  if (!b.tokens.ok()) return b.tokens.status();
  const std::vector<float>& vectors = *b.vectors;
  const double t1 = Now();
  const size_t d = static_cast<size_t>(store_->embedder->dimension());
  RETURN_IF_ERROR(store_->db->Write([&](Connection& c) -> absl::Status {
    for (size_t i = 0; i < b.ids.size(); ++i) {
      ASSIGN_OR_RETURN(Statement * st, c.Prepare(kInsertChunk));
      const sqlite::Blob embedding{absl::string_view(
          reinterpret_cast<const char*>(vectors.data() + i * d), d * sizeof(float))};
      RETURN_IF_ERROR(st->BindAll(b.ids[i], b.doc_ids[i], embedding, b.titles[i], b.texts[i]));
      RETURN_IF_ERROR(st->Run());
      RETURN_IF_ERROR(store_->keyword.Insert(c, b.ids[i], b.titles[i], b.texts[i]));
    }
    return absl::OkStatus();
  }));
  const double t15 = Now();
  store_->memory.Add(*std::move(b.tokens));
  const double t2 = Now();
  RETURN_IF_ERROR(store_->vectors->Add(b.ids, vectors));
  const double t3 = Now();
  phases_.embed += b.embed_s;
  phases_.tokenize += b.tokenize_s;
  phases_.sqlite += t15 - t1;
  phases_.memory += t2 - t15;
  phases_.vectors += t3 - t2;
  phases_.slowest_add = std::max(phases_.slowest_add, t3 - t2);
  return absl::OkStatus();
}

std::string Title(ZipfText& text, int64_t doc) {
  return absl::StrCat("Document ", doc, ": ", text.Words(text.Between(2, 6)));
}

// Streams documents of 300-16000 words (~20 chunks on average) into the
// store until it holds `target` chunks. Returns the seconds spent
// generating text, which the caller leaves out.
absl::StatusOr<double> Build(Ingester& in, ZipfText& text, int64_t target) {
  double generating = 0;
  int64_t next_report = target / 10;
  const int batch = absl::GetFlag(FLAGS_batch_chunks);
  while (in.chunks() < target) {
    const double start = Now();
    std::string title = Title(text, in.docs());
    std::string body = text.Document(text.Between(300, 16000));
    generating += Now() - start;
    in.AddDocument(title, std::move(body));
    if (static_cast<int>(in.pending()) >= batch) RETURN_IF_ERROR(in.Flush());
    if (in.chunks() >= next_report) {
      std::fprintf(stderr, "[%lld] %lld chunks\n", static_cast<long long>(target),
                   static_cast<long long>(in.chunks()));
      next_report += target / 10;
    }
  }
  RETURN_IF_ERROR(in.Flush());
  RETURN_IF_ERROR(in.Drain());
  return generating;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

// Milliseconds per query and mode, each search in its own read transaction
// as a request would run, for all but the first `warmup` queries. The modes
// take turns on each query, starting with a different one each time, so
// background load and cache warmth fall on all of them alike.
absl::StatusOr<std::vector<std::vector<double>>> SearchMs(
    const Store& s, const std::vector<std::string>& queries, int warmup,
    const std::vector<index::RetrievalOptions>& modes) {
  index::HybridRetriever retriever(&s.keyword, s.vectors.get(), s.embedder.get(), &s.memory);
  // FTS5 alone: the baseline for keyword search.
  index::HybridRetriever fts5(&s.keyword, s.vectors.get(), s.embedder.get());
  std::vector<std::vector<double>> ms(modes.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    for (size_t turn = 0; turn < modes.size(); ++turn) {
      const size_t m = (i + turn) % modes.size();
      const index::HybridRetriever& r = m == modes.size() - 1 ? fts5 : retriever;
      const double start = Now();
      RETURN_IF_ERROR(s.db->Read([&](Connection& c) -> absl::Status {
        return r.Search(c, queries[i], kTopK, modes[m]).status();
      }));
      if (static_cast<int>(i) >= warmup) ms[m].push_back((Now() - start) * 1e3);
    }
  }
  return ms;
}

// One row of the table, plus the breakdown printed on stderr.
struct Row {
  int64_t chunks = 0;
  int64_t docs = 0;
  double build_s = 0;  // without text generation
  double generate_s = 0;
  Phases phases;
  std::vector<double> one_doc_ms;
  std::vector<double> one_doc_faiss_ms;  // the VectorIndex::Add part
  int one_doc_chunks = 0;
  double hybrid_p50 = 0, hybrid_p99 = 0, keyword_p50 = 0, vector_p50 = 0, fts5_p50 = 0;
  double keyword_p99 = 0, fts5_p99 = 0;
  double keyword_build_s = 0;  // the in-memory keyword index, from SQLite
  int64_t keyword_bytes = 0;   // its heap bytes after that build
  int64_t rss_growth = 0;
  int64_t faiss_bytes = 0, sqlite_bytes = 0;
  double save_s = 0, restart_s = 0, load_s = 0, rebuild_s = 0;
  int64_t load_peak = 0;  // VmHWM growth over the restart
};

absl::Status MeasureSearch(const Store& s, Row& row) {
  ZipfText text(absl::GetFlag(FLAGS_vocabulary), absl::GetFlag(FLAGS_zipf_exponent), kQuerySeed);
  const int warmup = absl::GetFlag(FLAGS_warmup);
  std::vector<std::string> queries;
  for (int i = warmup + absl::GetFlag(FLAGS_queries); i > 0; --i) {
    queries.push_back(text.Words(text.Between(3, 8)));
  }
  // Hybrid with the default options, keywords only, vectors only, and
  // keywords only from FTS5 (the last mode, SearchMs).
  std::vector<index::RetrievalOptions> modes(4);
  modes[1].fusion.vector_weight = 0;
  modes[1].feedback_chunks = 0;
  modes[2].fusion.keyword_weight = 0;
  modes[2].feedback_chunks = 0;
  modes[3] = modes[1];
  ASSIGN_OR_RETURN(std::vector<std::vector<double>> ms, SearchMs(s, queries, warmup, modes));
  row.hybrid_p50 = Percentile(ms[0], 0.5);
  row.hybrid_p99 = Percentile(ms[0], 0.99);
  row.keyword_p50 = Percentile(ms[1], 0.5);
  row.keyword_p99 = Percentile(ms[1], 0.99);
  row.vector_p50 = Percentile(ms[2], 0.5);
  row.fts5_p50 = Percentile(ms[3], 0.5);
  row.fts5_p99 = Percentile(ms[3], 0.99);
  return absl::OkStatus();
}

// Adds single ~20-chunk documents to the full store, each flushed (and
// committed) on its own, timing everything but generating the text.
absl::Status MeasureOneDocAdds(Ingester& in, ZipfText& text, Row& row) {
  for (int i = absl::GetFlag(FLAGS_one_doc_adds); i > 0; --i) {
    std::string title = Title(text, in.docs());
    std::string body = text.Document(kOneDocWords);
    const int64_t before = in.chunks();
    const double faiss_before = in.phases().vectors;
    const double start = Now();
    in.AddDocument(title, std::move(body));
    RETURN_IF_ERROR(in.Flush());
    RETURN_IF_ERROR(in.Drain());
    row.one_doc_ms.push_back((Now() - start) * 1e3);
    row.one_doc_faiss_ms.push_back((in.phases().vectors - faiss_before) * 1e3);
    row.one_doc_chunks = static_cast<int>(in.chunks() - before);
  }
  return absl::OkStatus();
}

// Builds a fresh store in `dir` and measures ingestion, single adds, memory
// and search. Returns the store for the restart measurements.
absl::StatusOr<std::unique_ptr<Store>> BuildAndSearch(const std::string& dir, int64_t target,
                                                      Row& row) {
  ZipfText text(absl::GetFlag(FLAGS_vocabulary), absl::GetFlag(FLAGS_zipf_exponent), kDocSeed);
  ASSIGN_OR_RETURN(std::unique_ptr<Store> s, OpenStore(dir));
  ASSIGN_OR_RETURN(s->vectors, index::NewFaissVectorIndex(VectorOptions()));
  s->memory.BeginBuild();  // a new store has nothing to build from
  s->memory.FinishBuild(s->memory.NewBuildTarget());
  Ingester in(s.get());
  const int64_t rss_before = ProcStatusBytes("VmRSS");
  const double start = Now();
  ASSIGN_OR_RETURN(row.generate_s, Build(in, text, target));
  row.build_s = Now() - start - row.generate_s;
  row.rss_growth = ProcStatusBytes("VmRSS") - rss_before;
  row.chunks = in.chunks();
  row.docs = in.docs();
  row.phases = in.phases();
  RETURN_IF_ERROR(MeasureOneDocAdds(in, text, row));
  RETURN_IF_ERROR(MeasureSearch(*s, row));
  return s;
}

// What a restarting service does: open the database, load the snapshot,
// check that no committed row is newer than it (those would be replayed).
absl::StatusOr<std::unique_ptr<Store>> Reopen(const std::string& dir, double* load_s) {
  ASSIGN_OR_RETURN(std::unique_ptr<Store> s, OpenStore(dir));
  const double start = Now();
  ASSIGN_OR_RETURN(s->vectors, index::LoadFaissVectorIndex(SnapshotPath(dir), VectorOptions()));
  *load_s = Now() - start;
  int64_t newer = 0;
  RETURN_IF_ERROR(s->db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st, c.Prepare("SELECT count(*) FROM chunks WHERE chunk_id > ?"));
    RETURN_IF_ERROR(st->BindAll(s->vectors->max_id()));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) newer = st->ColumnInt64(0);
    return absl::OkStatus();
  }));
  if (newer != 0) return absl::DataLossError(absl::StrCat(newer, " rows newer than the snapshot"));
  return s;
}

// The in-memory keyword index from the chunks in SQLite, as StoreIndex
// builds it in the background after a restart.
absl::Status BuildMemoryKeywords(Store& s) {
  s.memory.BeginBuild();
  index::Bm25Index built = s.memory.NewBuildTarget();
  RETURN_IF_ERROR(s.db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st,
                     c.Prepare("SELECT chunk_id, title, text FROM chunks ORDER BY chunk_id"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) return absl::OkStatus();
      ASSIGN_OR_RETURN(index::Bm25Document t,
                       index::TokenizeChunk(st->ColumnInt64(0), st->ColumnText(1),
                                            st->ColumnText(2)));
      RETURN_IF_ERROR(built.Add(t));
    }
  }));
  s.memory.FinishBuild(std::move(built));
  return absl::OkStatus();
}

// The fallback when the snapshot is missing or corrupt: a new index from
// the embeddings stored in SQLite, without re-embedding.
absl::StatusOr<std::unique_ptr<index::VectorIndex>> RebuildVectors(const Store& s) {
  ASSIGN_OR_RETURN(std::unique_ptr<index::VectorIndex> out,
                   index::NewFaissVectorIndex(VectorOptions()));
  const size_t d = static_cast<size_t>(out->dimension());
  std::vector<int64_t> ids;
  std::vector<float> rows;
  auto add = [&]() -> absl::Status {
    if (!ids.empty()) RETURN_IF_ERROR(out->Add(ids, rows));
    ids.clear();
    rows.clear();
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(s.db->Read([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Statement * st,
                     c.Prepare("SELECT chunk_id, embedding FROM chunks ORDER BY chunk_id"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      const std::string blob = st->ColumnBlob(1);
      if (blob.size() != d * sizeof(float)) {
        return absl::DataLossError(
            absl::StrCat("chunk ", st->ColumnInt64(0), " has a ", blob.size(), "-byte embedding"));
      }
      ids.push_back(st->ColumnInt64(0));
      rows.resize(rows.size() + d);
      std::memcpy(rows.data() + rows.size() - d, blob.data(), blob.size());
      if (ids.size() == kRebuildBatch) RETURN_IF_ERROR(add());
    }
    return add();
  }));
  return out;
}

// The rebuilt index must hold what the snapshot held.
absl::Status CheckSame(const index::VectorIndex& a, const index::VectorIndex& b) {
  if (a.size() != b.size()) {
    return absl::InternalError(absl::StrCat("rebuilt ", b.size(), " vectors of ", a.size()));
  }
  for (int64_t id : {int64_t{0}, a.max_id() / 2, a.max_id()}) {
    ASSIGN_OR_RETURN(std::vector<float> x, a.Reconstruct(id));
    ASSIGN_OR_RETURN(std::vector<float> y, b.Reconstruct(id));
    if (x != y) return absl::InternalError(absl::StrCat("vector ", id, " differs"));
  }
  return absl::OkStatus();
}

// Saves the snapshot, closes everything, reopens and queries once; then
// rebuilds the vectors from SQLite.
absl::Status MeasureRestart(const std::string& dir, std::unique_ptr<Store> s, Row& row) {
  double start = Now();
  RETURN_IF_ERROR(s->vectors->Save(SnapshotPath(dir)));
  row.save_s = Now() - start;
  s.reset();  // the last connection to close checkpoints and deletes the WAL
  row.faiss_bytes = FileBytes(SnapshotPath(dir));
  row.sqlite_bytes = FileBytes(DbPath(dir)) + FileBytes(DbPath(dir) + "-wal");
  ResetPeakRss();
  const int64_t rss_before = ProcStatusBytes("VmRSS");
  start = Now();
  ASSIGN_OR_RETURN(s, Reopen(dir, &row.load_s));
  // Until its keyword index is built, a reopened store searches with FTS5.
  index::HybridRetriever retriever(&s->keyword, s->vectors.get(), s->embedder.get(), &s->memory);
  RETURN_IF_ERROR(s->db->Read([&](Connection& c) -> absl::Status {
    return retriever.Search(c, "first query after a restart", kTopK, {}).status();
  }));
  row.restart_s = Now() - start;
  row.load_peak = ProcStatusBytes("VmHWM") - rss_before;
  start = Now();
  RETURN_IF_ERROR(BuildMemoryKeywords(*s));
  row.keyword_build_s = Now() - start;
  row.keyword_bytes = s->memory.MemoryBytes();
  start = Now();
  ASSIGN_OR_RETURN(std::unique_ptr<index::VectorIndex> rebuilt, RebuildVectors(*s));
  row.rebuild_s = Now() - start;
  return CheckSame(*s->vectors, *rebuilt);
}

void PrintHeader() {
  std::printf(
      "| chunks | docs | ingest chunks/s | +1 doc ms (median, n=%d) | hybrid p50 ms | "
      "hybrid p99 ms | keyword p50 / p99 ms | FTS5 keyword p50 / p99 ms | vector p50 ms | "
      "RSS B/chunk | BM25 index B/chunk | FAISS B/chunk | SQLite B/chunk | restart s | "
      "BM25 build s | rebuild s |\n",
      absl::GetFlag(FLAGS_one_doc_adds));
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::fflush(stdout);
}

void PrintRow(const Row& r) {
  const double n = static_cast<double>(r.chunks);
  std::printf(
      "| %lld | %lld | %.0f | %.1f (%d chunks) | %.2f | %.2f | %.2f / %.2f | %.2f / %.2f | "
      "%.2f | %.0f | %.0f | %.0f | %.0f | %.2f | %.1f | %.2f |\n",
      static_cast<long long>(r.chunks), static_cast<long long>(r.docs), n / r.build_s,
      Percentile(r.one_doc_ms, 0.5), r.one_doc_chunks, r.hybrid_p50, r.hybrid_p99, r.keyword_p50,
      r.keyword_p99, r.fts5_p50, r.fts5_p99, r.vector_p50, static_cast<double>(r.rss_growth) / n,
      static_cast<double>(r.keyword_bytes) / n, static_cast<double>(r.faiss_bytes) / n,
      static_cast<double>(r.sqlite_bytes) / n, r.restart_s, r.keyword_build_s, r.rebuild_s);
  std::fflush(stdout);
}

// Where the time went, and the snapshot's memory cost while loading (a
// lower bound: the freed store's memory may be reused without growing RSS).
void PrintBreakdown(const Row& r) {
  const Phases& p = r.phases;
  const double mb = 1 << 20;
  std::fprintf(stderr,
               "[%lld] ingest %.1f s (text generation %.1f s excluded): chunk %.1f, embed %.1f, "
               "tokenize %.1f, sqlite %.1f, bm25 add %.1f, faiss add %.1f s; slowest single add "
               "%.2f s. "
               "+1 doc ms: median %.1f (faiss add %.1f), max %.1f. Save %.2f s. "
               "Restart: snapshot load %.2f s, RSS peak +%.0f MB (snapshot %.0f MB).\n",
               static_cast<long long>(r.chunks), r.build_s, r.generate_s, p.chunk, p.embed,
               p.tokenize, p.sqlite, p.memory, p.vectors, p.slowest_add, Percentile(r.one_doc_ms, 0.5),
               Percentile(r.one_doc_faiss_ms, 0.5), Percentile(r.one_doc_ms, 1.0), r.save_s,
               r.load_s, r.load_peak / mb, r.faiss_bytes / mb);
}

absl::Status RunSize(int64_t size) {
  std::string dir = absl::StrCat(absl::GetFlag(FLAGS_dir), "/assistd_speed_XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) return absl::InternalError(absl::StrCat("mkdtemp ", dir));
  Row row;
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::unique_ptr<Store> s, BuildAndSearch(dir, size, row));
    return MeasureRestart(dir, std::move(s), row);
  }();
  std::filesystem::remove_all(dir);
  if (status.ok()) {
    PrintRow(row);
    PrintBreakdown(row);
  }
  return status;
}

int Run() {
  std::vector<int64_t> sizes;
  for (const std::string& s : absl::GetFlag(FLAGS_sizes)) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(s, &n) || n <= 0) {
      std::fprintf(stderr, "bad --sizes entry '%s'\n", s.c_str());
      return 2;
    }
    sizes.push_back(n);
  }
  PrintHeader();
  int failures = 0;
  for (int64_t size : sizes) {
    std::fflush(stderr);
    // A child per size: its resident set starts clean, and nothing here
    // has started OpenMP threads that a fork would lose.
    const pid_t pid = fork();
    if (pid == 0) {
      const absl::Status status = RunSize(size);
      if (!status.ok()) {
        std::fprintf(stderr, "[%lld] %s\n", static_cast<long long>(size),
                     status.ToString().c_str());
      }
      std::fflush(stdout);
      std::fflush(stderr);
      _exit(status.ok() ? 0 : 1);
    }
    int wait_status = 0;
    if (pid < 0 || waitpid(pid, &wait_status, 0) != pid || !WIFEXITED(wait_status) ||
        WEXITSTATUS(wait_status) != 0) {
      std::fprintf(stderr, "size %lld failed\n", static_cast<long long>(size));
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace assistd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return assistd::bench::Run();
}
