#ifndef ASSISTD_SERVICES_AUTH_KEY_STORE_H_
#define ASSISTD_SERVICES_AUTH_KEY_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/sqlite/database.h"

namespace assistd::auth {

// Every key starts with this.
inline constexpr char kKeyPrefix[] = "sk-assistd-";
// Random base62 characters after kKeyPrefix (about 286 bits).
inline constexpr int kKeyRandomChars = 48;
// Random characters kept in the listed, non-secret prefix.
inline constexpr int kListedPrefixChars = 8;

// A key as listed: never the key itself.
struct ApiKeyInfo {
  std::string id;       // "key_" + 24 base62 characters
  std::string prefix;   // kKeyPrefix + the key's first kListedPrefixChars
  std::string project;  // the project every call with the key acts for
  std::string name;     // a label given at creation; may be empty
  absl::Time created_at;
  // Updated at most once a minute; nullopt if never used.
  std::optional<absl::Time> last_used_at;
};

struct CreatedKey {
  ApiKeyInfo info;
  std::string key;  // the secret: shown once, stored only as its SHA-256
};

struct KeyStoreOptions {
  std::string path;  // e.g. <data_dir>/keys.db; created if missing
  // How long a resolved key is answered from memory. A key revoked by
  // another process (`assistd keys revoke` next to a running server) is
  // refused within this time; one revoked through this object at once.
  absl::Duration cache_ttl = absl::Seconds(5);
  const Clock* clock = nullptr;  // RealClock() if null; must outlive the store
};

// API keys of one data dir, in SQLite (keys.db), hashed with SHA-256. Other
// processes may change the file meanwhile. Thread-safe.
class KeyStore {
 public:
  // Errors as sqlite::Database::Open.
  static absl::StatusOr<std::unique_ptr<KeyStore>> Open(KeyStoreOptions options);
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  // Makes a key for `project` (from the kernel CSPRNG). InvalidArgument if
  // the project name is not 1-64 of [A-Za-z0-9_-] or `name` is longer than
  // 256 bytes.
  absl::StatusOr<CreatedKey> Create(absl::string_view project, absl::string_view name);
  // Every key, oldest first.
  absl::StatusOr<std::vector<ApiKeyInfo>> List() const;
  // Whether any key exists.
  absl::StatusOr<bool> HasKeys() const;
  // Deletes the key whose id or listed prefix (with or without kKeyPrefix)
  // is `id_or_prefix`, and returns it. NotFound if none; InvalidArgument if
  // a prefix names more than one key.
  absl::StatusOr<ApiKeyInfo> Revoke(absl::string_view id_or_prefix);
  // The project of `key`. Unauthenticated, in OpenAI's wording with the key
  // redacted, if it is not a key of this store.
  absl::StatusOr<std::string> Lookup(absl::string_view key);

 private:
  struct CacheEntry {
    std::string id;
    std::string project;
    absl::Time fetched_at;
  };
  KeyStore(KeyStoreOptions options, std::unique_ptr<sqlite::Database> db)
      : options_(std::move(options)), db_(std::move(db)) {}
  // The row of `hash`: {id, project}, or nullopt; touches last_used_at.
  absl::StatusOr<std::optional<CacheEntry>> Fetch(const std::string& hash);

  const KeyStoreOptions options_;
  const std::unique_ptr<sqlite::Database> db_;
  mutable absl::Mutex mu_;
  // SHA-256 hex -> resolved key; bounded (cleared when it grows too big).
  absl::flat_hash_map<std::string, CacheEntry> cache_ ABSL_GUARDED_BY(mu_);
};

// "sk-assistd-AbCdEf...Xyz" -> "sk-ass***Xyz": enough to tell keys apart in
// an error, never enough to use.
std::string RedactKey(absl::string_view key);

}  // namespace assistd::auth

#endif  // ASSISTD_SERVICES_AUTH_KEY_STORE_H_
