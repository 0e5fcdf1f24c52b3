// VectorStoreService over a real socket: stores, files, batches, search,
// detaching and project isolation, end to end with ingestion.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/vector_store_fixture.h"

namespace assistd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using VectorStoreServiceTest = VectorStoreFixture;

TEST_F(VectorStoreServiceTest, IngestsFilesAndFindsTheRightOneFirst) {
  const std::string volcano = Upload("volcano.txt", kVolcano);
  const std::string plants = Upload("plants.md", kPlants);
  const std::string castles = Upload("castles.txt", kCastles);
  const std::string pdf = UploadPdf();
  v1::VectorStore store = CreateStore({volcano, plants, castles, pdf});
  EXPECT_THAT(store.id(), StartsWith("vs_"));
  EXPECT_EQ(store.object(), "vector_store");
  EXPECT_EQ(store.name(), "docs");
  EXPECT_EQ(store.file_counts().total(), 4);
  for (const std::string& id : {volcano, plants, castles, pdf}) {
    v1::VectorStoreFile f = WaitForFile(store.id(), id);
    EXPECT_EQ(f.status(), v1::VECTOR_STORE_FILE_STATUS_COMPLETED) << f.last_error().message();
    EXPECT_EQ(f.object(), "vector_store.file");
    EXPECT_EQ(f.vector_store_id(), store.id());
    EXPECT_FALSE(f.has_last_error());
    EXPECT_EQ(f.chunking_strategy().static_().max_chunk_size_tokens(), 800);
    EXPECT_EQ(f.chunking_strategy().static_().chunk_overlap_tokens(), 400);
  }
  store = GetStore(store.id());
  EXPECT_EQ(store.status(), v1::VECTOR_STORE_STATUS_COMPLETED);
  EXPECT_EQ(store.file_counts().completed(), 4);
  EXPECT_EQ(store.file_counts().in_progress(), 0);
  EXPECT_EQ(store.file_counts().total(), 4);
  EXPECT_GT(store.usage_bytes(), 0);

  v1::SearchVectorStoreResponse resp;
  ASSERT_TRUE(Search(store.id(), "lava eruption from the volcano", &resp).ok());
  EXPECT_EQ(resp.object(), "vector_store.search_results.page");
  EXPECT_THAT(resp.search_query(), ::testing::ElementsAre("lava eruption from the volcano"));
  EXPECT_FALSE(resp.has_more());
  EXPECT_FALSE(resp.has_next_page());
  ASSERT_GE(resp.data_size(), 1);
  EXPECT_EQ(resp.data(0).file_id(), volcano);
  EXPECT_EQ(resp.data(0).filename(), "volcano.txt");
  EXPECT_GT(resp.data(0).score(), 0);
  EXPECT_LE(resp.data(0).score(), 1);
  ASSERT_EQ(resp.data(0).content_size(), 1);
  EXPECT_THAT(resp.data(0).content(0).text(), HasSubstr("Lava"));

  EXPECT_EQ(SearchIds(store.id(), "chlorophyll sunlight leaves").front(), plants);
  EXPECT_EQ(SearchIds(store.id(), "quarterly revenue").front(), pdf);
  EXPECT_EQ(SearchIds(store.id(), "knights siege castle").front(), castles);
  EXPECT_EQ(SearchIds(store.id(), "volcano castle plants revenue",
                      [](v1::SearchVectorStoreRequest* r) { r->set_max_num_results(1); })
                .size(),
            1u);
  v1::SearchVectorStoreResponse multi;
  ASSERT_TRUE(Search(store.id(), "", &multi, [](v1::SearchVectorStoreRequest* r) {
                r->mutable_texts()->add_values("magma");
                r->mutable_texts()->add_values("drawbridge moat");
              }).ok());
  EXPECT_EQ(multi.search_query_size(), 2);
  EXPECT_GE(multi.data_size(), 2);
}

