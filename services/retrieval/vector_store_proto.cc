#include "services/retrieval/vector_store_proto.h"

#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/metadata.h"
#include "common/status_macros.h"

namespace assistd::retrieval {
namespace {

constexpr int kMaxNameChars = 256;
constexpr int kMaxDescriptionChars = 512;
constexpr int kMaxBatchFiles = 2000;
constexpr int kMinChunkTokens = 100;
constexpr int kMaxChunkTokens = 4096;
constexpr int kMinExpiryDays = 1;
constexpr int kMaxExpiryDays = 365;
constexpr int kDefaultMaxResults = 10;
constexpr int kMaxMaxResults = 50;
// Content pages stay far below the gRPC message limit (16 MiB by default).
constexpr size_t kMaxContentPageBytes = 4 << 20;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("Invalid '", field, "': ", why));
}

absl::Status OutOfRange(absl::string_view field, int64_t value, int64_t lo, int64_t hi) {
  return Invalid(field, absl::StrCat("integer ", value,
                                     " is out of range. Expected a value "
                                     "between ",
                                     lo, " and ", hi, "."));
}

absl::Status CheckLength(absl::string_view field, absl::string_view s, int max_chars) {
  const size_t len = Utf8Length(s);
  if (len <= static_cast<size_t>(max_chars)) return absl::OkStatus();
  return Invalid(field,
                 absl::StrCat("string too long. Expected a string with maximum length ", max_chars,
                              ", but got a string with length ", len, " instead."));
}

v1::VectorStoreStatus StoreStatusToProto(absl::string_view status) {
  if (status == "expired") return v1::VECTOR_STORE_STATUS_EXPIRED;
  if (status == "in_progress") return v1::VECTOR_STORE_STATUS_IN_PROGRESS;
  if (status == "completed") return v1::VECTOR_STORE_STATUS_COMPLETED;
  return v1::VECTOR_STORE_STATUS_UNSPECIFIED;
}

v1::FileBatchStatus BatchStatusToProto(absl::string_view status) {
  if (status == "in_progress") return v1::FILE_BATCH_STATUS_IN_PROGRESS;
  if (status == "completed") return v1::FILE_BATCH_STATUS_COMPLETED;
  if (status == "cancelled") return v1::FILE_BATCH_STATUS_CANCELLED;
  if (status == "failed") return v1::FILE_BATCH_STATUS_FAILED;
  return v1::FILE_BATCH_STATUS_UNSPECIFIED;
}

absl::StatusOr<AttributeValue> ValueFromProto(const v1::AttributeValue& v,
                                              absl::string_view field) {
  switch (v.kind_case()) {
    case v1::AttributeValue::kStringValue:
      return AttributeValue(std::in_place_type<std::string>, v.string_value());
    case v1::AttributeValue::kNumberValue:
      return AttributeValue(std::in_place_type<double>, v.number_value());
    case v1::AttributeValue::kBoolValue:
      return AttributeValue(std::in_place_type<bool>, v.bool_value());
    case v1::AttributeValue::KIND_NOT_SET:
      break;
  }
  return Invalid(field, "expected a string, number or boolean.");
}

absl::StatusOr<index::AttributeFilter::Op> ComparisonOp(v1::ComparisonFilterType type) {
  using Op = index::AttributeFilter::Op;
  switch (type) {
    case v1::COMPARISON_FILTER_TYPE_EQ:
      return Op::kEq;
    case v1::COMPARISON_FILTER_TYPE_NE:
      return Op::kNe;
    case v1::COMPARISON_FILTER_TYPE_GT:
      return Op::kGt;
    case v1::COMPARISON_FILTER_TYPE_GTE:
      return Op::kGte;
    case v1::COMPARISON_FILTER_TYPE_LT:
      return Op::kLt;
    case v1::COMPARISON_FILTER_TYPE_LTE:
      return Op::kLte;
    case v1::COMPARISON_FILTER_TYPE_IN:
      return Op::kIn;
    case v1::COMPARISON_FILTER_TYPE_NIN:
      return Op::kNin;
    default:
      break;
  }
  return Invalid("filters",
                 "expected a comparison 'type' of eq, ne, gt, gte, lt, lte, in "
                 "or nin.");
}

