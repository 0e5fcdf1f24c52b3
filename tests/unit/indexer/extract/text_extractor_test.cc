#include "indexer/extract/text_extractor.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indexer/extract/text_cleanup.h"
#include "tests/unit/indexer/extract/extract_test_util.h"
#include "tests/util/status_matchers.h"

namespace assistd::extract {
namespace {

using ::assistd::testing::StatusIs;
using ::assistd::testing::Texts;
using ::testing::ElementsAre;
using ::testing::SizeIs;

TEST(ExtractPlainTextTest, DecodesAndCleansText) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractPlainText("\xEF\xBB\xBFline one\r\nhy-\r\nphen\x01\r\n",
                       Format::kText));
  EXPECT_EQ(doc.format, Format::kText);
  ASSERT_THAT(doc.pages, SizeIs(1));
  EXPECT_EQ(doc.pages[0].number, 1);
  EXPECT_TRUE(doc.pages[0].has_text_layer);
  EXPECT_EQ(doc.pages[0].text, "line one\nhyphen");
}

TEST(ExtractPlainTextTest, JoinsHyphenatedWordsOnlyInProse) {
  const std::string source = "an exam-\nple of foo-\nbar";
  for (const Format format : {Format::kText, Format::kMarkdown}) {
    ASSERT_OK_AND_ASSIGN(Document doc, ExtractPlainText(source, format));
    EXPECT_THAT(Texts(doc), ElementsAre("an example of foobar"))
        << FormatName(format);
  }
  for (const Format format : {Format::kCode, Format::kJson, Format::kCsv}) {
    ASSERT_OK_AND_ASSIGN(Document doc, ExtractPlainText(source, format));
    EXPECT_THAT(Texts(doc), ElementsAre(source)) << FormatName(format);
  }
}

TEST(ExtractPlainTextTest, DecodesUtf16) {
  const std::string bytes(
      "\xFF\xFE"
      "h\0i\0",
      6);
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractPlainText(bytes, Format::kCode));
  EXPECT_THAT(Texts(doc), ElementsAre("hi"));
}

TEST(ExtractPlainTextTest, EmptyFileYieldsOneEmptySection) {
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractPlainText("", Format::kJson));
  EXPECT_EQ(doc.format, Format::kJson);
  ASSERT_THAT(doc.pages, SizeIs(1));
  EXPECT_EQ(doc.pages[0].number, 1);
  EXPECT_EQ(doc.pages[0].text, "");
}

TEST(ExtractPlainTextTest, SplitsOnFormFeeds) {
  ASSERT_OK_AND_ASSIGN(
      Document doc, ExtractPlainText("page one\n\fpage two\f", Format::kText));
  EXPECT_THAT(Texts(doc), ElementsAre("page one", "page two"));
  EXPECT_EQ(doc.pages[1].number, 2);
}

TEST(ExtractPlainTextTest, SplitsLongSectionsAtLineBreaks) {
  std::vector<std::string> lines;
  for (int i = 0; i < 150; ++i) lines.push_back(std::string(999, 'a' + i % 26));
  const std::string text = absl::StrJoin(lines, "\n");  // 150,000 bytes
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractPlainText(text, Format::kCsv));
  ASSERT_THAT(doc.pages, SizeIs(3));
  std::vector<std::string> texts = Texts(doc);
  for (const std::string& t : texts) {
    EXPECT_LE(t.size(), 64u * 1024);
    EXPECT_EQ(t.size() % 1000, 999u);  // whole lines only
  }
  EXPECT_EQ(absl::StrJoin(texts, "\n"), text);
}

TEST(ExtractPlainTextTest, SplitsAnOverlongLineOnCharacterBoundaries) {
  std::string text;
  for (int i = 0; i < 40000; ++i) text += "\xE2\x82\xAC";  // 120,000 bytes
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractPlainText(text, Format::kText));
  ASSERT_THAT(doc.pages, SizeIs(2));
  EXPECT_EQ(doc.pages[0].text.size(), 64u * 1024 - 1);  // 21845 euro signs
  for (const TextPage& page : doc.pages) {
    EXPECT_EQ(SanitizeUtf8(page.text), page.text);
  }
  EXPECT_EQ(doc.pages[0].text + doc.pages[1].text, text);
}

TEST(ExtractPlainTextTest, SplitsMarkdownBeforeTopHeadings) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractPlainText("intro\n# One\ntext\n## Two\nmore\n### Three\nsub\n"
                       "#hashtag\n",
                       Format::kMarkdown));
  EXPECT_EQ(doc.format, Format::kMarkdown);
  EXPECT_THAT(Texts(doc),
              ElementsAre("intro", "# One\ntext",
                          "## Two\nmore\n### Three\nsub\n#hashtag"));
}

TEST(ExtractPlainTextTest, IgnoresHeadingsInsideFencedCode) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractPlainText("# A\n````bash\n# comment\n```\n# still code\n````\n"
                       "~~~\n## tilde\n~~~\n# B\n",
                       Format::kMarkdown));
  EXPECT_THAT(Texts(doc),
              ElementsAre("# A\n````bash\n# comment\n```\n# still code\n````\n"
                          "~~~\n## tilde\n~~~",
                          "# B"));
}

TEST(ExtractPlainTextTest, MarkdownWithCrlfAndLeadingHeading) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractPlainText("# Title\r\nbody\r\n# Next\r\n", Format::kMarkdown));
  EXPECT_THAT(Texts(doc), ElementsAre("# Title\nbody", "# Next"));
}

TEST(ExtractPlainTextTest, RejectsNonTextFormats) {
  EXPECT_THAT(ExtractPlainText("x", Format::kPdf),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ExtractPlainText("x", Format::kHtml),
              StatusIs(absl::StatusCode::kInternal));
}

}  // namespace
}  // namespace assistd::extract