TEST_F(VectorStoreServiceTest, ServesTheParsedContentOfAFile) {
  const std::string pdf = UploadPdf();
  v1::VectorStore store = CreateStore({pdf});
  ASSERT_EQ(WaitForFile(store.id(), pdf).status(), v1::VECTOR_STORE_FILE_STATUS_COMPLETED);
  v1::GetVectorStoreFileContentRequest req;
  req.set_vector_store_id(store.id());
  req.set_file_id(pdf);
  v1::VectorStoreFileContentPage page;
  ASSERT_TRUE(Call(&Stub::GetVectorStoreFileContent, req, &page).ok());
  EXPECT_EQ(page.object(), "vector_store.file_content.page");
  ASSERT_EQ(page.data_size(), 2);
  EXPECT_THAT(page.data(1).text(), HasSubstr("Revenue grew"));
  EXPECT_FALSE(page.has_more());
  EXPECT_FALSE(page.has_next_page());
  req.set_page("zzz");
  EXPECT_TRUE(IsInvalid(Call(&Stub::GetVectorStoreFileContent, req, &page), "page"));
}

TEST_F(VectorStoreServiceTest, FiltersByAttributesAndUpdatesThem) {
  const std::string volcano = Upload("volcano.txt", kVolcano);
  const std::string castles = Upload("castles.txt", kCastles);
  v1::VectorStore store = CreateStore({});
  const v1::Attributes geo = Attrs("geology", 2020), hist = Attrs("history", 1990);
  EXPECT_EQ(Attach(store.id(), volcano, &geo).attributes().entries().at("topic").string_value(),
            "geology");
  Attach(store.id(), castles, &hist);
  WaitForFile(store.id(), volcano);
  WaitForFile(store.id(), castles);

  const std::string query = "volcano lava castle knights";
  auto only = [](v1::Filter f) {
    return [f](v1::SearchVectorStoreRequest* r) { *r->mutable_filters() = f; };
  };
  EXPECT_THAT(SearchIds(store.id(), query, only(Eq("topic", "history"))), ::testing::Each(castles));
  v1::Filter old;
  old.mutable_comparison()->set_type(v1::COMPARISON_FILTER_TYPE_LT);
  old.mutable_comparison()->set_key("year");
  old.mutable_comparison()->set_number_value(2000);
  EXPECT_THAT(SearchIds(store.id(), query, only(old)), ::testing::Each(castles));
  v1::Filter either;
  either.mutable_compound()->set_type(v1::COMPOUND_FILTER_TYPE_OR);
  *either.mutable_compound()->add_filters() = Eq("topic", "geology");
  *either.mutable_compound()->add_filters() = old;
  EXPECT_THAT(SearchIds(store.id(), query, only(either)),
              ::testing::IsSupersetOf({volcano, castles}));
  EXPECT_THAT(SearchIds(store.id(), query, only(Eq("topic", "biology"))), ::testing::IsEmpty());

  v1::UpdateVectorStoreFileRequest update;
  update.set_vector_store_id(store.id());
  update.set_file_id(volcano);
  *update.mutable_attributes() = Attrs("history", 1800);
  v1::VectorStoreFile updated;
  ASSERT_TRUE(Call(&Stub::UpdateVectorStoreFile, update, &updated).ok());
  EXPECT_EQ(updated.attributes().entries().at("year").number_value(), 1800);
  EXPECT_THAT(SearchIds(store.id(), query, only(Eq("topic", "history"))),
              ::testing::IsSupersetOf({volcano, castles}));
  update.clear_attributes();
  update.add_clear_fields("attributes");
  ASSERT_TRUE(Call(&Stub::UpdateVectorStoreFile, update, &updated).ok());
  EXPECT_FALSE(updated.has_attributes());
  EXPECT_THAT(SearchIds(store.id(), query, only(Eq("topic", "history"))), ::testing::Each(castles));
}

