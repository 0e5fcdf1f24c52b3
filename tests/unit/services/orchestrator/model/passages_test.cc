// Tests passages.cc and text_overlap.cc (the pure text helpers of the
// built-in model and the citation aligner).
#include "services/orchestrator/model/passages.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/orchestrator/model/text_overlap.h"

namespace assistd::model {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Passage MakePassage(int call, int result, std::string name, int page, std::string text) {
  Passage p;
  p.marker = MakeMarker(call, result, name);
  p.file_name = std::move(name);
  p.page_number = page;
  p.text = std::move(text);
  return p;
}

std::vector<std::string> SpanTexts(absl::string_view text, const std::vector<TextSpan>& spans) {
  std::vector<std::string> out;
  for (const TextSpan& s : spans) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

TEST(MakeMarkerTest, UsesLenticularBracketsAndDagger) {
  EXPECT_EQ(MakeMarker(0, 1, "report.pdf"), "\u30100:1\u2020report.pdf\u3011");
  EXPECT_EQ(MakeMarker(12, 3, "a\nb\u3011c.pdf"), "\u301012:3\u2020a b]c.pdf\u3011");
}

TEST(ParseMarkerTest, ReadsOnlyWholeMarkers) {
  const std::optional<MarkerParts> parts = ParseMarker("\u30107:42\u2020Bericht \u00DC.pdf\u3011");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->call_ordinal, 7);
  EXPECT_EQ(parts->result_index, 42);
  EXPECT_EQ(parts->file_name, "Bericht \u00DC.pdf");
  EXPECT_FALSE(ParseMarker("\u30101\u2020source\u3011").has_value());
  EXPECT_FALSE(ParseMarker("[0:1\u2020source]").has_value());
  EXPECT_FALSE(ParseMarker("\u30100:1\u2020x\u3011 tail").has_value());
  EXPECT_FALSE(ParseMarker("\u30109999999999:1\u2020x\u3011").has_value());
}

TEST(FormatPassagesTest, WritesHeaderPageAndBlankLineBetween) {
  const std::vector<Passage> passages = {
      MakePassage(0, 0, "report.pdf", 3, "The pump must be primed."),
      MakePassage(0, 1, "notes.txt", 0, "  Line one.\nLine two.\n")};
  EXPECT_EQ(FormatPassages(passages),
            "\u30100:0\u2020report.pdf\u3011 page 3\nThe pump must be primed.\n\n"
            "\u30100:1\u2020notes.txt\u3011\nLine one.\nLine two.");
}

TEST(FormatPassagesTest, NoPassagesIsASentenceThatParsesToNothing) {
  const std::string text = FormatPassages({});
  EXPECT_EQ(text, "No passages in the searched files match the query.");
  EXPECT_THAT(ParsePassages(text), IsEmpty());
}

TEST(ParsePassagesTest, RoundTripsUnicodeNamesPagesAndParagraphs) {
  const std::vector<Passage> passages = {
      MakePassage(
          0, 0, "\u5831\u544A\u66F8 2024.pdf", 12,
          "\u30DD\u30F3\u30D7\u306F\u59CB\u52D5\u524D\u306B\u5145\u586B\u3057\u307E\u3059\u3002"),
      MakePassage(0, 1, "Bericht \u2013 \u00DCbersicht page 2.pdf", 0,
                  "First paragraph.\n\nSecond paragraph\nwrapped."),
      MakePassage(1, 0, "empty.txt", 1, ""),
      MakePassage(1, 1, "quote.md", 0, "It says:\n\u30109:9\u2020fake\u3011 is just text")};
  const std::vector<Passage> parsed = ParsePassages(FormatPassages(passages));
  ASSERT_EQ(parsed.size(), passages.size());
  for (size_t i = 0; i < passages.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(parsed[i].marker, passages[i].marker);
    EXPECT_EQ(parsed[i].file_name, passages[i].file_name);
    EXPECT_EQ(parsed[i].page_number, passages[i].page_number);
    EXPECT_EQ(parsed[i].text, passages[i].text);
    EXPECT_EQ(parsed[i].file_id, "");
  }
}

TEST(ParsePassagesTest, OtherTextGivesNoPassages) {
  EXPECT_THAT(ParsePassages(""), IsEmpty());
  EXPECT_THAT(ParsePassages("[report.pdf]\nThe pump must be primed.\n"), IsEmpty());
  EXPECT_THAT(ParsePassages("\u3010not a marker\u3011\ntext"), IsEmpty());
}

TEST(ParsePassagesTest, IgnoresPreambleAndCarriageReturns) {
  const std::vector<Passage> parsed =
      ParsePassages("Results:\n\n\u30100:0\u2020a.pdf\u3011 page 2\r\nAlpha.\r\n");
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0].page_number, 2);
  EXPECT_EQ(parsed[0].text, "Alpha.");
}

TEST(TextOverlapTest, ContentWordsDropStopwordsAndStem) {
  EXPECT_THAT(ContentWords("How do I prime the pumps before the first start?"),
              ElementsAre("prim", "pump", "first", "start"));
  EXPECT_EQ(Stem("primed"), Stem("priming"));
  EXPECT_EQ(Stem("batteries"), Stem("battery"));
  EXPECT_EQ(Stem("running"), "run");
  EXPECT_EQ(Stem("status"), "status");
  EXPECT_THAT(Words("\u00DCbersicht \u2014 \u6982\u8981\u3010x\u3011"),
              ElementsAre("\u00DCbersicht", "\u6982\u8981", "x"));
}

TEST(TextOverlapTest, SplitsSentencesButNotAbbreviations) {
  const std::string text = "See Fig. 3 for details. It works, e.g. here! Next?\n\nNew paragraph";
  EXPECT_THAT(
      SpanTexts(text, SplitSentences(text, false)),
      ElementsAre("See Fig. 3 for details.", "It works, e.g. here!", "Next?", "New paragraph"));
  const std::string markdown = "- item one\n> quoted. two sentences. \u3010x\u3011\nEnd.";
  EXPECT_THAT(SpanTexts(markdown, SplitSentences(markdown, true)),
              ElementsAre("- item one", "> quoted. two sentences. \u3010x\u3011", "End."));
}

TEST(TextOverlapTest, MeasuresCoverageAndVerbatimRuns) {
  const PassageOverlap passage("The pump must be primed with clean water before the first start.");
  const Overlap verbatim = passage.Measure("Note: the pump must be primed with clean water.");
  EXPECT_TRUE(verbatim.verbatim_run);
  const Overlap paraphrase = passage.Measure("Fill the housing with liquid before operating.");
  EXPECT_FALSE(paraphrase.verbatim_run);
  EXPECT_LT(paraphrase.word_coverage, 0.3);
  EXPECT_EQ(paraphrase.bigram_coverage, 0);
}

}  // namespace
}  // namespace assistd::model
