#include "services/retrieval/vector_store_core.h"

#include "services/retrieval/retrieval_schema.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics/metrics.h"
#include "common/sqlite/database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indexer/embed/hashed_embedder.h"
#include "indexer/extract/document.h"
#include "tests/util/metrics_text.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::retrieval {
namespace {

using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::testing::HasSubstr;

// Files held in memory; Text() can be held at a gate to order events.
class FakeFiles final : public FileSource {
 public:
  void Put(const std::string& id, const std::string& name, const std::string& text) {
    absl::MutexLock lock(&mu_);
    files_[id] = {name, text};
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    open_ = false;
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  absl::StatusOr<std::string> Filename(const std::string&, const std::string& id) override {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(id);
    if (it == files_.end()) return absl::NotFoundError("No such File object: " + id);
    return it->second.first;
  }
  absl::StatusOr<extract::Document> Text(const std::string&, const std::string& id) override {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&open_));
    auto it = files_.find(id);
    if (it == files_.end()) return absl::NotFoundError("gone");
    if (it->second.second == "<binary>") return extract::UnsupportedFile("binary data");
    extract::Document doc;
    doc.format = extract::Format::kText;
    doc.pages = {{1, it->second.second, true}, {2, "appendix " + it->second.second, true}};
    return doc;
  }

 private:
  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = true;
  std::map<std::string, std::pair<std::string, std::string>> files_ ABSL_GUARDED_BY(mu_);
};

class VectorStoreCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    embedder_ = embed::NewHashedEmbedder();
    files_.Put("file-wing", "wings.txt", "flutter of swept wings at transonic speed");
    files_.Put("file-heat", "heat.md", "heat transfer in laminar boundary layers");
    files_.Put("file-jet", "jets.txt", "jet engine noise and combustion instability");
    files_.Put("file-bin", "blob.bin", "<binary>");
    Start();
  }

  void Start(bool memory_keywords = true, bool keywords_only = false) {
    core_.reset();
    VectorStoreCoreOptions o;
    o.data_dir = dir_.path();
    o.clock = &clock_;
    o.files = &files_;
    o.embedder = embedder_.get();
    o.ingest_workers = 2;
    o.snapshot_interval = absl::ZeroDuration();
    o.memory_keyword_index = memory_keywords;
    if (keywords_only) {
      o.retrieval.fusion.vector_weight = 0;
      o.retrieval.feedback_chunks = 0;
    }
    core_ = *VectorStoreCore::Create(o);
  }

  VectorStoreRecord NewStore(std::vector<std::string> file_ids, const std::string& project = "p") {
    CreateStoreParams p;
    p.name = "docs";
    p.file_ids = std::move(file_ids);
    auto store = core_->CreateStore(project, p);
    EXPECT_OK(store.status());
    core_->WaitUntilIdle();
    return *store;
  }

  std::vector<std::string> SearchFiles(const std::string& store, const std::string& q,
                                       std::optional<index::AttributeFilter> filter = {}) {
    SearchParams p;
    p.queries = {q};
    p.filter = filter;
    auto hits = core_->Search("p", store, p);
    EXPECT_OK(hits.status());
    std::vector<std::string> ids;
    if (hits.ok()) {
      for (const auto& h : *hits) ids.push_back(h.file_id);
    }
    return ids;
  }

  TempDir dir_;
  FakeClock clock_;
  FakeFiles files_;
  std::unique_ptr<embed::Embedder> embedder_;
  std::unique_ptr<VectorStoreCore> core_;
};

TEST_F(VectorStoreCoreTest, IngestsFilesAndFindsThem) {
  VectorStoreRecord store = NewStore({"file-wing", "file-heat", "file-jet"});
  ASSERT_OK_AND_ASSIGN(VectorStoreRecord got, core_->GetStore("p", store.id));
  EXPECT_EQ(got.file_counts.completed, 3);
  EXPECT_EQ(got.file_counts.total, 3);
  EXPECT_EQ(got.status, "completed");
  EXPECT_GT(got.usage_bytes, 0);
  SearchParams p;
  p.queries = {"boundary layer heat transfer"};
  ASSERT_OK_AND_ASSIGN(auto hits, core_->Search("p", store.id, p));
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].file_id, "file-heat");
  EXPECT_EQ(hits[0].filename, "heat.md");
  EXPECT_GT(hits[0].score, 0.0);
  EXPECT_LE(hits[0].score, 1.0);
  EXPECT_GE(hits[0].page_number, 1);
}