TEST_F(VectorStoreServiceTest, ListsFilesByPageAndStatusAndReportsUnsupportedOnes) {
  const std::string a = Upload("a.txt", kVolcano), b = Upload("b.md", kPlants);
  const std::string c = Upload("c.txt", kCastles);
  const std::string bin = Upload("blob.bin", std::string("\x00\x01\x02\xff\xfe", 5));
  v1::VectorStore store = CreateStore({a, b, c, bin});
  for (const std::string& id : {a, b, c}) WaitForFile(store.id(), id);
  v1::VectorStoreFile failed = WaitForFile(store.id(), bin);
  EXPECT_EQ(failed.status(), v1::VECTOR_STORE_FILE_STATUS_FAILED);
  EXPECT_EQ(failed.last_error().code(), v1::LAST_ERROR_CODE_UNSUPPORTED_FILE);
  EXPECT_FALSE(failed.last_error().message().empty());
  store = GetStore(store.id());
  EXPECT_EQ(store.file_counts().failed(), 1);
  EXPECT_EQ(store.file_counts().completed(), 3);

  v1::ListVectorStoreFilesRequest req;
  req.set_vector_store_id(store.id());
  req.mutable_page()->set_limit(2);
  req.mutable_page()->set_order(v1::ORDER_ASC);
  v1::ListVectorStoreFilesResponse page;
  ASSERT_TRUE(Call(&Stub::ListVectorStoreFiles, req, &page).ok());
  ASSERT_EQ(page.data_size(), 2);
  EXPECT_EQ(page.first_id(), a);
  EXPECT_EQ(page.last_id(), b);
  EXPECT_TRUE(page.has_more());
  req.mutable_page()->set_after(page.last_id());
  ASSERT_TRUE(Call(&Stub::ListVectorStoreFiles, req, &page).ok());
  ASSERT_EQ(page.data_size(), 2);
  EXPECT_EQ(page.data(0).id(), c);
  EXPECT_FALSE(page.has_more());

  req.clear_page();
  req.set_filter(v1::VECTOR_STORE_FILE_STATUS_FAILED);
  ASSERT_TRUE(Call(&Stub::ListVectorStoreFiles, req, &page).ok());
  ASSERT_EQ(page.data_size(), 1);
  EXPECT_EQ(page.data(0).id(), bin);
  req.set_filter(v1::VECTOR_STORE_FILE_STATUS_COMPLETED);
  ASSERT_TRUE(Call(&Stub::ListVectorStoreFiles, req, &page).ok());
  EXPECT_EQ(page.data_size(), 3);
  EXPECT_EQ(page.data(0).id(), c);  // newest first by default
}

TEST_F(VectorStoreServiceTest, BatchesAttachFilesByIdOrWithTheirOwnSettings) {
  const std::string a = Upload("a.txt", kVolcano), b = Upload("b.md", kPlants);
  const std::string c = Upload("c.txt", kCastles);
  v1::VectorStore store = CreateStore({});
  v1::CreateFileBatchRequest by_ids;
  by_ids.set_vector_store_id(store.id());
  by_ids.add_file_ids(a);
  by_ids.add_file_ids(b);
  *by_ids.mutable_attributes() = Attrs("mixed", 1);
  v1::VectorStoreFileBatch batch;
  ASSERT_TRUE(Call(&Stub::CreateFileBatch, by_ids, &batch).ok());
  EXPECT_THAT(batch.id(), StartsWith("vsfb_"));
  EXPECT_EQ(batch.object(), "vector_store.files_batch");
  EXPECT_EQ(batch.vector_store_id(), store.id());
  EXPECT_EQ(batch.file_counts().total(), 2);
  EXPECT_EQ(WaitForFile(store.id(), a).attributes().entries().at("topic").string_value(), "mixed");
  WaitForFile(store.id(), b);
  v1::GetFileBatchRequest get;
  get.set_vector_store_id(store.id());
  get.set_batch_id(batch.id());
  ASSERT_TRUE(Call(&Stub::GetFileBatch, get, &batch).ok());
  EXPECT_EQ(batch.status(), v1::FILE_BATCH_STATUS_COMPLETED);
  EXPECT_EQ(batch.file_counts().completed(), 2);

  v1::CreateFileBatchRequest by_files;
  by_files.set_vector_store_id(store.id());
  v1::FileBatchFile* f = by_files.add_files();
  f->set_file_id(c);
  *f->mutable_attributes() = Attrs("history", 1200);
  f->mutable_chunking_strategy()->mutable_static_()->set_max_chunk_size_tokens(200);
  f->mutable_chunking_strategy()->mutable_static_()->set_chunk_overlap_tokens(50);
  v1::VectorStoreFileBatch second;
  ASSERT_TRUE(Call(&Stub::CreateFileBatch, by_files, &second).ok());
  v1::VectorStoreFile cf = WaitForFile(store.id(), c);
  EXPECT_EQ(cf.attributes().entries().at("topic").string_value(), "history");
  EXPECT_EQ(cf.chunking_strategy().static_().max_chunk_size_tokens(), 200);
  EXPECT_EQ(cf.chunking_strategy().static_().chunk_overlap_tokens(), 50);

  v1::ListFileBatchFilesRequest list;
  list.set_vector_store_id(store.id());
  list.set_batch_id(batch.id());
  v1::ListVectorStoreFilesResponse files;
  ASSERT_TRUE(Call(&Stub::ListFileBatchFiles, list, &files).ok());
  EXPECT_EQ(files.data_size(), 2);  // not c, which came with the second batch
  list.set_filter(v1::VECTOR_STORE_FILE_STATUS_FAILED);
  ASSERT_TRUE(Call(&Stub::ListFileBatchFiles, list, &files).ok());
  EXPECT_EQ(files.data_size(), 0);
}

