#include "services/auth/key_store.h"


#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/project_name.h"
#include "common/secure_random.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace assistd::auth {
namespace {

constexpr size_t kMaxNameBytes = 256;
constexpr size_t kMaxCacheEntries = 10000;
// last_used_at is written at most this often per key.
constexpr absl::Duration kLastUsedGranularity = absl::Minutes(1);

std::vector<sqlite::Migration> KeyMigrations() {
  return {{1, R"sql(
CREATE TABLE api_keys (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  key_sha256 TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  project TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_used_at INTEGER);
CREATE INDEX api_keys_prefix ON api_keys(prefix);
)sql"}};
}

// Whether `key` has the shape of our keys; others are refused unhashed.
bool WellFormed(absl::string_view key) {
  if (!absl::ConsumePrefix(&key, kKeyPrefix) || key.size() != kKeyRandomChars) return false;
  for (char c : key) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status Refused(absl::string_view key) {
  return absl::UnauthenticatedError(absl::StrCat(
      "Incorrect API key provided: ", RedactKey(key),
      ". Create one with `assistd keys create --project NAME`."));
}

ApiKeyInfo InfoFromRow(const sqlite::Statement& st) {
  ApiKeyInfo info;
  info.id = st.ColumnText(0);
  info.prefix = st.ColumnText(1);
  info.project = st.ColumnText(2);
  info.name = st.ColumnText(3);
  info.created_at = absl::FromUnixSeconds(st.ColumnInt64(4));
  if (std::optional<int64_t> used = st.ColumnOptionalInt64(5)) {
    info.last_used_at = absl::FromUnixSeconds(*used);
  }
  return info;
}

constexpr char kInfoColumns[] = "id, prefix, project, name, created_at, last_used_at";

}  // namespace

absl::StatusOr<std::unique_ptr<KeyStore>> KeyStore::Open(KeyStoreOptions options) {
  if (options.clock == nullptr) options.clock = RealClock();
  sqlite::DatabaseOptions db_options;
  db_options.path = options.path;
  db_options.migrations = KeyMigrations();
  db_options.max_readers = 2;
  ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Database> db, sqlite::Database::Open(db_options));
  return std::unique_ptr<KeyStore>(new KeyStore(std::move(options), std::move(db)));
}

absl::StatusOr<CreatedKey> KeyStore::Create(absl::string_view project, absl::string_view name) {
  RETURN_IF_ERROR(ValidateProjectName(project));
  if (name.size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("key name is longer than ", kMaxNameBytes, " bytes"));
  }
  CreatedKey created;
  created.key = absl::StrCat(kKeyPrefix, SecureRandomBase62(kKeyRandomChars));
  ApiKeyInfo& info = created.info;
  info.id = absl::StrCat("key_", SecureRandomBase62(24));
  info.prefix = created.key.substr(0, sizeof(kKeyPrefix) - 1 + kListedPrefixChars);
  info.project = std::string(project);
  info.name = std::string(name);
  info.created_at = absl::FromUnixSeconds(options_.clock->NowUnixSeconds());
  RETURN_IF_ERROR(db_->Write([&](sqlite::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(sqlite::Statement * st,
                     c.Prepare("INSERT INTO api_keys (id, key_sha256, prefix, project, name, "
                               "created_at) VALUES (?, ?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(st->BindAll(info.id, Sha256Hex(created.key), info.prefix, info.project,
                                info.name, absl::ToUnixSeconds(info.created_at)));
    return st->Run();
  }));
  return created;
}

absl::StatusOr<std::vector<ApiKeyInfo>> KeyStore::List() const {
  std::vector<ApiKeyInfo> keys;
  RETURN_IF_ERROR(db_->Read([&](sqlite::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(sqlite::Statement * st,
                     c.Prepare(absl::StrCat("SELECT ", kInfoColumns,
                                            " FROM api_keys ORDER BY seq")));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) return absl::OkStatus();
      keys.push_back(InfoFromRow(*st));
    }
  }));
  return keys;
}

