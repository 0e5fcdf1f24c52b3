#include "services/auth/key_store.h"

#include <string>

#include "absl/strings/match.h"
#include "common/clock.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/auth/auth_mode.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::auth {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::IsOkAndHolds;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

class KeyStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<KeyStore> OpenStore() {
    KeyStoreOptions options;
    options.path = dir_.File("keys.db");
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<KeyStore>> store = KeyStore::Open(options);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? *std::move(store) : nullptr;
  }

  testing::TempDir dir_;
  FakeClock clock_;
};

TEST_F(KeyStoreTest, CreatedKeyHasPrefixAndResolvesToItsProject) {
  std::unique_ptr<KeyStore> store = OpenStore();
  absl::StatusOr<CreatedKey> key = store->Create("proj-A", "ci");
  ASSERT_THAT(key, IsOk());
  EXPECT_TRUE(absl::StartsWith(key->key, "sk-assistd-"));
  EXPECT_EQ(key->key.size(), std::string("sk-assistd-").size() + kKeyRandomChars);
  EXPECT_TRUE(absl::StartsWith(key->key, key->info.prefix));
  EXPECT_EQ(key->info.prefix.size(), std::string("sk-assistd-").size() + kListedPrefixChars);
  EXPECT_THAT(store->Lookup(key->key), IsOkAndHolds("proj-A"));
}

TEST_F(KeyStoreTest, StoresOnlyTheHashOfTheKey) {
  std::unique_ptr<KeyStore> store = OpenStore();
  absl::StatusOr<CreatedKey> key = store->Create("A", "");
  ASSERT_THAT(key, IsOk());
  store.reset();
  // The database file holds the SHA-256 but never the key itself.
  std::string bytes;
  {
    FILE* f = std::fopen(dir_.File("keys.db").c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) bytes.append(buf, n);
    std::fclose(f);
  }
  FILE* wal = std::fopen(dir_.File("keys.db-wal").c_str(), "rb");
  if (wal != nullptr) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), wal)) > 0) bytes.append(buf, n);
    std::fclose(wal);
  }
  EXPECT_THAT(bytes, Not(HasSubstr(key->key)));
  EXPECT_THAT(bytes, HasSubstr(Sha256Hex(key->key)));
}

TEST_F(KeyStoreTest, KeysAreUniqueAndSurviveReopen) {
  std::unique_ptr<KeyStore> store = OpenStore();
  absl::StatusOr<CreatedKey> a = store->Create("A", "first");
  absl::StatusOr<CreatedKey> b = store->Create("B", "second");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(a->key, b->key);
  EXPECT_NE(a->info.id, b->info.id);
  store = OpenStore();
  EXPECT_THAT(store->Lookup(a->key), IsOkAndHolds("A"));
  EXPECT_THAT(store->Lookup(b->key), IsOkAndHolds("B"));
  absl::StatusOr<std::vector<ApiKeyInfo>> list = store->List();
  ASSERT_THAT(list, IsOk());
  ASSERT_THAT(*list, SizeIs(2));
  EXPECT_EQ((*list)[0].id, a->info.id);
  EXPECT_EQ((*list)[0].name, "first");
  EXPECT_EQ((*list)[1].project, "B");
  EXPECT_THAT(store->HasKeys(), IsOkAndHolds(true));
}

