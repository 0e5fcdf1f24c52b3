#include "indexer/index/fts5_tokenizer.h"

#include <sqlite3.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace assistd::index {
namespace {

// FTS5's API object, fetched the documented way: SELECT fts5(?1) with a
// pointer bound as "fts5_api_ptr".
absl::StatusOr<fts5_api*> Fts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("fts5 api: ", sqlite3_errmsg(db)));
  }
  sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (api == nullptr) return absl::InternalError("fts5 api: SQLite has no FTS5");
  return api;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Fts5TextTokenizer>> Fts5TextTokenizer::Create(sqlite3* db) {
  auto maybe_api = Fts5Api(db);
  if (!maybe_api.ok()) return maybe_api.status();
  fts5_api* api = *maybe_api;
  void* context = nullptr;
  auto methods = std::make_unique<fts5_tokenizer>();
  if (api->xFindTokenizer(api, "porter", &context, methods.get()) != SQLITE_OK) {
    return absl::InternalError("fts5: no porter tokenizer");
  }
  const char* args[] = {"unicode61", "remove_diacritics", "2"};
  Fts5Tokenizer* tokenizer = nullptr;
  if (methods->xCreate(context, args, 3, &tokenizer) != SQLITE_OK) {
    return absl::InternalError("fts5: cannot create the porter tokenizer");
  }
  return std::unique_ptr<Fts5TextTokenizer>(
      new Fts5TextTokenizer(std::move(methods), tokenizer));
}

absl::StatusOr<const Fts5TextTokenizer*> Fts5TextTokenizer::ForThisThread() {
  // Members destroyed in reverse: the tokenizer before its connection.
  struct PerThread {
    sqlite3* db = nullptr;
    std::unique_ptr<Fts5TextTokenizer> tokenizer;
    ~PerThread() {
      tokenizer.reset();
      if (db != nullptr) sqlite3_close(db);
    }
  };
  thread_local PerThread local;
  if (local.tokenizer != nullptr) return local.tokenizer.get();
  if (local.db == nullptr && sqlite3_open(":memory:", &local.db) != SQLITE_OK) {
    sqlite3_close(local.db);
    local.db = nullptr;
    return absl::InternalError("fts5 tokenizer: cannot open an in-memory database");
  }
  auto made = Create(local.db);
  if (!made.ok()) return made.status();
  local.tokenizer = *std::move(made);
  return local.tokenizer.get();
}

Fts5TextTokenizer::Fts5TextTokenizer(std::unique_ptr<fts5_tokenizer> api,
                                     Fts5Tokenizer* tokenizer)
    : api_(std::move(api)), tokenizer_(tokenizer) {}

Fts5TextTokenizer::~Fts5TextTokenizer() { api_->xDelete(tokenizer_); }

std::vector<std::string> Fts5TextTokenizer::Tokenize(absl::string_view text, bool query) const {
  std::vector<std::string> tokens;
  auto on_token = [](void* ctx, int /*flags*/, const char* token, int size, int, int) {
    static_cast<std::vector<std::string>*>(ctx)->emplace_back(token, static_cast<size_t>(size));
    return SQLITE_OK;
  };
  api_->xTokenize(tokenizer_, &tokens, query ? FTS5_TOKENIZE_QUERY : FTS5_TOKENIZE_DOCUMENT,
                  text.data(), static_cast<int>(text.size()), on_token);
  return tokens;
}

}  // namespace assistd::index
