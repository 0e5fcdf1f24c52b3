#ifndef ASSISTD_SERVICES_RETRIEVAL_RETRIEVAL_SCHEMA_H_
#define ASSISTD_SERVICES_RETRIEVAL_RETRIEVAL_SCHEMA_H_

// retrieval.db: the schema and the JSON forms of metadata and attributes.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sqlite/migrations.h"
#include "services/retrieval/vector_store_core.h"

namespace assistd::retrieval {

// stores, store_files (the ingestion queue: status 0 = in progress),
// batches, chunks (text and embedding: the source of truth the vector
// indexes are rebuilt from). Per-store FTS5 tables are made at runtime.
const std::vector<sqlite::Migration>& RetrievalSchema();

// store_files.status values.
int StatusCode(FileStatus status);
FileStatus StatusFromCode(int code);

std::string MetadataToJson(const Metadata& m);
std::string AttributesToJson(const Attributes& a);
// DataLoss if the stored JSON is unreadable.
absl::StatusOr<Metadata> MetadataFromJson(const std::string& json);
absl::StatusOr<Attributes> AttributesFromJson(const std::string& json);

}  // namespace assistd::retrieval

#endif  // ASSISTD_SERVICES_RETRIEVAL_RETRIEVAL_SCHEMA_H_