TEST_F(KeyStoreTest, UnknownOrMalformedKeysAreRefusedRedacted) {
  std::unique_ptr<KeyStore> store = OpenStore();
  EXPECT_THAT(store->HasKeys(), IsOkAndHolds(false));
  const std::string unknown = "sk-assistd-" + std::string(kKeyRandomChars, 'x');
  EXPECT_THAT(store->Lookup(unknown),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("Incorrect API key provided: sk-ass***xxx.")));
  EXPECT_THAT(store->Lookup(unknown), StatusIs(absl::StatusCode::kUnauthenticated,
                                               Not(HasSubstr(unknown))));
  EXPECT_THAT(store->Lookup(""), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(store->Lookup("sk-abcdefghijklmnop"), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(KeyStoreTest, RejectsBadProjectNames) {
  std::unique_ptr<KeyStore> store = OpenStore();
  for (const std::string bad : {std::string(""), std::string(65, 'a'), std::string("a b"),
                                std::string("a/b"), std::string("ü")}) {
    EXPECT_THAT(store->Create(bad, ""), StatusIs(absl::StatusCode::kInvalidArgument))
        << "'" << bad << "'";
  }
  EXPECT_THAT(store->Create(std::string(64, 'a'), ""), IsOk());
  EXPECT_THAT(store->Create("A_b-9", std::string(257, 'n')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(KeyStoreTest, RevokeByIdOrPrefixRefusesTheKeyAtOnce) {
  std::unique_ptr<KeyStore> store = OpenStore();
  absl::StatusOr<CreatedKey> a = store->Create("A", "");
  absl::StatusOr<CreatedKey> b = store->Create("B", "");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  ASSERT_THAT(store->Lookup(a->key), IsOk());  // now cached
  EXPECT_THAT(store->Revoke(a->info.id), IsOk());
  EXPECT_THAT(store->Lookup(a->key), StatusIs(absl::StatusCode::kUnauthenticated));
  // The prefix works with or without "sk-assistd-".
  const std::string short_prefix = b->info.prefix.substr(std::string("sk-assistd-").size());
  EXPECT_THAT(store->Revoke(short_prefix), IsOk());
  EXPECT_THAT(store->Lookup(b->key), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(store->Revoke(a->info.id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store->HasKeys(), IsOkAndHolds(false));
}

TEST_F(KeyStoreTest, RevocationByAnotherProcessIsSeenAfterTheCacheTtl) {
  std::unique_ptr<KeyStore> server = OpenStore();
  std::unique_ptr<KeyStore> cli = OpenStore();
  absl::StatusOr<CreatedKey> key = cli->Create("A", "");
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(server->Lookup(key->key), IsOkAndHolds("A"));
  ASSERT_THAT(cli->Revoke(key->info.id), IsOk());
  clock_.Advance(absl::Seconds(6));
  EXPECT_THAT(server->Lookup(key->key), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(KeyStoreTest, RecordsLastUse) {
  std::unique_ptr<KeyStore> store = OpenStore();
  absl::StatusOr<CreatedKey> key = store->Create("A", "");
  ASSERT_THAT(key, IsOk());
  absl::StatusOr<std::vector<ApiKeyInfo>> list = store->List();
  ASSERT_THAT(list, IsOk());
  EXPECT_FALSE((*list)[0].last_used_at.has_value());
  ASSERT_THAT(store->Lookup(key->key), IsOk());
  list = store->List();
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ((*list)[0].last_used_at, clock_.Now());
}

TEST(AuthModeTest, NoneOnlyOnLoopback) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:0"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:50051"));
  EXPECT_TRUE(IsLoopbackAddress("unix:/tmp/a.sock"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:50051"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:50051"));
  EXPECT_THAT(ResolveAuthMode(AuthMode::kNone, "0.0.0.0:1", false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("loopback")));
  EXPECT_THAT(ResolveAuthMode(AuthMode::kNone, "127.0.0.1:1", true), IsOkAndHolds(AuthMode::kNone));
  EXPECT_THAT(ResolveAuthMode(AuthMode::kAuto, "127.0.0.1:1", false),
              IsOkAndHolds(AuthMode::kNone));
  EXPECT_THAT(ResolveAuthMode(AuthMode::kAuto, "127.0.0.1:1", true),
              IsOkAndHolds(AuthMode::kKeys));
  EXPECT_THAT(ResolveAuthMode(AuthMode::kAuto, "0.0.0.0:1", false),
              IsOkAndHolds(AuthMode::kKeys));
  EXPECT_THAT(ParseAuthMode("keys"), IsOkAndHolds(AuthMode::kKeys));
  EXPECT_THAT(ParseAuthMode("open"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace assistd::auth