absl::StatusOr<index::AttributeFilter> ComparisonFromProto(const v1::ComparisonFilter& c) {
  using Op = index::AttributeFilter::Op;
  index::AttributeFilter out;
  ASSIGN_OR_RETURN(out.op, ComparisonOp(c.type()));
  out.key = c.key();
  const bool is_list = out.op == Op::kIn || out.op == Op::kNin;
  if (is_list != (c.value_case() == v1::ComparisonFilter::kArrayValue)) {
    return Invalid("filters", absl::StrCat("'in'/'nin' take an array 'value', the other "
                                           "comparisons a scalar (key '",
                                           c.key(), "')."));
  }
  if (is_list) {
    for (const v1::AttributeValue& v : c.array_value().values()) {
      ASSIGN_OR_RETURN(AttributeValue value, ValueFromProto(v, "filters"));
      out.values.push_back(std::move(value));
    }
    return out;
  }
  switch (c.value_case()) {
    case v1::ComparisonFilter::kStringValue:
      out.value = c.string_value();
      break;
    case v1::ComparisonFilter::kNumberValue:
      out.value = c.number_value();
      break;
    case v1::ComparisonFilter::kBoolValue:
      out.value = c.bool_value();
      break;
    default:
      return Invalid("filters", absl::StrCat("comparison on key '", c.key(), "' has no 'value'."));
  }
  return out;
}

// Protobuf's parser bounds message nesting (100), which bounds this
// recursion; ValidateFilter then applies the real limit.
absl::StatusOr<index::AttributeFilter> ConvertFilter(const v1::Filter& f) {
  if (f.has_comparison()) return ComparisonFromProto(f.comparison());
  if (!f.has_compound()) return Invalid("filters", "expected a comparison or compound filter.");
  const v1::CompoundFilter& c = f.compound();
  index::AttributeFilter out;
  if (c.type() == v1::COMPOUND_FILTER_TYPE_AND) {
    out.op = index::AttributeFilter::Op::kAnd;
  } else if (c.type() == v1::COMPOUND_FILTER_TYPE_OR) {
    out.op = index::AttributeFilter::Op::kOr;
  } else {
    return Invalid("filters", "expected a compound 'type' of and or or.");
  }
  for (const v1::Filter& operand : c.filters()) {
    ASSIGN_OR_RETURN(index::AttributeFilter converted, ConvertFilter(operand));
    out.operands.push_back(std::move(converted));
  }
  return out;
}

absl::StatusOr<std::set<std::string>> ClearFields(
    const google::protobuf::RepeatedPtrField<std::string>& fields,
    const std::set<std::string>& allowed) {
  std::set<std::string> out;
  for (const std::string& f : fields) {
    if (allowed.count(f) == 0) {
      return Invalid("clear_fields", absl::StrCat("'", f, "' cannot be cleared here."));
    }
    out.insert(f);
  }
  return out;
}

absl::Status CheckFileIds(const google::protobuf::RepeatedPtrField<std::string>& ids,
                          absl::string_view field) {
  if (ids.size() > kMaxBatchFiles) {
    return Invalid(field, absl::StrCat("array too long (", ids.size(), "). Expected at most ",
                                       kMaxBatchFiles, " file ids."));
  }
  for (const std::string& id : ids) RETURN_IF_ERROR(ValidateId(id, IdKind::kFile, field));
  return absl::OkStatus();
}

