#include "indexer/extract/document_codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd::extract {
namespace {

using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;

Document Sample() {
  Document doc;
  doc.format = Format::kPdf;
  doc.pages = {{1, "first page\nwith \xC3\xA9", true},
               {2, "", false},
               {3, std::string("nul\0inside", 10), true}};
  return doc;
}

TEST(DocumentCodecTest, RoundTripsADocument) {
  ASSERT_OK_AND_ASSIGN(Document back, DecodeResult(EncodeResult(Sample())));
  EXPECT_EQ(back.format, Format::kPdf);
  ASSERT_EQ(back.pages.size(), 3u);
  EXPECT_EQ(back.pages[0].text, "first page\nwith \xC3\xA9");
  EXPECT_FALSE(back.pages[1].has_text_layer);
  EXPECT_EQ(back.pages[2].number, 3);
  EXPECT_EQ(back.pages[2].text.size(), 10u);
}

TEST(DocumentCodecTest, RoundTripsAnError) {
  absl::StatusOr<Document> err = UnsupportedFile("the PDF is encrypted");
  EXPECT_THAT(DecodeResult(EncodeResult(err)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported_file: the PDF is encrypted")));
}

TEST(DocumentCodecTest, EveryTruncationIsDataLoss) {
  const std::string bytes = EncodeResult(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THAT(DecodeResult(bytes.substr(0, n)),
                StatusIs(absl::StatusCode::kDataLoss))
        << "length " << n;
  }
}

TEST(DocumentCodecTest, GarbageIsDataLoss) {
  EXPECT_THAT(DecodeResult("not a result at all"),
              StatusIs(absl::StatusCode::kDataLoss));
  std::string trailing = EncodeResult(Sample()) + "x";
  EXPECT_THAT(DecodeResult(trailing), StatusIs(absl::StatusCode::kDataLoss));
  std::string bad_format = EncodeResult(Sample());
  bad_format[5] = 99;
  EXPECT_THAT(DecodeResult(bad_format), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace assistd::extract
