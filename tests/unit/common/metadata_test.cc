#include "common/metadata.h"

#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;

TEST(MetadataTest, AcceptsSixteenPairsAtTheLimits) {
  std::map<std::string, std::string> m;
  for (int i = 0; i < 16; ++i) {
    m[absl::StrCat(i, std::string(62, 'k'))] = std::string(512, 'v');
  }
  EXPECT_THAT(ValidateMetadata(m), IsOk());
}

TEST(MetadataTest, RejectsSeventeenPairs) {
  std::map<std::string, std::string> m;
  for (int i = 0; i < 17; ++i) m[absl::StrCat("k", i)] = "v";
  EXPECT_THAT(ValidateMetadata(m),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Invalid 'metadata': too many keys (17)")));
}

TEST(MetadataTest, RejectsLongKeyAndNamesIt) {
  std::map<std::string, std::string> m{{std::string(65, 'k'), "v"}};
  EXPECT_THAT(ValidateMetadata(m, "thread.metadata"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'thread.metadata': key 'kkk")));
  EXPECT_THAT(ValidateMetadata({{"", "v"}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MetadataTest, RejectsLongValueNamingTheKey) {
  std::map<std::string, std::string> m{{"note", std::string(513, 'v')}};
  EXPECT_THAT(ValidateMetadata(m),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Invalid 'metadata.note': string too long")));
}

TEST(MetadataTest, CountsCharactersNotBytes) {
  // 512 two-byte characters are 1024 bytes but within the limit.
  std::string value;
  for (int i = 0; i < 512; ++i) value += "\xC3\xA9";  // é
  EXPECT_EQ(Utf8Length(value), 512u);
  EXPECT_THAT(ValidateMetadata({{"k", value}}), IsOk());
  EXPECT_THAT(ValidateMetadata({{"k", value + "\xC3\xA9"}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MetadataTest, AttributesAcceptTypedValuesAndRejectNonFinite) {
  std::map<std::string, AttributeValue> a{
      {"author", std::string("ann")}, {"year", 2024.0}, {"draft", false}};
  EXPECT_THAT(ValidateAttributes(a), IsOk());
  a["bad"] = std::numeric_limits<double>::infinity();
  EXPECT_THAT(ValidateAttributes(a),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'attributes.bad'")));
}

}  // namespace
}  // namespace assistd