// Batch-level (or per-file) optional settings.
absl::Status FileSettingsFromProto(bool has_chunking, const v1::ChunkingStrategy& chunking,
                                   bool has_attributes, const v1::Attributes& attributes,
                                   absl::string_view prefix, AddFileParams* out) {
  if (has_chunking) {
    ASSIGN_OR_RETURN(out->chunking,
                     ChunkingFromProto(chunking, absl::StrCat(prefix, "chunking_strategy")));
  }
  if (has_attributes) {
    ASSIGN_OR_RETURN(out->attributes,
                     AttributesFromProto(attributes, absl::StrCat(prefix, "attributes")));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AddFileParams>> BatchFilesFromProto(
    const v1::CreateFileBatchRequest& req, const AddFileParams& defaults) {
  std::vector<AddFileParams> out;
  for (int i = 0; i < req.files_size(); ++i) {
    const v1::FileBatchFile& f = req.files(i);
    const std::string prefix = absl::StrCat("files[", i, "].");
    AddFileParams p = defaults;
    p.file_id = f.file_id();
    RETURN_IF_ERROR(ValidateId(p.file_id, IdKind::kFile, absl::StrCat(prefix, "file_id")));
    RETURN_IF_ERROR(FileSettingsFromProto(f.has_chunking_strategy(), f.chunking_strategy(),
                                          f.has_attributes(), f.attributes(), prefix, &p));
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> QueriesFromProto(const v1::SearchVectorStoreRequest& req) {
  std::vector<std::string> queries;
  if (req.query_case() == v1::SearchVectorStoreRequest::kText) {
    queries.push_back(req.text());
  } else if (req.query_case() == v1::SearchVectorStoreRequest::kTexts) {
    queries.assign(req.texts().values().begin(), req.texts().values().end());
  } else {
    return Invalid("query", "a query string or array of strings is required.");
  }
  if (queries.empty()) return Invalid("query", "expected at least one query.");
  for (const std::string& q : queries) {
    if (q.empty()) return Invalid("query", "queries must not be empty.");
  }
  return queries;
}

absl::Status RankingFromProto(const v1::SearchRankingOptions& r, SearchParams* out) {
  if (r.has_ranker()) {
    if (r.ranker() != "auto" && r.ranker() != "none" && r.ranker() != "default-2024-11-15") {
      return Invalid("ranking_options.ranker", absl::StrCat("'", r.ranker(),
                                                            "'. Expected one of 'auto', 'none' or "
                                                            "'default-2024-11-15'."));
    }
    out->ranker = r.ranker();
  }
  if (r.has_score_threshold()) {
    const double t = r.score_threshold();
    if (!(t >= 0 && t <= 1)) {  // also rejects NaN
      return Invalid("ranking_options.score_threshold",
                     absl::StrCat(t, " is out of range. Expected a value between 0 and 1."));
    }
    out->score_threshold = t;
  }
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------- responses

void ToProto(const FileCounts& counts, v1::FileCounts* out) {
  out->set_in_progress(counts.in_progress);
  out->set_completed(counts.completed);
  out->set_failed(counts.failed);
  out->set_cancelled(counts.cancelled);
  out->set_total(counts.total);
}

void ToProto(const ChunkingStrategy& chunking, v1::ChunkingStrategy* out) {
  if (chunking.type == ChunkingStrategy::Type::kOther) {
    out->mutable_other();
    return;
  }
  v1::StaticChunkingStrategy* s = out->mutable_static_();
  s->set_max_chunk_size_tokens(chunking.max_tokens);
  s->set_chunk_overlap_tokens(chunking.overlap_tokens);
}

void ToProto(const Attributes& attributes, v1::Attributes* out) {
  auto* entries = out->mutable_entries();
  for (const auto& [key, value] : attributes) {
    v1::AttributeValue& v = (*entries)[key];
    if (const auto* s = std::get_if<std::string>(&value)) {
      v.set_string_value(*s);
    } else if (const auto* d = std::get_if<double>(&value)) {
      v.set_number_value(*d);
    } else {
      v.set_bool_value(std::get<bool>(value));
    }
  }
}

void ToProto(const LastError& error, v1::LastError* out) {
  if (error.code == "unsupported_file") {
    out->set_code(v1::LAST_ERROR_CODE_UNSUPPORTED_FILE);
  } else if (error.code == "invalid_file") {
    out->set_code(v1::LAST_ERROR_CODE_INVALID_FILE);
  } else {
    out->set_code(v1::LAST_ERROR_CODE_SERVER_ERROR);
  }
  out->set_message(error.message);
}

void ToProto(const VectorStoreRecord& store, v1::VectorStore* out) {
  out->set_id(store.id);
  out->set_object("vector_store");
  out->set_created_at(store.created_at);
  out->set_name(store.name);
  out->set_usage_bytes(store.usage_bytes);
  ToProto(store.file_counts, out->mutable_file_counts());
  out->set_status(StoreStatusToProto(store.status));
  if (store.expires_after_days) {
    out->mutable_expires_after()->set_anchor(v1::EXPIRES_AFTER_ANCHOR_LAST_ACTIVE_AT);
    out->mutable_expires_after()->set_days(*store.expires_after_days);
  }
  if (store.expires_at) out->set_expires_at(*store.expires_at);
  if (store.last_active_at) out->set_last_active_at(*store.last_active_at);
  if (store.metadata) {
    out->mutable_metadata()->mutable_entries()->insert(store.metadata->begin(),
                                                       store.metadata->end());
  }
}

v1::VectorStoreFileStatus ToProto(FileStatus status) {
  switch (status) {
    case FileStatus::kInProgress:
      return v1::VECTOR_STORE_FILE_STATUS_IN_PROGRESS;
    case FileStatus::kCompleted:
      return v1::VECTOR_STORE_FILE_STATUS_COMPLETED;
    case FileStatus::kCancelled:
      return v1::VECTOR_STORE_FILE_STATUS_CANCELLED;
    case FileStatus::kFailed:
      return v1::VECTOR_STORE_FILE_STATUS_FAILED;
  }
  return v1::VECTOR_STORE_FILE_STATUS_UNSPECIFIED;
}

void ToProto(const StoreFileRecord& file, v1::VectorStoreFile* out) {
  out->set_id(file.file_id);
  out->set_object("vector_store.file");
  out->set_usage_bytes(file.usage_bytes);
  out->set_created_at(file.created_at);
  out->set_vector_store_id(file.store_id);
  out->set_status(ToProto(file.status));
  if (file.last_error) ToProto(*file.last_error, out->mutable_last_error());
  ToProto(file.chunking, out->mutable_chunking_strategy());
  if (file.attributes) ToProto(*file.attributes, out->mutable_attributes());
}

void ToProto(const BatchRecord& batch, v1::VectorStoreFileBatch* out) {
  out->set_id(batch.id);
  out->set_object("vector_store.files_batch");
  out->set_created_at(batch.created_at);
  out->set_vector_store_id(batch.store_id);
  out->set_status(BatchStatusToProto(batch.status));
  ToProto(batch.file_counts, out->mutable_file_counts());
}

void ToProto(const SearchHit& hit, v1::SearchResult* out) {
  out->set_file_id(hit.file_id);
  out->set_filename(hit.filename);
  out->set_score(hit.score);
  if (hit.attributes) ToProto(*hit.attributes, out->mutable_attributes());
  out->add_content()->set_text(hit.text);
  out->set_page_number(hit.page_number);
  for (const auto& [offset, page] : hit.page_breaks) {
    v1::PageBreak* b = out->add_page_breaks();
    b->set_offset(offset);
    b->set_page_number(page);
  }
}

absl::Status ToProto(const extract::Document& doc, absl::string_view cursor,
                     v1::VectorStoreFileContentPage* out) {
  size_t next = 0;
  if (!cursor.empty() && (!absl::SimpleAtoi(cursor, &next) || next >= doc.pages.size())) {
    return Invalid("page", absl::StrCat("unknown cursor '", cursor, "'."));
  }
  out->set_object("vector_store.file_content.page");
  size_t bytes = 0;
  for (; next < doc.pages.size(); ++next) {
    const std::string& text = doc.pages[next].text;
    if (text.empty()) continue;
    if (out->data_size() > 0 && bytes + text.size() > kMaxContentPageBytes) break;
    bytes += text.size();
    out->add_data()->set_text(text);
  }
  out->set_has_more(next < doc.pages.size());
  if (out->has_more()) out->set_next_page(absl::StrCat(next));
  return absl::OkStatus();
}

// ----------------------------------------------------------------- requests

absl::StatusOr<ChunkingStrategy> ChunkingFromProto(const v1::ChunkingStrategy& chunking,
                                                   absl::string_view field) {
  ChunkingStrategy out;
  if (chunking.has_auto_()) return out;
  if (!chunking.has_static_()) {
    return Invalid(absl::StrCat(field, ".type"), "expected 'auto' or 'static'.");
  }
  const v1::StaticChunkingStrategy& s = chunking.static_();
  const int max = s.max_chunk_size_tokens();
  const int overlap = s.chunk_overlap_tokens();
  if (max < kMinChunkTokens || max > kMaxChunkTokens) {
    return OutOfRange(absl::StrCat(field, ".static.max_chunk_size_tokens"), max, kMinChunkTokens,
                      kMaxChunkTokens);
  }
  if (overlap < 0 || overlap > max / 2) {
    return OutOfRange(absl::StrCat(field, ".static.chunk_overlap_tokens"), overlap, 0, max / 2);
  }
  out.type = ChunkingStrategy::Type::kStatic;
  out.max_tokens = max;
  out.overlap_tokens = overlap;
  return out;
}

absl::StatusOr<Attributes> AttributesFromProto(const v1::Attributes& attributes,
                                               absl::string_view field) {
  Attributes out;
  for (const auto& [key, value] : attributes.entries()) {
    ASSIGN_OR_RETURN(out[key], ValueFromProto(value, absl::StrCat(field, ".", key)));
  }
  RETURN_IF_ERROR(ValidateAttributes(out, field));
  return out;
}

absl::StatusOr<Metadata> MetadataFromProto(const v1::Metadata& metadata, absl::string_view field) {
  Metadata out(metadata.entries().begin(), metadata.entries().end());
  RETURN_IF_ERROR(ValidateMetadata(out, field));
  return out;
}

absl::StatusOr<int> ExpiresAfterFromProto(const v1::VectorStoreExpiresAfter& expires_after,
                                          absl::string_view field) {
  if (expires_after.anchor() != v1::EXPIRES_AFTER_ANCHOR_LAST_ACTIVE_AT) {
    return Invalid(absl::StrCat(field, ".anchor"), "expected 'last_active_at'.");
  }
  const int days = expires_after.days();
  if (days < kMinExpiryDays || days > kMaxExpiryDays) {
    return OutOfRange(absl::StrCat(field, ".days"), days, kMinExpiryDays, kMaxExpiryDays);
  }
  return days;
}

absl::StatusOr<index::AttributeFilter> FilterFromProto(const v1::Filter& filter) {
  ASSIGN_OR_RETURN(index::AttributeFilter out, ConvertFilter(filter));
  RETURN_IF_ERROR(index::ValidateFilter(out));
  return out;
}

absl::StatusOr<std::optional<FileStatus>> StatusFilterFromProto(v1::VectorStoreFileStatus s) {
  switch (s) {
    case v1::VECTOR_STORE_FILE_STATUS_UNSPECIFIED:
      return std::optional<FileStatus>();
    case v1::VECTOR_STORE_FILE_STATUS_IN_PROGRESS:
      return FileStatus::kInProgress;
    case v1::VECTOR_STORE_FILE_STATUS_COMPLETED:
      return FileStatus::kCompleted;
    case v1::VECTOR_STORE_FILE_STATUS_CANCELLED:
      return FileStatus::kCancelled;
    case v1::VECTOR_STORE_FILE_STATUS_FAILED:
      return FileStatus::kFailed;
    default:
      break;
  }
  return Invalid("filter",
                 "expected one of 'in_progress', 'completed', 'failed' or "
                 "'cancelled'.");
}

absl::StatusOr<CreateStoreParams> CreateStoreFromProto(const v1::CreateVectorStoreRequest& req) {
  CreateStoreParams out;
  RETURN_IF_ERROR(CheckLength("name", req.name(), kMaxNameChars));
  RETURN_IF_ERROR(CheckLength("description", req.description(), kMaxDescriptionChars));
  RETURN_IF_ERROR(CheckFileIds(req.file_ids(), "file_ids"));
  out.name = req.name();
  out.description = req.description();
  out.file_ids.assign(req.file_ids().begin(), req.file_ids().end());
  if (req.has_chunking_strategy()) {
    if (out.file_ids.empty()) {
      return Invalid("chunking_strategy", "only allowed together with 'file_ids'.");
    }
    ASSIGN_OR_RETURN(out.chunking, ChunkingFromProto(req.chunking_strategy(), "chunking_strategy"));
  }
  if (req.has_expires_after()) {
    ASSIGN_OR_RETURN(out.expires_after_days,
                     ExpiresAfterFromProto(req.expires_after(), "expires_after"));
  }
  if (req.has_metadata()) {
    ASSIGN_OR_RETURN(out.metadata, MetadataFromProto(req.metadata(), "metadata"));
  }
  return out;
}

absl::StatusOr<UpdateStoreParams> UpdateStoreFromProto(const v1::UpdateVectorStoreRequest& req) {
  ASSIGN_OR_RETURN(std::set<std::string> clear,
                   ClearFields(req.clear_fields(), {"name", "expires_after", "metadata"}));
  if ((clear.count("name") && req.has_name()) ||
      (clear.count("expires_after") && req.has_expires_after()) ||
      (clear.count("metadata") && req.has_metadata())) {
    return Invalid("clear_fields", "a field cannot be both set and cleared.");
  }
  UpdateStoreParams out;
  if (req.has_name()) {
    RETURN_IF_ERROR(CheckLength("name", req.name(), kMaxNameChars));
    out.name = req.name();
  }
  if (clear.count("name")) out.name = "";
  if (req.has_expires_after()) {
    ASSIGN_OR_RETURN(out.expires_after_days,
                     ExpiresAfterFromProto(req.expires_after(), "expires_after"));
  }
  out.clear_expires_after = clear.count("expires_after") > 0;
  if (req.has_metadata()) {
    ASSIGN_OR_RETURN(out.metadata, MetadataFromProto(req.metadata(), "metadata"));
  }
  out.clear_metadata = clear.count("metadata") > 0;
  return out;
}

absl::StatusOr<AddFileParams> AddFileFromProto(const v1::CreateVectorStoreFileRequest& req) {
  AddFileParams out;
  out.file_id = req.file_id();
  RETURN_IF_ERROR(ValidateId(out.file_id, IdKind::kFile, "file_id"));
  RETURN_IF_ERROR(FileSettingsFromProto(req.has_chunking_strategy(), req.chunking_strategy(),
                                        req.has_attributes(), req.attributes(), "", &out));
  return out;
}

absl::StatusOr<std::optional<Attributes>> UpdateFileFromProto(
    const v1::UpdateVectorStoreFileRequest& req) {
  ASSIGN_OR_RETURN(std::set<std::string> clear, ClearFields(req.clear_fields(), {"attributes"}));
  if (!clear.empty()) {
    if (req.has_attributes()) {
      return Invalid("clear_fields", "a field cannot be both set and cleared.");
    }
    return std::optional<Attributes>();
  }
  if (!req.has_attributes()) return Invalid("attributes", "required.");
  ASSIGN_OR_RETURN(Attributes attributes, AttributesFromProto(req.attributes(), "attributes"));
  return std::optional<Attributes>(std::move(attributes));
}

absl::StatusOr<std::vector<AddFileParams>> BatchFromProto(const v1::CreateFileBatchRequest& req) {
  const bool by_ids = req.file_ids_size() > 0;
  if (by_ids == (req.files_size() > 0)) {
    return Invalid(by_ids ? "files" : "file_ids",
                   "exactly one of 'file_ids' and 'files' must be given.");
  }
  const absl::string_view field = by_ids ? "file_ids" : "files";
  if (req.file_ids_size() + req.files_size() > kMaxBatchFiles) {
    return Invalid(field,
                   absl::StrCat("array too long. Expected at most ", kMaxBatchFiles, " files."));
  }
  AddFileParams defaults;
  RETURN_IF_ERROR(FileSettingsFromProto(req.has_chunking_strategy(), req.chunking_strategy(),
                                        req.has_attributes(), req.attributes(), "", &defaults));
  std::vector<AddFileParams> out;
  if (by_ids) {
    RETURN_IF_ERROR(CheckFileIds(req.file_ids(), "file_ids"));
    for (const std::string& id : req.file_ids()) {
      out.push_back(defaults);
      out.back().file_id = id;
    }
  } else {
    ASSIGN_OR_RETURN(out, BatchFilesFromProto(req, defaults));
  }
  std::set<std::string> seen;
  for (const AddFileParams& p : out) {
    if (!seen.insert(p.file_id).second) {
      return Invalid(field, absl::StrCat("file '", p.file_id, "' is listed twice."));
    }
  }
  return out;
}

absl::StatusOr<SearchParams> SearchFromProto(const v1::SearchVectorStoreRequest& req) {
  SearchParams out;
  ASSIGN_OR_RETURN(out.queries, QueriesFromProto(req));
  if (req.has_max_num_results()) {
    const int n = req.max_num_results();
    if (n < 1 || n > kMaxMaxResults) return OutOfRange("max_num_results", n, 1, kMaxMaxResults);
    out.max_results = n;
  } else {
    out.max_results = kDefaultMaxResults;
  }
  RETURN_IF_ERROR(RankingFromProto(req.ranking_options(), &out));
  if (req.has_filters()) {
    ASSIGN_OR_RETURN(out.filter, FilterFromProto(req.filters()));
  }
  return out;
}

}  // namespace assistd::retrieval
