#include "common/ids.h"

#include <cctype>
#include <map>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;

TEST(IdsTest, NewIdHasPrefixAnd24Base62Chars) {
  for (IdKind kind : {IdKind::kFile, IdKind::kAssistant, IdKind::kThread,
                      IdKind::kMessage, IdKind::kRun, IdKind::kStep,
                      IdKind::kToolCall, IdKind::kVectorStore,
                      IdKind::kFileBatch}) {
    std::string id = NewId(kind);
    ASSERT_TRUE(absl::StartsWith(id, IdPrefix(kind))) << id;
    std::string rest = id.substr(IdPrefix(kind).size());
    ASSERT_EQ(rest.size(), 24u) << id;
    for (char c : rest) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << id;
  }
}

TEST(IdsTest, PrefixesMatchOpenAI) {
  EXPECT_EQ(IdPrefix(IdKind::kFile), "file-");
  EXPECT_EQ(IdPrefix(IdKind::kAssistant), "asst_");
  EXPECT_EQ(IdPrefix(IdKind::kThread), "thread_");
  EXPECT_EQ(IdPrefix(IdKind::kMessage), "msg_");
  EXPECT_EQ(IdPrefix(IdKind::kRun), "run_");
  EXPECT_EQ(IdPrefix(IdKind::kStep), "step_");
  EXPECT_EQ(IdPrefix(IdKind::kToolCall), "call_");
  EXPECT_EQ(IdPrefix(IdKind::kVectorStore), "vs_");
  EXPECT_EQ(IdPrefix(IdKind::kFileBatch), "vsfb_");
}

TEST(IdsTest, IdsAreUniqueAndUseTheWholeAlphabet) {
  std::set<std::string> ids;
  std::set<char> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = NewId(IdKind::kRun);
    ids.insert(id);
    for (char c : id.substr(4)) seen.insert(c);
  }
  EXPECT_EQ(ids.size(), 10000u);
  EXPECT_EQ(seen.size(), 62u);  // 240,000 draws: every symbol appears
}

TEST(IdsTest, CharacterFrequenciesAreUniform) {
  // 62 symbols * ~2000 draws each; a modulo bias toward the first 8
  // symbols (256 % 62) would show up as a ~25% excess.
  std::map<char, int> counts;
  const int kIds = 5000;
  for (int i = 0; i < kIds; ++i) {
    for (char c : NewId(IdKind::kFile).substr(5)) ++counts[c];
  }
  const double expected = kIds * 24.0 / 62.0;
  for (const auto& [c, n] : counts) {
    EXPECT_NEAR(n, expected, expected * 0.12) << "symbol " << c;
  }
}

TEST(IdsTest, ValidateIdAcceptsOwnIds) {
  EXPECT_THAT(ValidateId(NewId(IdKind::kThread), IdKind::kThread, "thread_id"),
              IsOk());
}

TEST(IdsTest, ValidateIdRejectsWrongPrefixInOpenAIWording) {
  EXPECT_THAT(
      ValidateId("asst_abc", IdKind::kThread, "thread_id"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("Invalid 'thread_id': 'asst_abc'. Expected an ID "
                         "that begins with 'thread'.")));
}

TEST(IdsTest, ValidateIdRejectsEmptyOrHostileRest) {
  EXPECT_THAT(ValidateId("thread_", IdKind::kThread, "thread_id"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateId("thread_../../etc", IdKind::kThread, "thread_id"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateId("thread_" + std::string(65, 'a'), IdKind::kThread,
                         "thread_id"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace assistd