TEST_F(VectorStoreServiceTest, CancellingABatchStopsItsRemainingFiles) {
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(Upload(absl::StrCat("f", i, ".txt"), absl::StrCat(kCastles, " part ", i)));
  }
  v1::VectorStore store = CreateStore({});
  v1::CreateFileBatchRequest req;
  req.set_vector_store_id(store.id());
  for (const std::string& id : ids) req.add_file_ids(id);
  v1::VectorStoreFileBatch batch;
  ASSERT_TRUE(Call(&Stub::CreateFileBatch, req, &batch).ok());
  v1::CancelFileBatchRequest cancel;
  cancel.set_vector_store_id(store.id());
  cancel.set_batch_id(batch.id());
  grpc::Status s = Call(&Stub::CancelFileBatch, cancel, &batch);
  if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    GTEST_SKIP() << "the batch finished before it could be cancelled";
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(batch.status(), v1::FILE_BATCH_STATUS_CANCELLED);
  for (const std::string& id : ids) WaitForFile(store.id(), id);
  v1::GetFileBatchRequest get;
  get.set_vector_store_id(store.id());
  get.set_batch_id(batch.id());
  ASSERT_TRUE(Call(&Stub::GetFileBatch, get, &batch).ok());
  EXPECT_EQ(batch.status(), v1::FILE_BATCH_STATUS_CANCELLED);
  EXPECT_EQ(batch.file_counts().in_progress(), 0);
  EXPECT_EQ(batch.file_counts().cancelled() + batch.file_counts().completed(), 20);
}

