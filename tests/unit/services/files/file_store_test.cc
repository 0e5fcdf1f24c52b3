#include "services/files/file_store.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::files {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open(int64_t max_bytes = 1 << 20) {
    store_.reset();
    FileStoreOptions o;
    o.data_dir = dir_.path();
    o.max_upload_bytes = max_bytes;
    o.clock = &clock_;
    o.reap_interval = absl::ZeroDuration();
    o.extractor = [this](const std::string& path, absl::string_view name)
        -> absl::StatusOr<extract::Document> {
      ++extractions_;
      extract::Document doc;
      doc.format = extract::Format::kText;
      doc.pages = {{1, std::string("text of ") + std::string(name), true}};
      return doc;
    };
    o.on_delete = [this](const std::string& project, const std::string& id) {
      deleted_.push_back(project + "/" + id);
    };
    store_ = *FileStore::Create(std::move(o));
  }

  absl::StatusOr<FileRecord> Put(const std::string& content,
                                 const std::string& name = "a.txt",
                                 const std::string& project = "p1",
                                 const std::string& purpose = "assistants") {
    UploadHeader h;
    h.filename = name;
    h.purpose = purpose;
    auto up = store_->BeginUpload(project, h);
    if (!up.ok()) return up.status();
    // Several chunks, like a stream.
    for (size_t i = 0; i < content.size(); i += 7) {
      absl::Status s = (*up)->Append(absl::string_view(content).substr(i, 7));
      if (!s.ok()) return s;
    }
    return (*up)->Commit();
  }

  int BlobCount() {
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir_.File("blobs/sha256"))) {
      if (e.is_regular_file() && e.path().filename().string().size() == 64) ++n;
    }
    return n;
  }

  int TempCount() {
    return static_cast<int>(std::distance(fs::directory_iterator(dir_.File("blobs/tmp")),
                                          fs::directory_iterator()));
  }

  std::string Content(const std::string& project, const std::string& id) {
    auto reader = store_->OpenContent(project, id);
    if (!reader.ok()) return "<" + reader.status().ToString() + ">";
    std::string out;
    while (*(*reader)->Read(3, &out)) {
    }
    return out;
  }

  TempDir dir_;
  FakeClock clock_;
  std::atomic<int> extractions_{0};
  std::vector<std::string> deleted_;
  std::unique_ptr<FileStore> store_;
};

TEST_F(FileStoreTest, UploadStoresBytesAndMetadata) {
  ASSERT_OK_AND_ASSIGN(FileRecord r, Put("hello, file store", "notes.txt"));
  EXPECT_THAT(r.id, ::testing::StartsWith("file-"));
  EXPECT_EQ(r.bytes, 17);
  EXPECT_EQ(r.filename, "notes.txt");
  EXPECT_EQ(r.created_at, clock_.NowUnixSeconds());
  EXPECT_FALSE(r.expires_at.has_value());
  EXPECT_EQ(Content("p1", r.id), "hello, file store");
  ASSERT_OK_AND_ASSIGN(FileRecord got, store_->Get("p1", r.id));
  EXPECT_EQ(got.sha256, r.sha256);
}

TEST_F(FileStoreTest, OtherProjectsSeeNothing) {
  ASSERT_OK_AND_ASSIGN(FileRecord r, Put("mine"));
  EXPECT_THAT(store_->Get("p2", r.id),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("No such File object")));
  EXPECT_THAT(store_->Delete("p2", r.id), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto page, store_->List("p2", "", PageParams{}));
  EXPECT_TRUE(page.data.empty());
  EXPECT_OK(store_->Get("p1", r.id));
}

TEST_F(FileStoreTest, IdenticalContentIsStoredOnceAndDeletedSafely) {
  ASSERT_OK_AND_ASSIGN(FileRecord a, Put("same bytes", "a.txt"));
  ASSERT_OK_AND_ASSIGN(FileRecord b, Put("same bytes", "b.txt", "p2"));
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(BlobCount(), 1);
  ASSERT_OK(store_->Delete("p1", a.id));
  EXPECT_EQ(BlobCount(), 1);
  EXPECT_EQ(Content("p2", b.id), "same bytes");
  ASSERT_OK(store_->Delete("p2", b.id));
  EXPECT_EQ(BlobCount(), 0);
  EXPECT_THAT(deleted_, ElementsAre("p1/" + a.id, "p2/" + b.id));
}

