// Tests citations.cc: run passages, output files and answer annotations.
#include "services/orchestrator/citations.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::orchestrator {
namespace {

using model::Passage;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kReportText[] =
    "Safety first. The pump must be primed with clean water before the first start. "
    "Running the pump dry destroys the mechanical seal within seconds. Check the "
    "rotation direction after wiring.";
constexpr char kNotesText[] =
    "Quarterly maintenance covers filter replacement, bearing lubrication and a "
    "vibration check of the motor housing.";
constexpr char kManualText[] =
    "The warranty lasts twenty four months from the date of delivery, provided the "
    "installation was done by certified staff.";

// Code points of `s` (what OpenAI's indexes count).
int CodePoints(absl::string_view s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// value[start, end) in code points.
std::string Slice(absl::string_view value, int start, int end) {
  std::string out;
  int cp = -1;
  for (char c : value) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++cp;
    if (cp >= start && cp < end) out.push_back(c);
  }
  return out;
}

Passage MakePassage(int call, int k, std::string name, std::string id, int page, std::string text) {
  Passage p;
  p.marker = model::MakeMarker(call, k, name);
  p.file_id = std::move(id);
  p.file_name = std::move(name);
  p.page_number = page;
  p.text = std::move(text);
  return p;
}

class AnnotateTest : public ::testing::Test {
 protected:
  const std::vector<Passage> passages_ = {
      MakePassage(0, 0, "report.pdf", "file-report", 3, kReportText),
      MakePassage(0, 1, "notes.pdf", "file-notes", 0, kNotesText),
      MakePassage(1, 0, "manual.pdf", "file-manual", 7, kManualText)};