TEST_F(VectorStoreServiceTest, CancellingAFinishedBatchIsAFailedPrecondition) {
  const std::string a = Upload("a.txt", kVolcano);
  v1::VectorStore store = CreateStore({});
  v1::CreateFileBatchRequest req;
  req.set_vector_store_id(store.id());
  req.add_file_ids(a);
  v1::VectorStoreFileBatch batch;
  ASSERT_TRUE(Call(&Stub::CreateFileBatch, req, &batch).ok());
  WaitForFile(store.id(), a);
  v1::CancelFileBatchRequest cancel;
  cancel.set_vector_store_id(store.id());
  cancel.set_batch_id(batch.id());
  EXPECT_EQ(Call(&Stub::CancelFileBatch, cancel, &batch).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(VectorStoreServiceTest, RemovingAFileDropsItFromSearchButKeepsTheFile) {
  const std::string volcano = Upload("volcano.txt", kVolcano);
  const std::string castles = Upload("castles.txt", kCastles);
  v1::VectorStore store = CreateStore({volcano, castles});
  WaitForFile(store.id(), volcano);
  WaitForFile(store.id(), castles);
  ASSERT_THAT(SearchIds(store.id(), "lava magma volcano"), ::testing::Contains(volcano));

  v1::DeleteVectorStoreFileRequest del;
  del.set_vector_store_id(store.id());
  del.set_file_id(volcano);
  v1::DeleteResponse deleted;
  ASSERT_TRUE(Call(&Stub::DeleteVectorStoreFile, del, &deleted).ok());
  EXPECT_EQ(deleted.id(), volcano);
  EXPECT_EQ(deleted.object(), "vector_store.file.deleted");
  EXPECT_TRUE(deleted.deleted());
  EXPECT_THAT(SearchIds(store.id(), "lava magma volcano"),
              ::testing::Not(::testing::Contains(volcano)));
  EXPECT_EQ(GetStore(store.id()).file_counts().total(), 1);
  v1::GetVectorStoreFileRequest get;
  get.set_vector_store_id(store.id());
  get.set_file_id(volcano);
  v1::VectorStoreFile out;
  EXPECT_EQ(Call(&Stub::GetVectorStoreFile, get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext ctx;
  v1::GetFileRequest get_file;
  get_file.set_file_id(volcano);
  v1::File file;
  EXPECT_TRUE(files_->GetFile(&ctx, get_file, &file).ok());
}

TEST_F(VectorStoreServiceTest, DeletingAFileDetachesItFromEveryStore) {
  const std::string volcano = Upload("volcano.txt", kVolcano);
  const std::string castles = Upload("castles.txt", kCastles);
  v1::VectorStore one = CreateStore({volcano, castles});
  v1::VectorStore two = CreateStore({volcano, castles});
  for (const auto* s : {&one, &two}) {
    WaitForFile(s->id(), volcano);
    WaitForFile(s->id(), castles);
  }
  grpc::ClientContext ctx;
  Prepare(&ctx, "");
  v1::DeleteFileRequest del;
  del.set_file_id(volcano);
  v1::DeleteResponse deleted;
  ASSERT_TRUE(files_->DeleteFile(&ctx, del, &deleted).ok());
  for (const auto* s : {&one, &two}) {
    EXPECT_EQ(GetStore(s->id()).file_counts().total(), 1);
    EXPECT_THAT(SearchIds(s->id(), "lava magma volcano"),
                ::testing::Not(::testing::Contains(volcano)));
  }

  v1::DetachFileFromAllStoresRequest detach;
  detach.set_file_id(volcano);
  v1::DetachFileFromAllStoresResponse resp;
  ASSERT_TRUE(Call(&Stub::DetachFileFromAllStores, detach, &resp).ok());
  EXPECT_EQ(resp.detached(), 0);
  detach.set_file_id(castles);
  ASSERT_TRUE(Call(&Stub::DetachFileFromAllStores, detach, &resp).ok());
  EXPECT_EQ(resp.detached(), 2);
  EXPECT_EQ(GetStore(two.id()).file_counts().total(), 0);
}

TEST_F(VectorStoreServiceTest, UpdatesListsAndDeletesStores) {
  v1::VectorStore a = CreateStore({}), b = CreateStore({});
  v1::UpdateVectorStoreRequest update;
  update.set_vector_store_id(a.id());
  update.set_name("renamed");
  (*update.mutable_metadata()->mutable_entries())["team"] = "geo";
  update.mutable_expires_after()->set_anchor(v1::EXPIRES_AFTER_ANCHOR_LAST_ACTIVE_AT);
  update.mutable_expires_after()->set_days(7);
  v1::VectorStore out;
  ASSERT_TRUE(Call(&Stub::UpdateVectorStore, update, &out).ok());
  EXPECT_EQ(out.name(), "renamed");
  EXPECT_EQ(out.metadata().entries().at("team"), "geo");
  EXPECT_EQ(out.expires_after().days(), 7);
  EXPECT_TRUE(out.has_expires_at());

  v1::UpdateVectorStoreRequest clear;
  clear.set_vector_store_id(a.id());
  clear.add_clear_fields("expires_after");
  clear.add_clear_fields("metadata");
  ASSERT_TRUE(Call(&Stub::UpdateVectorStore, clear, &out).ok());
  EXPECT_EQ(out.name(), "renamed");
  EXPECT_FALSE(out.has_expires_after());
  EXPECT_FALSE(out.has_expires_at());
  EXPECT_FALSE(out.has_metadata());

  v1::ListVectorStoresRequest list;
  list.mutable_page()->set_limit(1);
  v1::ListVectorStoresResponse page;
  ASSERT_TRUE(Call(&Stub::ListVectorStores, list, &page).ok());
  ASSERT_EQ(page.data_size(), 1);
  EXPECT_EQ(page.data(0).id(), b.id());
  EXPECT_TRUE(page.has_more());

  v1::DeleteVectorStoreRequest del;
  del.set_vector_store_id(b.id());
  v1::DeleteResponse deleted;
  ASSERT_TRUE(Call(&Stub::DeleteVectorStore, del, &deleted).ok());
  EXPECT_EQ(deleted.object(), "vector_store.deleted");
  EXPECT_EQ(deleted.id(), b.id());
  v1::GetVectorStoreRequest get;
  get.set_vector_store_id(b.id());
  EXPECT_EQ(Call(&Stub::GetVectorStore, get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Call(&Stub::ListVectorStores, list, &page).ok());
  ASSERT_EQ(page.data_size(), 1);
  EXPECT_EQ(page.data(0).id(), a.id());
  EXPECT_FALSE(page.has_more());
}

TEST_F(VectorStoreServiceTest, ProjectsAreIsolated) {
  const std::string file = Upload("volcano.txt", kVolcano, "team-a");
  v1::VectorStore store = CreateStore({file}, "team-a");
  ASSERT_EQ(WaitForFile(store.id(), file, "team-a").status(),
            v1::VECTOR_STORE_FILE_STATUS_COMPLETED);

  v1::GetVectorStoreRequest get;
  get.set_vector_store_id(store.id());
  v1::VectorStore out;
  EXPECT_EQ(Call(&Stub::GetVectorStore, get, &out, "team-b").error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListVectorStoresResponse list;
  ASSERT_TRUE(Call(&Stub::ListVectorStores, v1::ListVectorStoresRequest(), &list, "team-b").ok());
  EXPECT_EQ(list.data_size(), 0);
  v1::SearchVectorStoreResponse found;
  EXPECT_EQ(Search(store.id(), "lava", &found, nullptr, "team-b").error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::VectorStore mine = CreateStore({}, "team-b");
  v1::CreateVectorStoreFileRequest attach;
  attach.set_vector_store_id(mine.id());
  attach.set_file_id(file);
  v1::VectorStoreFile attached;
  EXPECT_EQ(Call(&Stub::CreateVectorStoreFile, attach, &attached, "team-b").error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::DetachFileFromAllStoresRequest detach;
  detach.set_file_id(file);
  v1::DetachFileFromAllStoresResponse detached;
  ASSERT_TRUE(Call(&Stub::DetachFileFromAllStores, detach, &detached, "team-b").ok());
  EXPECT_EQ(detached.detached(), 0);
  EXPECT_EQ(GetStore(store.id(), "team-a").file_counts().completed(), 1);
  EXPECT_EQ(Call(&Stub::GetVectorStore, get, &out, "bad project!").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(VectorStoreServiceTest, FilesInProgressAtShutdownAreIngestedAfterARestart) {
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) {
    ids.push_back(Upload(absl::StrCat("f", i, ".txt"), absl::StrCat(kVolcano, " part ", i)));
  }
  const std::string store = CreateStore(ids).id();
  Start();
  for (const std::string& id : ids) {
    v1::VectorStoreFile f = WaitForFile(store, id);
    EXPECT_EQ(f.status(), v1::VECTOR_STORE_FILE_STATUS_COMPLETED)
        << id << ": " << f.last_error().message();
  }
  EXPECT_EQ(GetStore(store).file_counts().completed(), 30);
}

TEST_F(VectorStoreServiceTest, ContentOfAFileThatFailedIsAFailedPrecondition) {
  const std::string bin = Upload("blob.bin", std::string("\x00\x01\x02\xff\xfe", 5));
  v1::VectorStore store = CreateStore({bin});
  ASSERT_EQ(WaitForFile(store.id(), bin).status(), v1::VECTOR_STORE_FILE_STATUS_FAILED);
  v1::GetVectorStoreFileContentRequest req;
  req.set_vector_store_id(store.id());
  req.set_file_id(bin);
  v1::VectorStoreFileContentPage page;
  EXPECT_EQ(Call(&Stub::GetVectorStoreFileContent, req, &page).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(VectorStoreServiceTest, AttachingAnUnknownFileIsNotFound) {
  v1::VectorStore store = CreateStore({});
  v1::CreateVectorStoreFileRequest req;
  req.set_vector_store_id(store.id());
  req.set_file_id("file-doesnotexist");
  v1::VectorStoreFile out;
  grpc::Status s = Call(&Stub::CreateVectorStoreFile, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("file-doesnotexist"));
  v1::CreateVectorStoreRequest create;
  create.add_file_ids("file-doesnotexist");
  EXPECT_EQ(Call(&Stub::CreateVectorStore, create, &store).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListVectorStoresResponse list;
  ASSERT_TRUE(Call(&Stub::ListVectorStores, v1::ListVectorStoresRequest(), &list).ok());
  EXPECT_EQ(list.data_size(), 1) << "a failed create must not leave a store behind";
}

}  // namespace
}  // namespace assistd