absl::StatusOr<bool> KeyStore::HasKeys() const {
  bool any = false;
  RETURN_IF_ERROR(db_->Read([&](sqlite::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t n, c.QueryInt64("SELECT EXISTS (SELECT 1 FROM api_keys)"));
    any = n != 0;
    return absl::OkStatus();
  }));
  return any;
}

absl::StatusOr<ApiKeyInfo> KeyStore::Revoke(absl::string_view id_or_prefix) {
  std::string prefix(id_or_prefix);
  if (!absl::StartsWith(prefix, "key_") && !absl::StartsWith(prefix, kKeyPrefix)) {
    prefix = absl::StrCat(kKeyPrefix, prefix);
  }
  ApiKeyInfo revoked;
  RETURN_IF_ERROR(db_->Write([&](sqlite::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(sqlite::Statement * st,
                     c.Prepare(absl::StrCat("SELECT ", kInfoColumns,
                                            " FROM api_keys WHERE id = ? OR prefix = ?")));
    RETURN_IF_ERROR(st->BindAll(std::string(id_or_prefix), prefix));
    int matches = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      revoked = InfoFromRow(*st);
      ++matches;
    }
    if (matches == 0) {
      return absl::NotFoundError(absl::StrCat("no API key with id or prefix '", id_or_prefix,
                                              "' (see `assistd keys list`)"));
    }
    if (matches > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "prefix '", id_or_prefix, "' names ", matches, " keys; revoke by id instead"));
    }
    ASSIGN_OR_RETURN(sqlite::Statement * del, c.Prepare("DELETE FROM api_keys WHERE id = ?"));
    RETURN_IF_ERROR(del->BindAll(revoked.id));
    return del->Run();
  }));
  absl::MutexLock lock(&mu_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (it->second.id == revoked.id) {
      cache_.erase(it++);
    } else {
      ++it;
    }
  }
  return revoked;
}

absl::StatusOr<std::string> KeyStore::Lookup(absl::string_view key) {
  if (!WellFormed(key)) return Refused(key);
  const std::string hash = Sha256Hex(key);
  const absl::Time now = options_.clock->Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && now - it->second.fetched_at < options_.cache_ttl) {
      return it->second.project;
    }
  }
  ASSIGN_OR_RETURN(std::optional<CacheEntry> entry, Fetch(hash));
  absl::MutexLock lock(&mu_);
  if (!entry.has_value()) {
    cache_.erase(hash);
    return Refused(key);
  }
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  entry->fetched_at = now;
  std::string project = entry->project;
  cache_[hash] = *std::move(entry);
  return project;
}

absl::StatusOr<std::optional<KeyStore::CacheEntry>> KeyStore::Fetch(const std::string& hash) {
  std::optional<CacheEntry> entry;
  std::optional<int64_t> last_used;
  RETURN_IF_ERROR(db_->Read([&](sqlite::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(sqlite::Statement * st,
                     c.Prepare("SELECT id, project, last_used_at FROM api_keys "
                               "WHERE key_sha256 = ?"));
    RETURN_IF_ERROR(st->BindAll(hash));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return absl::OkStatus();
    entry = CacheEntry{st->ColumnText(0), st->ColumnText(1), absl::InfinitePast()};
    last_used = st->ColumnOptionalInt64(2);
    return absl::OkStatus();
  }));
  const int64_t now = options_.clock->NowUnixSeconds();
  if (entry.has_value() &&
      (!last_used.has_value() ||
       now - *last_used >= absl::ToInt64Seconds(kLastUsedGranularity))) {
    // Best effort: a busy database must not refuse a valid key.
    db_->Write([&](sqlite::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(sqlite::Statement * st,
                           c.Prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?"));
          RETURN_IF_ERROR(st->BindAll(now, entry->id));
          return st->Run();
        }).IgnoreError();
  }
  return entry;
}

std::string RedactKey(absl::string_view key) {
  if (key.size() < 12) return "***";
  return absl::StrCat(key.substr(0, 6), "***", key.substr(key.size() - 3));
}

}  // namespace assistd::auth