  AnnotatedText Run(absl::string_view text) {
    AnnotatedText out = Annotate(text, passages_, {});
    for (const v1::Annotation& a : out.annotations) {
      EXPECT_EQ(Slice(out.value, a.start_index(), a.end_index()), a.text());
    }
    return out;
  }
};

TEST_F(AnnotateTest, CitesMarkersTheModelWrote) {
  const std::string text =
      "The pump must be primed before it starts \u30100:0\u2020report.pdf\u3011.";
  const AnnotatedText out = Run(text);
  EXPECT_EQ(out.value, text);
  ASSERT_THAT(out.annotations, SizeIs(1));
  const v1::Annotation& a = out.annotations[0];
  EXPECT_EQ(a.text(), "\u30100:0\u2020report.pdf\u3011");
  EXPECT_EQ(a.start_index(), CodePoints("The pump must be primed before it starts "));
  EXPECT_EQ(a.end_index(), a.start_index() + 16);
  ASSERT_TRUE(a.has_file_citation());
  EXPECT_EQ(a.file_citation().file_id(), "file-report");
  EXPECT_EQ(a.file_citation().page_number(), 3);
  EXPECT_EQ(a.file_citation().file_name(), "report.pdf");
}

TEST_F(AnnotateTest, ReadsSourceVariants) {
  const AnnotatedText out =
      Run("One.\u30100:1\u2020source\u3011 Two.[0:0\u2020source] Three.\u30100\u2020source\u3011 "
          "Four.\u30101:0\u3011");
  ASSERT_THAT(out.annotations, SizeIs(4));
  EXPECT_EQ(out.annotations[0].file_citation().file_id(), "file-notes");
  EXPECT_EQ(out.annotations[1].text(), "[0:0\u2020source]");
  EXPECT_EQ(out.annotations[1].file_citation().file_id(), "file-report");
  // "【0†source】" is result 0 of the last file_search call.
  EXPECT_EQ(out.annotations[2].file_citation().file_id(), "file-manual");
  EXPECT_EQ(out.annotations[3].file_citation().file_id(), "file-manual");
  EXPECT_LT(out.annotations[0].end_index(), out.annotations[1].start_index());
}

TEST_F(AnnotateTest, LeavesLinksAndFootnotesAlone) {
  const std::string text = "See [the docs](https://example.com) and note [1] and [0:1].";
  const AnnotatedText out = Run(text);
  EXPECT_EQ(out.value, text);
  EXPECT_THAT(out.annotations, IsEmpty());
}

TEST_F(AnnotateTest, RemovesMarkersOfNothingRetrieved) {
  const AnnotatedText out = Run(
      "The sky is blue today \u30105:5\u2020source\u3011. Also \u301017\u2020source\u3011 this.");
  EXPECT_EQ(out.value, "The sky is blue today. Also this.");
  EXPECT_THAT(out.annotations, IsEmpty());
}

TEST_F(AnnotateTest, RepointsAWrongMarkerAtThePassageItsSentenceQuotes) {
  const AnnotatedText out =
      Run("Quarterly maintenance covers filter replacement, bearing lubrication and a vibration "
          "check. \u30103:1\u2020source\u3011");
  EXPECT_EQ(out.value,
            "Quarterly maintenance covers filter replacement, bearing lubrication and a vibration "
            "check. \u30100:1\u2020notes.pdf\u3011");
  ASSERT_THAT(out.annotations, SizeIs(1));
  EXPECT_EQ(out.annotations[0].text(), "\u30100:1\u2020notes.pdf\u3011");
  EXPECT_EQ(out.annotations[0].file_citation().file_id(), "file-notes");
}

TEST_F(AnnotateTest, InsertsAMarkerAfterAnUnmarkedQuote) {
  const std::string before = "\u00DCberblick f\u00FCr Kunden \u2014 \u6982\u8981 \U0001F4C4:\n\n";
  const std::string sentence = "Running the pump dry destroys the mechanical seal within seconds.";
  const AnnotatedText out = Run(before + sentence + "\nThat is all.");
  const std::string marker = "\u30100:0\u2020report.pdf\u3011";
  EXPECT_EQ(out.value, before + sentence + " " + marker + "\nThat is all.");
  ASSERT_THAT(out.annotations, SizeIs(1));
  const v1::Annotation& a = out.annotations[0];
  EXPECT_EQ(a.text(), marker);
  EXPECT_EQ(a.start_index(), CodePoints(before + sentence + " "));
  EXPECT_EQ(a.end_index(), a.start_index() + CodePoints(marker));
  EXPECT_EQ(a.file_citation().file_id(), "file-report");
  EXPECT_EQ(a.file_citation().page_number(), 3);
}

TEST_F(AnnotateTest, CitesOncePerLineForConsecutiveQuotesOfOnePassage) {
  const AnnotatedText out =
      Run("The pump must be primed with clean water before the first start. Running the pump dry "
          "destroys the mechanical seal within seconds.\n");
  ASSERT_THAT(out.annotations, SizeIs(1));
  EXPECT_EQ(out.value,
            "The pump must be primed with clean water before the first start. Running the pump dry "
            "destroys the mechanical seal within seconds. \u30100:0\u2020report.pdf\u3011\n");
}

TEST_F(AnnotateTest, LeavesParaphrasesWithLowOverlapUncited) {
  const std::string text =
      "Make sure liquid fills the housing of the device before operating it for the initial "
      "time. The guarantee covers two years if professionals set it up.";
  const AnnotatedText out = Run(text);
  EXPECT_EQ(out.value, text);
  EXPECT_THAT(out.annotations, IsEmpty());
}

TEST_F(AnnotateTest, LeavesCodeBlocksAndShortSentencesAlone) {
  const std::string text =
      "Prime the pump.\n\n```\n# Running the pump dry destroys the mechanical seal within "
      "seconds.\n```\n";
  const AnnotatedText out = Run(text);
  EXPECT_EQ(out.value, text);
  EXPECT_THAT(out.annotations, IsEmpty());
}

TEST_F(AnnotateTest, AcceptsTheExtractiveModelsQuotes) {
  const std::string text =
      "From the attached files (assistd-extractive quotes passages; it does not write answers "
      "of its own):\n\n> The pump must be primed with clean water before the first start. "
      "Running the pump dry destroys the mechanical seal within seconds. "
      "\u30100:0\u2020report.pdf\u3011\n\n> The warranty lasts twenty four months from the "
      "date of delivery. \u30101:0\u2020manual.pdf\u3011";
  const AnnotatedText out = Run(text);
  EXPECT_EQ(out.value, text);
  ASSERT_THAT(out.annotations, SizeIs(2));
  EXPECT_EQ(out.annotations[0].file_citation().file_id(), "file-report");
  EXPECT_EQ(out.annotations[1].file_citation().file_id(), "file-manual");
}

TEST(AnnotateFilesTest, AnnotatesSandboxLinksToWrittenFiles) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"/mnt/data/summary.csv", "file-sum"}, {"/mnt/data/my plot.png", "file-plot"}};
  const std::string text =
      "\u00C9t\u00E9: [Download](sandbox:/mnt/data/summary.csv), see "
      "sandbox:/mnt/data/my%20plot.png. Not ours: sandbox:/mnt/data/other.txt";
  const AnnotatedText out = Annotate(text, {}, files);
  EXPECT_EQ(out.value, text);
  ASSERT_THAT(out.annotations, SizeIs(2));
  const v1::Annotation& a = out.annotations[0];
  EXPECT_EQ(a.text(), "sandbox:/mnt/data/summary.csv");
  EXPECT_EQ(a.start_index(), CodePoints("\u00C9t\u00E9: [Download]("));
  EXPECT_EQ(a.end_index(), a.start_index() + CodePoints(a.text()));
  ASSERT_TRUE(a.has_file_path());
  EXPECT_EQ(a.file_path().file_id(), "file-sum");
  EXPECT_EQ(out.annotations[1].text(), "sandbox:/mnt/data/my%20plot.png");
  EXPECT_EQ(out.annotations[1].file_path().file_id(), "file-plot");
}

