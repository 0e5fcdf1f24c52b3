#include "indexer/extract/pdf_text_extractor.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/pdf_fixtures.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::extract {
namespace {

using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(PdfTextExtractorTest, ExtractsTextPerPageWithPageNumbers) {
  TempDir dir;
  ASSERT_OK(testing::WriteTextPdf(
      dir.File("a.pdf"),
      {"Alpha page one", "Bravo page two", "Charlie three"}));
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractPdf(dir.File("a.pdf")));
  EXPECT_EQ(doc.format, Format::kPdf);
  ASSERT_EQ(doc.pages.size(), 3u);
  EXPECT_EQ(doc.pages[0].number, 1);
  EXPECT_THAT(doc.pages[0].text, HasSubstr("Alpha page one"));
  EXPECT_THAT(doc.pages[1].text, HasSubstr("Bravo page two"));
  EXPECT_EQ(doc.pages[2].number, 3);
  EXPECT_TRUE(doc.pages[2].has_text_layer);
}

TEST(PdfTextExtractorTest, JoinsWordsHyphenatedAtLineEnds) {
  TempDir dir;
  ASSERT_OK(testing::WriteTextPdf(dir.File("h.pdf"),
                                  {"the retrieval of infor-\nmation works"}));
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractPdf(dir.File("h.pdf")));
  EXPECT_THAT(doc.pages[0].text, HasSubstr("information"));
  EXPECT_THAT(doc.pages[0].text, Not(HasSubstr("infor-")));
}

TEST(PdfTextExtractorTest, ReportsPagesWithoutATextLayer) {
  TempDir dir;
  ASSERT_OK(testing::WriteTextPdf(dir.File("s.pdf"),
                                  {testing::kImageOnlyPage, "words"}));
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractPdf(dir.File("s.pdf")));
  ASSERT_EQ(doc.pages.size(), 2u);
  EXPECT_FALSE(doc.pages[0].has_text_layer);
  EXPECT_EQ(doc.pages[0].text, "");
  EXPECT_TRUE(doc.pages[1].has_text_layer);
}

TEST(PdfTextExtractorTest, EncryptedPdfIsUnsupportedAndSaysSo) {
  TempDir dir;
  ASSERT_OK(testing::WriteTextPdf(dir.File("p.pdf"), {"secret"}));
  ASSERT_OK(testing::WriteEncryptedPdf(dir.File("p.pdf"), dir.File("e.pdf")));
  EXPECT_THAT(ExtractPdf(dir.File("e.pdf")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unsupported_file: the PDF is encrypted")));
}

TEST(PdfTextExtractorTest, TruncatedOrGarbagePdfIsInvalid) {
  TempDir dir;
  ASSERT_OK(testing::WriteTextPdf(dir.File("t.pdf"), {"hello"}));
  std::ifstream in(dir.File("t.pdf"), std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  std::ofstream(dir.File("half.pdf"), std::ios::binary)
      << buf.str().substr(0, 200);
  EXPECT_THAT(
      ExtractPdf(dir.File("half.pdf")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid_file")));
  std::ofstream(dir.File("junk.pdf"), std::ios::binary)
      << "%PDF-1.7\ngarbage garbage";
  EXPECT_THAT(
      ExtractPdf(dir.File("junk.pdf")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid_file")));
}

}  // namespace
}  // namespace assistd::extract
