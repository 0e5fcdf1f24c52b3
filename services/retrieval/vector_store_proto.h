#ifndef ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_PROTO_H_
#define ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_PROTO_H_

// Conversions between the VectorStoreService messages and the core's
// types, one free function per type. Request conversions validate: they
// return InvalidArgument in OpenAI's wording ("Invalid 'max_num_results':
// ...") naming the offending field, so the gRPC handlers only call them.
// No gRPC here (messages only). Thread-compatible: no state.

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "assistd/v1/vector_stores.pb.h"
#include "common/ids.h"
#include "common/pagination.h"
#include "services/common/proto_page.h"
#include "indexer/attribute_filter.h"
#include "indexer/extract/document.h"
#include "services/retrieval/vector_store_core.h"

namespace assistd::retrieval {

// ---- Core -> proto (responses). Each sets `object` where the message has one.

void ToProto(const FileCounts& counts, v1::FileCounts* out);
// kStatic and kAuto come back as `static` with their sizes; kOther as `other`.
void ToProto(const ChunkingStrategy& chunking, v1::ChunkingStrategy* out);
void ToProto(const Attributes& attributes, v1::Attributes* out);
// Unknown codes become server_error.
void ToProto(const LastError& error, v1::LastError* out);
void ToProto(const VectorStoreRecord& store, v1::VectorStore* out);
void ToProto(const StoreFileRecord& file, v1::VectorStoreFile* out);
void ToProto(const BatchRecord& batch, v1::VectorStoreFileBatch* out);
void ToProto(const SearchHit& hit, v1::SearchResult* out);
v1::VectorStoreFileStatus ToProto(FileStatus status);

// One page of a file's parsed text: one text item per non-empty document
// page, as many as fit in a few MiB (at least one). `cursor` is the
// `next_page` of the previous page ("" = first). InvalidArgument naming
// "page" for a cursor that this document did not hand out.
absl::Status ToProto(const extract::Document& doc, absl::string_view cursor,
                     v1::VectorStoreFileContentPage* out);

// ---- Proto -> core (requests). `field` prefixes the names in errors.

// A request strategy: `auto` (800/400) or `static` (max 100..4096,
// overlap 0..max/2). `other` and an empty message are rejected.
absl::StatusOr<ChunkingStrategy> ChunkingFromProto(const v1::ChunkingStrategy& chunking,
                                                   absl::string_view field);
// Every value set; the limits of common/metadata.h.
absl::StatusOr<Attributes> AttributesFromProto(const v1::Attributes& attributes,
                                               absl::string_view field);
absl::StatusOr<Metadata> MetadataFromProto(const v1::Metadata& metadata, absl::string_view field);
// Anchor last_active_at, 1..365 days; returns the days.
absl::StatusOr<int> ExpiresAfterFromProto(const v1::VectorStoreExpiresAfter& expires_after,
                                          absl::string_view field);
// Converted and checked with index::ValidateFilter; errors name "filters".
absl::StatusOr<index::AttributeFilter> FilterFromProto(const v1::Filter& filter);
// UNSPECIFIED = no filter; unknown values name "filter".
absl::StatusOr<std::optional<FileStatus>> StatusFilterFromProto(v1::VectorStoreFileStatus s);

absl::StatusOr<CreateStoreParams> CreateStoreFromProto(const v1::CreateVectorStoreRequest& req);
absl::StatusOr<UpdateStoreParams> UpdateStoreFromProto(const v1::UpdateVectorStoreRequest& req);
absl::StatusOr<AddFileParams> AddFileFromProto(const v1::CreateVectorStoreFileRequest& req);
// The new attributes; nullopt when clear_fields holds "attributes".
absl::StatusOr<std::optional<Attributes>> UpdateFileFromProto(
    const v1::UpdateVectorStoreFileRequest& req);
// `file_ids` (with the batch-level settings) xor `files` (each with its
// own, falling back to the batch-level ones): 1..2000 distinct file ids.
absl::StatusOr<std::vector<AddFileParams>> BatchFromProto(const v1::CreateFileBatchRequest& req);
// query (string or non-empty list, each non-empty), max_num_results 1..50
// (default 10), ranker auto | none | default-2024-11-15, score_threshold
// 0..1, filters.
absl::StatusOr<SearchParams> SearchFromProto(const v1::SearchVectorStoreRequest& req);

}  // namespace assistd::retrieval

#endif  // ASSISTD_SERVICES_RETRIEVAL_VECTOR_STORE_PROTO_H_
