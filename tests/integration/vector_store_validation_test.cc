// VectorStoreService request validation over a real socket: every
// malformed request is INVALID_ARGUMENT naming the offending field.

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/vector_store_fixture.h"

namespace assistd {
namespace {

using VectorStoreValidationTest = VectorStoreFixture;

constexpr char kStore[] = "vs_doesnotmatter";
constexpr char kFile[] = "file-doesnotmatter";

v1::ChunkingStrategy Static(int max, int overlap) {
  v1::ChunkingStrategy c;
  c.mutable_static_()->set_max_chunk_size_tokens(max);
  c.mutable_static_()->set_chunk_overlap_tokens(overlap);
  return c;
}

TEST_F(VectorStoreValidationTest, RejectsMalformedIds) {
  v1::VectorStore store;
  v1::VectorStoreFile file;
  v1::VectorStoreFileBatch batch;
  v1::GetVectorStoreRequest get;
  get.set_vector_store_id("asst_1");
  EXPECT_TRUE(IsInvalid(Call(&Stub::GetVectorStore, get, &store), "vector_store_id"));
  v1::GetVectorStoreFileRequest get_file;
  get_file.set_vector_store_id(kStore);
  get_file.set_file_id("vs_1");
  EXPECT_TRUE(IsInvalid(Call(&Stub::GetVectorStoreFile, get_file, &file), "file_id"));
  v1::CreateVectorStoreFileRequest attach;
  attach.set_vector_store_id(kStore);
  EXPECT_TRUE(IsInvalid(Call(&Stub::CreateVectorStoreFile, attach, &file), "file_id"));
  v1::GetFileBatchRequest get_batch;
  get_batch.set_vector_store_id(kStore);
  get_batch.set_batch_id("vs_1");
  EXPECT_TRUE(IsInvalid(Call(&Stub::GetFileBatch, get_batch, &batch), "batch_id"));
  v1::CancelFileBatchRequest cancel;
  cancel.set_vector_store_id("");
  cancel.set_batch_id("vsfb_1");
  EXPECT_TRUE(IsInvalid(Call(&Stub::CancelFileBatch, cancel, &batch), "vector_store_id"));
  v1::DetachFileFromAllStoresRequest detach;
  detach.set_file_id("file_x");
  v1::DetachFileFromAllStoresResponse detached;
  EXPECT_TRUE(IsInvalid(Call(&Stub::DetachFileFromAllStores, detach, &detached), "file_id"));
  v1::CreateVectorStoreRequest create;
  create.add_file_ids("nope");
  EXPECT_TRUE(IsInvalid(Call(&Stub::CreateVectorStore, create, &store), "file_ids"));
}

TEST_F(VectorStoreValidationTest, RejectsBadPagesAndStatusFilters) {
  v1::ListVectorStoresRequest stores;
  v1::ListVectorStoresResponse stores_page;
  stores.mutable_page()->set_limit(101);
  EXPECT_TRUE(IsInvalid(Call(&Stub::ListVectorStores, stores, &stores_page), "limit"));
  stores.mutable_page()->set_limit(-1);
  EXPECT_TRUE(IsInvalid(Call(&Stub::ListVectorStores, stores, &stores_page), "limit"));
  stores.mutable_page()->set_limit(100);
  stores.mutable_page()->set_order(static_cast<v1::Order>(7));
  EXPECT_TRUE(IsInvalid(Call(&Stub::ListVectorStores, stores, &stores_page), "order"));
  stores.mutable_page()->set_order(v1::ORDER_ASC);
  stores.mutable_page()->set_after("file-1");
  EXPECT_TRUE(IsInvalid(Call(&Stub::ListVectorStores, stores, &stores_page), "after"));

  v1::ListVectorStoreFilesRequest files;
  v1::ListVectorStoreFilesResponse files_page;
  files.set_vector_store_id(kStore);
  files.mutable_page()->set_before("vs_1");
  EXPECT_TRUE(IsInvalid(Call(&Stub::ListVectorStoreFiles, files, &files_page), "before"));
  files.clear_page();
  files.set_filter(static_cast<v1::VectorStoreFileStatus>(9));
  EXPECT_TRUE(IsInvalid(Call(&Stub::ListVectorStoreFiles, files, &files_page), "filter"));
  v1::ListFileBatchFilesRequest batch;
  batch.set_vector_store_id(kStore);
  batch.set_batch_id("vsfb_1");
  batch.mutable_page()->set_limit(1000);
  EXPECT_TRUE(IsInvalid(Call(&Stub::ListFileBatchFiles, batch, &files_page), "limit"));
}

TEST_F(VectorStoreValidationTest, RejectsBadStoreFields) {
  v1::VectorStore store;
  auto create = [&](const std::function<void(v1::CreateVectorStoreRequest*)>& edit) {
    v1::CreateVectorStoreRequest req;
    edit(&req);
    return Call(&Stub::CreateVectorStore, req, &store);
  };
  EXPECT_TRUE(IsInvalid(create([](auto* r) { r->set_name(std::string(257, 'n')); }), "name"));
  EXPECT_TRUE(
      IsInvalid(create([](auto* r) { r->set_description(std::string(513, 'd')); }), "description"));
  EXPECT_TRUE(IsInvalid(create([](auto* r) {
                          for (int i = 0; i < 17; ++i) {
                            (*r->mutable_metadata()->mutable_entries())[absl::StrCat("k", i)] = "v";
                          }
                        }),
                        "metadata"));
  EXPECT_TRUE(IsInvalid(create([](auto* r) { r->mutable_chunking_strategy()->mutable_auto_(); }),
                        "chunking_strategy"));
  EXPECT_TRUE(IsInvalid(create([](auto* r) {
                          r->mutable_expires_after()->set_anchor(
                              v1::EXPIRES_AFTER_ANCHOR_CREATED_AT);
                          r->mutable_expires_after()->set_days(7);
                        }),
                        "expires_after.anchor"));
  for (int days : {0, 366}) {
    EXPECT_TRUE(IsInvalid(create([days](auto* r) {
                            r->mutable_expires_after()->set_anchor(
                                v1::EXPIRES_AFTER_ANCHOR_LAST_ACTIVE_AT);
                            r->mutable_expires_after()->set_days(days);
                          }),
                          "expires_after.days"));
  }
  v1::UpdateVectorStoreRequest update;
  update.set_vector_store_id(kStore);
  update.add_clear_fields("description");
  EXPECT_TRUE(IsInvalid(Call(&Stub::UpdateVectorStore, update, &store), "clear_fields"));
  update.clear_clear_fields();
  update.add_clear_fields("metadata");
  (*update.mutable_metadata()->mutable_entries())["k"] = "v";
  EXPECT_TRUE(IsInvalid(Call(&Stub::UpdateVectorStore, update, &store), "clear_fields"));
  update.clear_clear_fields();
  (*update.mutable_metadata()->mutable_entries())[std::string(65, 'k')] = "v";
  EXPECT_TRUE(IsInvalid(Call(&Stub::UpdateVectorStore, update, &store), "metadata"));
}

TEST_F(VectorStoreValidationTest, RejectsBadChunkingStrategies) {
  v1::VectorStore store;
  auto create = [&](const v1::ChunkingStrategy& c) {
    v1::CreateVectorStoreRequest req;
    req.add_file_ids(kFile);
    *req.mutable_chunking_strategy() = c;
    return Call(&Stub::CreateVectorStore, req, &store);
  };
  const std::string max = "chunking_strategy.static.max_chunk_size_tokens";
  const std::string overlap = "chunking_strategy.static.chunk_overlap_tokens";
  EXPECT_TRUE(IsInvalid(create(Static(99, 0)), max));
  EXPECT_TRUE(IsInvalid(create(Static(4097, 0)), max));
  EXPECT_TRUE(IsInvalid(create(Static(800, 401)), overlap));
  EXPECT_TRUE(IsInvalid(create(Static(800, -1)), overlap));
  v1::ChunkingStrategy other;
  other.mutable_other();
  EXPECT_TRUE(IsInvalid(create(other), "chunking_strategy.type"));

  v1::CreateVectorStoreFileRequest attach;
  attach.set_vector_store_id(kStore);
  attach.set_file_id(kFile);
  *attach.mutable_chunking_strategy() = Static(100, 51);
  v1::VectorStoreFile file;
  EXPECT_TRUE(IsInvalid(Call(&Stub::CreateVectorStoreFile, attach, &file), overlap));
}

TEST_F(VectorStoreValidationTest, RejectsBadAttributes) {
  v1::VectorStoreFile file;
  v1::CreateVectorStoreFileRequest attach;
  attach.set_vector_store_id(kStore);
  attach.set_file_id(kFile);
  (*attach.mutable_attributes()->mutable_entries())[std::string(65, 'k')].set_bool_value(true);
  EXPECT_TRUE(IsInvalid(Call(&Stub::CreateVectorStoreFile, attach, &file), "attributes"));
  attach.clear_attributes();
  (*attach.mutable_attributes()->mutable_entries())["unset"];
  EXPECT_TRUE(IsInvalid(Call(&Stub::CreateVectorStoreFile, attach, &file), "attributes.unset"));
  attach.clear_attributes();
  (*attach.mutable_attributes()->mutable_entries())["s"].set_string_value(std::string(513, 'x'));
  EXPECT_TRUE(IsInvalid(Call(&Stub::CreateVectorStoreFile, attach, &file), "attributes.s"));

  v1::UpdateVectorStoreFileRequest update;
  update.set_vector_store_id(kStore);
  update.set_file_id(kFile);
  EXPECT_TRUE(IsInvalid(Call(&Stub::UpdateVectorStoreFile, update, &file), "attributes"));
  update.add_clear_fields("metadata");
  EXPECT_TRUE(IsInvalid(Call(&Stub::UpdateVectorStoreFile, update, &file), "clear_fields"));
  update.clear_clear_fields();
  update.add_clear_fields("attributes");
  *update.mutable_attributes() = Attrs("x", 1);
  EXPECT_TRUE(IsInvalid(Call(&Stub::UpdateVectorStoreFile, update, &file), "clear_fields"));
}

TEST_F(VectorStoreValidationTest, RejectsBadBatches) {
  v1::VectorStoreFileBatch batch;
  auto create = [&](const std::function<void(v1::CreateFileBatchRequest*)>& edit) {
    v1::CreateFileBatchRequest req;
    req.set_vector_store_id(kStore);
    edit(&req);
    return Call(&Stub::CreateFileBatch, req, &batch);
  };
  EXPECT_TRUE(IsInvalid(create([](auto*) {}), "file_ids"));
  EXPECT_TRUE(IsInvalid(create([](auto* r) {
                          r->add_file_ids(kFile);
                          r->add_files()->set_file_id("file-2");
                        }),
                        "files"));
  EXPECT_TRUE(IsInvalid(create([](auto* r) {
                          for (int i = 0; i < 2001; ++i) r->add_file_ids(absl::StrCat("file-", i));
                        }),
                        "file_ids"));
  EXPECT_TRUE(IsInvalid(create([](auto* r) {
                          r->add_file_ids(kFile);
                          r->add_file_ids(kFile);
                        }),
                        "file_ids"));
  EXPECT_TRUE(IsInvalid(create([](auto* r) {
                          r->add_files()->set_file_id(kFile);
                          r->add_files()->set_file_id(kFile);
                        }),
                        "files"));
  EXPECT_TRUE(IsInvalid(create([](auto* r) {
                          r->add_files()->set_file_id(kFile);
                          r->add_files()->set_file_id("vs_1");
                        }),
                        "files[1].file_id"));
  EXPECT_TRUE(IsInvalid(create([](auto* r) {
                          v1::FileBatchFile* f = r->add_files();
                          f->set_file_id(kFile);
                          *f->mutable_chunking_strategy() = Static(5000, 0);
                        }),
                        "files[0].chunking_strategy.static.max_chunk_size_tokens"));
  EXPECT_TRUE(IsInvalid(create([](auto* r) {
                          r->add_file_ids(kFile);
                          *r->mutable_chunking_strategy() = Static(800, 500);
                        }),
                        "chunking_strategy.static.chunk_overlap_tokens"));
}

TEST_F(VectorStoreValidationTest, RejectsBadSearches) {
  v1::SearchVectorStoreResponse resp;
  auto search = [&](const std::function<void(v1::SearchVectorStoreRequest*)>& edit) {
    v1::SearchVectorStoreRequest req;
    req.set_vector_store_id(kStore);
    req.set_text("lava");
    edit(&req);
    return Call(&Stub::Search, req, &resp);
  };
  EXPECT_TRUE(IsInvalid(search([](auto* r) { r->clear_query(); }), "query"));
  EXPECT_TRUE(IsInvalid(search([](auto* r) { r->set_text(""); }), "query"));
  EXPECT_TRUE(IsInvalid(search([](auto* r) { r->mutable_texts(); }), "query"));
  EXPECT_TRUE(IsInvalid(search([](auto* r) {
                          r->mutable_texts()->add_values("lava");
                          r->mutable_texts()->add_values("");
                        }),
                        "query"));
  for (int n : {0, 51}) {
    EXPECT_TRUE(IsInvalid(search([n](auto* r) { r->set_max_num_results(n); }), "max_num_results"));
  }
  for (double t : {-0.1, 1.5, std::nan("")}) {
    EXPECT_TRUE(
        IsInvalid(search([t](auto* r) { r->mutable_ranking_options()->set_score_threshold(t); }),
                  "ranking_options.score_threshold"));
  }
  EXPECT_TRUE(IsInvalid(search([](auto* r) { r->mutable_ranking_options()->set_ranker("fancy"); }),
                        "ranking_options.ranker"));
}

TEST_F(VectorStoreValidationTest, RejectsBadFilters) {
  v1::SearchVectorStoreResponse resp;
  auto search = [&](const v1::Filter& f) {
    v1::SearchVectorStoreRequest req;
    req.set_vector_store_id(kStore);
    req.set_text("lava");
    *req.mutable_filters() = f;
    return Call(&Stub::Search, req, &resp);
  };
  EXPECT_TRUE(IsInvalid(search(v1::Filter()), "filters"));
  v1::Filter empty_and;
  empty_and.mutable_compound()->set_type(v1::COMPOUND_FILTER_TYPE_AND);
  EXPECT_TRUE(IsInvalid(search(empty_and), "filters"));
  v1::Filter no_type = Eq("k", "v");
  no_type.mutable_comparison()->set_type(v1::COMPARISON_FILTER_TYPE_UNSPECIFIED);
  EXPECT_TRUE(IsInvalid(search(no_type), "filters"));
  v1::Filter in_scalar = Eq("k", "v");
  in_scalar.mutable_comparison()->set_type(v1::COMPARISON_FILTER_TYPE_IN);
  EXPECT_TRUE(IsInvalid(search(in_scalar), "filters"));
  v1::Filter eq_array = Eq("k", "v");
  eq_array.mutable_comparison()->mutable_array_value()->add_values()->set_number_value(1);
  EXPECT_TRUE(IsInvalid(search(eq_array), "filters"));
  v1::Filter gt_bool = Eq("k", "v");
  gt_bool.mutable_comparison()->set_type(v1::COMPARISON_FILTER_TYPE_GT);
  gt_bool.mutable_comparison()->set_bool_value(true);
  EXPECT_TRUE(IsInvalid(search(gt_bool), "filters"));
  EXPECT_TRUE(IsInvalid(search(Eq("", "v")), "filters"));
  v1::Filter deep = Eq("k", "v");
  for (int i = 1; i < 9; ++i) {
    v1::Filter outer;
    outer.mutable_compound()->set_type(v1::COMPOUND_FILTER_TYPE_OR);
    *outer.mutable_compound()->add_filters() = deep;
    deep = outer;
  }
  EXPECT_TRUE(IsInvalid(search(deep), "filters"));
}

}  // namespace
}  // namespace assistd
