#include "services/orchestrator/orchestrator_schema.h"

namespace assistd::orchestrator {

std::vector<sqlite::Migration> OrchestratorMigrations() {
  return {
      {1, R"sql(
CREATE TABLE assistants (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  project_id TEXT NOT NULL,
  parent_id TEXT NOT NULL DEFAULT '',
  body BLOB NOT NULL);
CREATE INDEX assistants_list ON assistants(project_id, parent_id, seq);

CREATE TABLE threads (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  project_id TEXT NOT NULL,
  parent_id TEXT NOT NULL DEFAULT '',
  body BLOB NOT NULL);

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  project_id TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  run_id TEXT,
  body BLOB NOT NULL);
CREATE INDEX messages_list ON messages(project_id, parent_id, seq);
CREATE INDEX messages_run ON messages(parent_id, run_id, seq);

CREATE TABLE runs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  project_id TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  status INTEGER NOT NULL,
  expires_at INTEGER,
  body BLOB NOT NULL);
CREATE INDEX runs_list ON runs(project_id, parent_id, seq);
CREATE INDEX runs_status ON runs(status, expires_at);

CREATE TABLE run_steps (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  project_id TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  body BLOB NOT NULL);
CREATE INDEX run_steps_list ON run_steps(project_id, parent_id, seq);
)sql"},
  };
}

}  // namespace assistd::orchestrator
