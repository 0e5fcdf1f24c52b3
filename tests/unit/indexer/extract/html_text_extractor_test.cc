#include "indexer/extract/html_text_extractor.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indexer/extract/text_cleanup.h"
#include "tests/unit/indexer/extract/extract_test_util.h"
#include "tests/util/status_matchers.h"

namespace assistd::extract {
namespace {

using ::assistd::testing::Texts;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

TEST(ExtractHtmlTest, DropsScriptStyleAndHead) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractHtml("<html><head><title>T</title><style>p{x:1}</style>"
                  "<script>var a = 1;</script></head><body>"
                  "<p>Hello <b>world</b>!</p><script>alert(1)</script>"
                  "<noscript>enable js</noscript>"
                  "<template><p>hidden</p></template></body></html>"));
  EXPECT_EQ(doc.format, Format::kHtml);
  EXPECT_THAT(Texts(doc), ElementsAre("Hello world!"));
  EXPECT_EQ(doc.pages[0].number, 1);
}

TEST(ExtractHtmlTest, DecodesEntities) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractHtml("<p>&amp; &eacute; &#8212; &#x41; &lt;tag&gt;</p>"));
  EXPECT_THAT(Texts(doc), ElementsAre("& \xC3\xA9 \xE2\x80\x94 A <tag>"));
}

TEST(ExtractHtmlTest, BlockElementsEndLinesAndWhitespaceCollapses) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractHtml("<div>one\n   two</div><p>three<br>four</p>"
                  "<ul><li>a</li><li>b</li></ul><span>x</span><span>y</span>"
                  "<pre>  keep\n    this</pre>"));
  EXPECT_THAT(Texts(doc),
              ElementsAre("one two\nthree\nfour\na\nb\nxy\n  keep\n    this"));
}

TEST(ExtractHtmlTest, TableRowsBecomeTabSeparatedLines) {
  ASSERT_OK_AND_ASSIGN(Document doc,
                       ExtractHtml("<table><tr><th>k</th><th>v</th></tr>"
                                   "<tr><td>a</td><td>1</td></tr></table>"));
  EXPECT_THAT(Texts(doc), ElementsAre("k\tv\na\t1"));
}

TEST(ExtractHtmlTest, SplitsSectionsBeforeH1AndH2) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractHtml("<p>intro</p><h1>One</h1><p>x</p><h2>Two</h2><p>y</p>"
                  "<h3>Three</h3><p>z</p>"));
  EXPECT_THAT(Texts(doc), ElementsAre("intro", "One\nx", "Two\ny\nThree\nz"));
  EXPECT_EQ(doc.pages[2].number, 3);
}

TEST(ExtractHtmlTest, RecoversFromBrokenMarkup) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractHtml("<div><p>one<p>two</div><b>bold <i>both</b> tail</i>"
                  "<p unclosed=\"x>three &bogus; </table></td>"));
  ASSERT_THAT(doc.pages, SizeIs(1));
  EXPECT_THAT(doc.pages[0].text, HasSubstr("one\ntwo"));
  EXPECT_THAT(doc.pages[0].text, HasSubstr("bold both tail"));
}

TEST(ExtractHtmlTest, DecodesUtf16AndHonoursMetaCharset) {
  const std::string utf16("\xFF\xFE<\0p\0>\0\xE9\0<\0/\0p\0>\0", 18);
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractHtml(utf16));
  EXPECT_THAT(Texts(doc), ElementsAre("\xC3\xA9"));
  ASSERT_OK_AND_ASSIGN(
      Document latin1,
      ExtractHtml("<html><head><meta charset=\"iso-8859-1\"></head>"
                  "<body><p>caf\xE9</p></body></html>"));
  EXPECT_THAT(Texts(latin1), ElementsAre("caf\xC3\xA9"));
}

TEST(ExtractHtmlTest, EmptyInputYieldsOneEmptySection) {
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractHtml(""));
  EXPECT_THAT(Texts(doc), ElementsAre(""));
  ASSERT_OK_AND_ASSIGN(Document blank, ExtractHtml("  \n "));
  EXPECT_THAT(Texts(blank), ElementsAre(""));
}

TEST(ExtractHtmlTest, SurvivesDeepNestingAndBinaryGarbage) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<div><span>";
  deep += "bottom";
  auto deep_doc = ExtractHtml(deep);
  if (deep_doc.ok()) {
    for (const TextPage& page : deep_doc->pages) {
      EXPECT_EQ(SanitizeUtf8(page.text), page.text);
    }
  } else {
    EXPECT_EQ(ClassifyFileError(deep_doc.status()), FileErrorKind::kInvalid);
  }
  std::string garbage;
  for (int i = 0; i < 70000; ++i) garbage.push_back(static_cast<char>(i * 131));
  auto garbage_doc = ExtractHtml(garbage);
  if (garbage_doc.ok()) {
    for (const TextPage& page : garbage_doc->pages) {
      EXPECT_EQ(SanitizeUtf8(page.text), page.text);
      EXPECT_THAT(page.text, Not(HasSubstr(std::string(1, '\0'))));
    }
  } else {
    EXPECT_EQ(ClassifyFileError(garbage_doc.status()), FileErrorKind::kInvalid);
  }
}

}  // namespace
}  // namespace assistd::extract