TEST_F(VectorStoreCoreTest, UnsupportedFilesFailWithTheirCode) {
  VectorStoreRecord store = NewStore({"file-bin"});
  ASSERT_OK_AND_ASSIGN(StoreFileRecord f, core_->GetFile("p", store.id, "file-bin"));
  EXPECT_EQ(f.status, FileStatus::kFailed);
  ASSERT_TRUE(f.last_error.has_value());
  EXPECT_EQ(f.last_error->code, "unsupported_file");
  EXPECT_EQ(f.last_error->message, "binary data");
  EXPECT_THAT(core_->AddFile("p", store.id, {"file-nope", {}, {}}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(VectorStoreCoreTest, AttributeFiltersApplyInsideTheSearch) {
  VectorStoreRecord store = NewStore({});
  ASSERT_OK(core_->AddFile("p", store.id, {"file-wing", {}, Attributes{{"kind", std::string("aero")}}}));
  ASSERT_OK(core_->AddFile("p", store.id, {"file-jet", {}, Attributes{{"kind", std::string("prop")}}}));
  core_->WaitUntilIdle();
  index::AttributeFilter prop;
  prop.op = index::AttributeFilter::Op::kEq;
  prop.key = "kind";
  prop.value = std::string("prop");
  EXPECT_THAT(SearchFiles(store.id, "flutter of swept wings", prop),
              ::testing::Each(::testing::Eq("file-jet")));
}

TEST_F(VectorStoreCoreTest, RemovedFilesAreNoLongerFound) {
  VectorStoreRecord store = NewStore({"file-wing", "file-heat"});
  ASSERT_OK(core_->RemoveFile("p", store.id, "file-wing"));
  EXPECT_THAT(SearchFiles(store.id, "flutter swept wings"),
              ::testing::Not(::testing::Contains("file-wing")));
  EXPECT_THAT(core_->GetFile("p", store.id, "file-wing"), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(int n, core_->DetachFileEverywhere("p", "file-heat"));
  EXPECT_EQ(n, 1);
  ASSERT_OK_AND_ASSIGN(VectorStoreRecord got, core_->GetStore("p", store.id));
  EXPECT_EQ(got.file_counts.total, 0);
  EXPECT_EQ(got.usage_bytes, 0);
}

TEST_F(VectorStoreCoreTest, CancellingABatchDiscardsWorkInFlight) {
  VectorStoreRecord store = NewStore({});
  files_.Close();  // workers will block inside Text()
  ASSERT_OK_AND_ASSIGN(BatchRecord batch,
                       core_->CreateBatch("p", store.id, {{"file-wing", {}, {}}, {"file-heat", {}, {}}}));
  EXPECT_EQ(batch.status, "in_progress");
  ASSERT_OK_AND_ASSIGN(BatchRecord cancelled, core_->CancelBatch("p", store.id, batch.id));
  EXPECT_EQ(cancelled.status, "cancelled");
  EXPECT_EQ(cancelled.file_counts.cancelled, 2);
  files_.Open();
  core_->WaitUntilIdle();
  EXPECT_TRUE(SearchFiles(store.id, "flutter heat").empty());
  ASSERT_OK_AND_ASSIGN(auto page, core_->ListFiles("p", store.id, batch.id, FileStatus::kCancelled,
                                                   PageParams{}));
  EXPECT_EQ(page.data.size(), 2u);
}

TEST_F(VectorStoreCoreTest, OtherProjectsSeeNothing) {
  VectorStoreRecord store = NewStore({"file-wing"});
  EXPECT_THAT(core_->GetStore("q", store.id),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("No vector store found")));
  SearchParams p;
  p.queries = {"wings"};
  EXPECT_THAT(core_->Search("q", store.id, p), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto page, core_->ListStores("q", PageParams{}));
  EXPECT_TRUE(page.data.empty());
}

TEST_F(VectorStoreCoreTest, ExpiredStoresCannotBeSearched) {
  CreateStoreParams p;
  p.expires_after_days = 1;
  ASSERT_OK_AND_ASSIGN(VectorStoreRecord store, core_->CreateStore("p", p));
  clock_.Advance(absl::Hours(25));
  ASSERT_OK_AND_ASSIGN(VectorStoreRecord got, core_->GetStore("p", store.id));
  EXPECT_EQ(got.status, "expired");
  SearchParams sp;
  sp.queries = {"x"};
  EXPECT_THAT(core_->Search("p", store.id, sp), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(VectorStoreCoreTest, SurvivesRestartsWithStaleMissingOrCorruptSnapshots) {
  VectorStoreRecord store = NewStore({"file-wing", "file-heat"});
  Start();  // clean shutdown wrote the snapshot; loads it
  EXPECT_EQ(SearchFiles(store.id, "flutter swept wings")[0], "file-wing");
  const std::string snapshot = dir_.File("vectors/" + store.id + ".idx");
  ASSERT_TRUE(std::filesystem::exists(snapshot));
  core_.reset();
  std::ofstream(snapshot, std::ios::trunc) << "garbage";
  Start();  // corrupt: rebuilt from the stored embeddings
  EXPECT_EQ(SearchFiles(store.id, "laminar heat transfer")[0], "file-heat");
  core_.reset();
  std::filesystem::remove(snapshot);
  Start();  // missing: rebuilt too
  EXPECT_EQ(SearchFiles(store.id, "flutter swept wings")[0], "file-wing");
}

// The in-memory keyword index is built from the stored chunks at a start,
// then follows ingestion and removal. Its ranking equals FTS5's
// (memory_keyword_index_test); here FTS5's own index is emptied before
// searching, so every hit comes from the memory index.
TEST_F(VectorStoreCoreTest, MemoryKeywordIndexFollowsTheStore) {
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back(absl::StrCat("file-", i));
    std::string text;
    for (int w = 0; w < 400; ++w) absl::StrAppend(&text, "w", (w * 7 + i) % 97, " ");
    absl::StrAppend(&text, "mark", i);
    files_.Put(ids.back(), absl::StrCat("doc", i, ".txt"), text);
  }
  VectorStoreRecord store = NewStore({ids.begin(), ids.begin() + 30});
  Start(/*memory_keywords=*/true, /*keywords_only=*/true);
  SearchFiles(store.id, "mark0");  // loads the store: its build reads the 30 files
  core_->WaitUntilIdle();
  for (int i = 30; i < 40; ++i) ASSERT_OK(core_->AddFile("p", store.id, {ids[i], {}, {}}));
  ASSERT_OK(core_->RemoveFile("p", store.id, "file-3"));   // indexed by the build
  ASSERT_OK(core_->RemoveFile("p", store.id, "file-33"));  // added after it
  core_->WaitUntilIdle();
  auto empty_fts5 = [&] {
    sqlite::DatabaseOptions o;
    o.path = dir_.File("retrieval.db");
    o.migrations = RetrievalSchema();
    auto db = *sqlite::Database::Open(o);
    const std::string table = "fts_" + store.id;
    ASSERT_OK(db->Write([&](sqlite::Connection& c) {
      return c.Exec(absl::StrCat("INSERT INTO ", table, "(", table, ") VALUES('delete-all')"));
    }));
  };
  auto expect_marks = [&] {
    for (int i = 0; i < 40; ++i) {
      std::vector<std::string> found = SearchFiles(store.id, absl::StrCat("mark", i));
      if (i == 3 || i == 33) {
        EXPECT_THAT(found, ::testing::IsEmpty()) << i;
      } else {
        EXPECT_THAT(found, ::testing::AllOf(::testing::Not(::testing::IsEmpty()),
                                            ::testing::Each(ids[i])))
            << i;
      }
    }
  };
  auto answered = [](const std::string& index) {
    return ::assistd::testing::Sample(
        ::assistd::testing::ParseMetricsText(metrics::RenderText()),
        "assistd_keyword_searches_total{index=\"" + index + "\"}");
  };
  const double memory_before = answered("memory"), fts5_before = answered("fts5");
  empty_fts5();
  expect_marks();
  EXPECT_EQ(answered("memory"), memory_before + 40);
  EXPECT_EQ(answered("fts5"), fts5_before);
  Start(/*memory_keywords=*/true, /*keywords_only=*/true);
  // A store's indexes load on first use (until the keyword index is built
  // from the chunks, FTS5 answers, here with nothing).
  SearchFiles(store.id, "mark5");
  core_->WaitUntilIdle();
  expect_marks();
  Start(/*memory_keywords=*/false, /*keywords_only=*/true);  // FTS5 alone: emptied
  const double fts5_alone = answered("fts5");
  EXPECT_THAT(SearchFiles(store.id, "mark5"), ::testing::IsEmpty());
  EXPECT_EQ(answered("fts5"), fts5_alone + 1);
}

TEST_F(VectorStoreCoreTest, FilesInProgressAtACrashAreIngestedAfterRestart) {
  VectorStoreRecord store = NewStore({"file-jet"});
  core_.reset();
  {  // As if the process died before the file's transaction committed.
    sqlite::DatabaseOptions o;
    o.path = dir_.File("retrieval.db");
    o.migrations = RetrievalSchema();
    auto db = *sqlite::Database::Open(o);
    ASSERT_OK(db->Write([](sqlite::Connection& c) {
      return c.Exec("UPDATE store_files SET status = 0, usage_bytes = 0;"
                    "DELETE FROM chunks; UPDATE stores SET usage_bytes = 0;");
    }));
  }
  Start();
  core_->WaitUntilIdle();
  ASSERT_OK_AND_ASSIGN(StoreFileRecord f, core_->GetFile("p", store.id, "file-jet"));
  EXPECT_EQ(f.status, FileStatus::kCompleted);
  EXPECT_EQ(SearchFiles(store.id, "jet engine noise")[0], "file-jet");
}

}  // namespace
}  // namespace assistd::retrieval