TEST_F(FileStoreTest, OversizeUploadFailsEarlyAndLeavesNothing) {
  Open(/*max_bytes=*/32);
  EXPECT_THAT(Put(std::string(100, 'x')),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("too large")));
  EXPECT_EQ(BlobCount(), 0);
  EXPECT_EQ(TempCount(), 0);
  UploadHeader h{"big.bin", "assistants", std::nullopt, 1000};
  EXPECT_THAT(store_->BeginUpload("p1", h), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(FileStoreTest, AbandonedUploadLeavesNoTempFile) {
  {
    ASSERT_OK_AND_ASSIGN(auto up, store_->BeginUpload("p1", {"a.txt", "assistants"}));
    ASSERT_OK(up->Append("partial"));
    EXPECT_EQ(TempCount(), 1);
  }
  EXPECT_EQ(TempCount(), 0);
  ASSERT_OK_AND_ASSIGN(auto page, store_->List("p1", "", PageParams{}));
  EXPECT_TRUE(page.data.empty());
}

TEST_F(FileStoreTest, DeclaredSizeMustMatch) {
  UploadHeader h{"a.txt", "assistants", std::nullopt, 5};
  ASSERT_OK_AND_ASSIGN(auto up, store_->BeginUpload("p1", h));
  ASSERT_OK(up->Append("abc"));
  EXPECT_THAT(up->Commit(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'bytes'")));
}

TEST_F(FileStoreTest, ValidatesTheHeader) {
  EXPECT_THAT(store_->BeginUpload("p1", {"", "assistants"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'filename'")));
  EXPECT_THAT(store_->BeginUpload("p1", {"a/b.txt", "assistants"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'filename'")));
  EXPECT_THAT(store_->BeginUpload("p1", {std::string("a\0b", 3), "assistants"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'filename'")));
  EXPECT_THAT(store_->BeginUpload("p1", {"a.txt", "nonsense"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'purpose'")));
  EXPECT_THAT(store_->BeginUpload("p1", {"a.txt", "assistants", 10}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expires_after")));
}

TEST_F(FileStoreTest, ListsNewestFirstWithPurposeFilterAndCursors) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(FileRecord r, Put("c" + std::to_string(i), "f.txt", "p1",
                                           i % 2 == 0 ? "assistants" : "vision"));
    ids.push_back(r.id);
  }
  PageParams two;
  two.limit = 2;
  ASSERT_OK_AND_ASSIGN(auto first, store_->List("p1", "", two));
  ASSERT_EQ(first.data.size(), 2u);
  EXPECT_EQ(first.data[0].id, ids[4]);
  EXPECT_TRUE(first.has_more);
  two.after = first.data[1].id;
  ASSERT_OK_AND_ASSIGN(auto second, store_->List("p1", "", two));
  EXPECT_EQ(second.data[0].id, ids[2]);
  ASSERT_OK_AND_ASSIGN(auto vision, store_->List("p1", "vision", PageParams{}));
  ASSERT_EQ(vision.data.size(), 2u);
  EXPECT_EQ(vision.data[0].id, ids[3]);
  PageParams bad;
  bad.after = "file-doesnotexist";
  EXPECT_THAT(store_->List("p1", "", bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'after'")));
}

TEST_F(FileStoreTest, ExpiredFilesAreReaped) {
  UploadHeader h{"a.txt", "assistants", 3600};
  ASSERT_OK_AND_ASSIGN(auto up, store_->BeginUpload("p1", h));
  ASSERT_OK(up->Append("short-lived"));
  ASSERT_OK_AND_ASSIGN(FileRecord r, up->Commit());
  EXPECT_EQ(r.expires_at, r.created_at + 3600);
  ASSERT_OK_AND_ASSIGN(FileRecord batch, Put("batch input", "b.jsonl", "p1", "batch"));
  EXPECT_EQ(batch.expires_at, batch.created_at + 30 * 24 * 3600);
  ASSERT_OK_AND_ASSIGN(FileRecord keep, Put("kept"));

  clock_.Advance(absl::Seconds(3599));
  EXPECT_THAT(store_->ReapExpired(), testing::IsOkAndHolds(0));
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(store_->ReapExpired(), testing::IsOkAndHolds(1));
  EXPECT_THAT(store_->Get("p1", r.id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_OK(store_->Get("p1", keep.id));
  EXPECT_THAT(deleted_, ElementsAre("p1/" + r.id));
}

TEST_F(FileStoreTest, TextIsExtractedOnceAndCachedAcrossRestarts) {
  ASSERT_OK_AND_ASSIGN(FileRecord r, Put("body", "doc.md"));
  ASSERT_OK_AND_ASSIGN(auto doc, store_->GetText("p1", r.id));
  EXPECT_EQ(doc.pages[0].text, "text of doc.md");
  ASSERT_OK(store_->GetText("p1", r.id).status());
  EXPECT_EQ(extractions_.load(), 1);
  Open();
  ASSERT_OK(store_->GetText("p1", r.id).status());
  EXPECT_EQ(extractions_.load(), 1);
}

TEST_F(FileStoreTest, CorruptTextCacheIsReExtracted) {
  ASSERT_OK_AND_ASSIGN(FileRecord r, Put("body", "doc.md"));
  ASSERT_OK(store_->GetText("p1", r.id).status());
  const std::string cache = dir_.File("blobs/sha256/" + r.sha256.substr(0, 2) + "/" +
                                      r.sha256 + ".text.v1");
  ASSERT_TRUE(fs::exists(cache));
  std::ofstream(cache, std::ios::trunc) << "junk";
  ASSERT_OK_AND_ASSIGN(auto doc, store_->GetText("p1", r.id));
  EXPECT_EQ(doc.pages[0].text, "text of doc.md");
  EXPECT_EQ(extractions_.load(), 2);
}

TEST_F(FileStoreTest, DataSurvivesReopenAndOrphanBlobsAreCollected) {
  ASSERT_OK_AND_ASSIGN(FileRecord r, Put("durable"));
  // A blob written just before a crash, before its row was committed.
  const std::string orphan(64, 'a');
  fs::create_directories(dir_.File("blobs/sha256/aa"));
  std::ofstream(dir_.File("blobs/sha256/aa/" + orphan)) << "orphan";
  std::ofstream(dir_.File("blobs/tmp/half-upload")) << "partial";
  Open();
  EXPECT_EQ(Content("p1", r.id), "durable");
  EXPECT_FALSE(fs::exists(dir_.File("blobs/sha256/aa/" + orphan)));
  EXPECT_EQ(TempCount(), 0);
}

TEST_F(FileStoreTest, MissingBlobIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(FileRecord r, Put("will vanish"));
  fs::remove(dir_.File("blobs/sha256/" + r.sha256.substr(0, 2) + "/" + r.sha256));
  EXPECT_THAT(store_->OpenContent("p1", r.id), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->GetText("p1", r.id), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace assistd::files