v1::RunStep SearchStep(const std::vector<std::pair<std::string, std::string>>& hits) {
  v1::RunStep step;
  v1::ToolCall* call = step.mutable_step_details()->mutable_tool_calls()->add_tool_calls();
  call->set_id("call_s");
  call->mutable_file_search();
  for (const auto& [name, text] : hits) {
    v1::FileSearchResult* r = call->mutable_file_search()->add_results();
    r->set_file_id("file-" + name);
    r->set_file_name(name);
    r->set_score(0.5);
    r->set_page_number(2);
    r->add_content()->set_text(text);
    r->add_content()->set_text(" more");
  }
  return step;
}

TEST(RunPassagesTest, NumbersResultsPerFileSearchCallAcrossSteps) {
  std::vector<v1::RunStep> steps;
  steps.push_back(SearchStep({{"a.pdf", "alpha"}, {"b.pdf", "beta"}}));
  v1::RunStep message;
  message.mutable_step_details()->mutable_message_creation()->set_message_id("msg_1");
  steps.push_back(message);
  v1::RunStep mixed = SearchStep({{"c.pdf", "gamma"}});
  v1::ToolCall* code = mixed.mutable_step_details()->mutable_tool_calls()->add_tool_calls();
  code->mutable_code_interpreter()->set_input("print(1)");
  v1::CodeInterpreterFile* file = code->mutable_code_interpreter()->add_files();
  file->set_path("/mnt/data/out.csv");
  file->set_file_id("file-out");
  steps.push_back(mixed);
  steps.push_back(SearchStep({}));  // a call with no results still counts
  steps.push_back(SearchStep({{"d.pdf", "delta"}}));

  const std::vector<Passage> passages = RunPassages(steps);
  ASSERT_THAT(passages, SizeIs(4));
  EXPECT_EQ(passages[0].marker, "\u30100:0\u2020a.pdf\u3011");
  EXPECT_EQ(passages[1].marker, "\u30100:1\u2020b.pdf\u3011");
  EXPECT_EQ(passages[2].marker, "\u30101:0\u2020c.pdf\u3011");
  EXPECT_EQ(passages[3].marker, "\u30103:0\u2020d.pdf\u3011");
  EXPECT_EQ(passages[1].file_id, "file-b.pdf");
  EXPECT_EQ(passages[1].file_name, "b.pdf");
  EXPECT_EQ(passages[1].text, "beta more");
  EXPECT_EQ(passages[1].page_number, 2);
  EXPECT_DOUBLE_EQ(passages[1].score, 0.5);

  const auto files = RunOutputFiles(steps);
  ASSERT_THAT(files, SizeIs(1));
  EXPECT_EQ(files[0].first, "/mnt/data/out.csv");
  EXPECT_EQ(files[0].second, "file-out");
}

}  // namespace
}  // namespace assistd::orchestrator

namespace assistd::orchestrator {
namespace {

// A passage running from page 4 into page 5: each citation names the page
// of the sentence it supports.
TEST(AnnotatePagesTest, CitesThePageOfTheQuotedSentence) {
  const std::string page4 = "The inlet valve must be closed before the pump housing is opened. ";
  const std::string page5 = "Replace the intake filter cartridge every four hundred operating hours.";
  Passage p = MakePassage(0, 0, "manual.pdf", "file-manual", 4, page4 + page5);
  p.page_breaks = {{static_cast<int>(page4.size()), 5}};
  const std::vector<Passage> passages = {p};
  const AnnotatedText marked = Annotate(
      "Replace the intake filter cartridge every four hundred operating hours. "
      "\u30100:0\u2020source\u3011",
      passages, {});
  ASSERT_THAT(marked.annotations, SizeIs(1));
  EXPECT_EQ(marked.annotations[0].file_citation().page_number(), 5);
  // Two unmarked quotes on one line from two pages of one passage: two
  // citations, one per page.
  const AnnotatedText inserted = Annotate(
      "The inlet valve must be closed before the pump housing is opened. Replace the intake "
      "filter cartridge every four hundred operating hours.",
      passages, {});
  ASSERT_THAT(inserted.annotations, SizeIs(2)) << inserted.value;
  EXPECT_EQ(inserted.annotations[0].file_citation().page_number(), 4);
  EXPECT_EQ(inserted.annotations[1].file_citation().page_number(), 5);
}

}  // namespace
}  // namespace assistd::orchestrator
