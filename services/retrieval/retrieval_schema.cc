#include "services/retrieval/retrieval_schema.h"

#include <nlohmann/json.hpp>

namespace assistd::retrieval {

const std::vector<sqlite::Migration>& RetrievalSchema() {
  static const auto* const schema = new std::vector<sqlite::Migration>{{1, R"sql(
    CREATE TABLE stores(
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      project_id TEXT NOT NULL,
      name TEXT NOT NULL,
      description TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_active_at INTEGER,
      expires_after_days INTEGER,
      metadata TEXT,
      embedder TEXT NOT NULL,
      usage_bytes INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX stores_by_project ON stores(project_id, seq);
    CREATE TABLE store_files(
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      store_id TEXT NOT NULL,
      file_id TEXT NOT NULL,
      project_id TEXT NOT NULL,
      filename TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      status INTEGER NOT NULL,
      error_code TEXT,
      error_message TEXT,
      usage_bytes INTEGER NOT NULL DEFAULT 0,
      chunk_type INTEGER NOT NULL,
      chunk_max INTEGER NOT NULL,
      chunk_overlap INTEGER NOT NULL,
      attributes TEXT,
      batch_id TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      not_before INTEGER NOT NULL DEFAULT 0,
      UNIQUE(store_id, file_id));
    CREATE INDEX store_files_by_store ON store_files(store_id, seq);
    CREATE INDEX store_files_queue ON store_files(status, seq);
    CREATE INDEX store_files_by_file ON store_files(project_id, file_id);
    CREATE INDEX store_files_by_batch ON store_files(batch_id, seq);
    CREATE TABLE batches(
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      store_id TEXT NOT NULL,
      project_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      cancelled INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE chunks(
      chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
      store_id TEXT NOT NULL,
      file_id TEXT NOT NULL,
      chunk_index INTEGER NOT NULL,
      page_start INTEGER NOT NULL,
      page_end INTEGER NOT NULL,
      title TEXT NOT NULL,
      text TEXT NOT NULL,
      embedding BLOB);
    CREATE INDEX chunks_by_store ON chunks(store_id, chunk_id);
    CREATE INDEX chunks_by_file ON chunks(store_id, file_id, chunk_id);
  )sql"},
      // Where later pages begin inside each chunk, for page-exact citations.
      {2, "ALTER TABLE chunks ADD COLUMN page_breaks TEXT NOT NULL DEFAULT '';"}};
  return *schema;
}

int StatusCode(FileStatus status) {
  switch (status) {
    case FileStatus::kInProgress: return 0;
    case FileStatus::kCompleted: return 1;
    case FileStatus::kCancelled: return 2;
    case FileStatus::kFailed: return 3;
  }
  return 3;
}

FileStatus StatusFromCode(int code) {
  switch (code) {
    case 0: return FileStatus::kInProgress;
    case 1: return FileStatus::kCompleted;
    case 2: return FileStatus::kCancelled;
    default: return FileStatus::kFailed;
  }
}

std::string MetadataToJson(const Metadata& m) { return nlohmann::json(m).dump(); }

std::string AttributesToJson(const Attributes& a) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : a) {
    std::visit([&](const auto& v) { j[key] = v; }, value);
  }
  return j.dump();
}

absl::StatusOr<Metadata> MetadataFromJson(const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::DataLossError("stored metadata is unreadable");
  Metadata m;
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string()) return absl::DataLossError("stored metadata is unreadable");
    m[key] = value.get<std::string>();
  }
  return m;
}

absl::StatusOr<Attributes> AttributesFromJson(const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::DataLossError("stored attributes are unreadable");
  Attributes a;
  for (const auto& [key, value] : j.items()) {
    if (value.is_string()) {
      a[key] = value.get<std::string>();
    } else if (value.is_boolean()) {
      a[key] = value.get<bool>();
    } else if (value.is_number()) {
      a[key] = value.get<double>();
    } else {
      return absl::DataLossError("stored attributes are unreadable");
    }
  }
  return a;
}

}  // namespace assistd::retrieval
