// Tests extractive_model.cc: the built-in no-weights model.
#include "services/orchestrator/model/extractive_model.h"

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/orchestrator/model/passages.h"
#include "tests/util/status_matchers.h"

namespace assistd::model {
namespace {

using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using Role = ChatMessage::Role;

// Records what was streamed; answers false from the `stop_at`-th call on.
class RecordingObserver : public ChatStreamObserver {
 public:
  explicit RecordingObserver(int stop_at = -1) : stop_at_(stop_at) {}

  bool OnText(absl::string_view fragment) override {
    fragments.emplace_back(fragment);
    return ++calls_ != stop_at_;
  }
  bool OnToolCallDelta(int index, absl::string_view id, absl::string_view name,
                       absl::string_view arguments) override {
    indexes.push_back(index);
    ids.emplace_back(id);
    names.emplace_back(name);
    args += std::string(arguments);
    return ++calls_ != stop_at_;
  }

  std::string Text() const { return absl::StrJoin(fragments, ""); }

  std::vector<std::string> fragments;
  std::vector<int> indexes;
  std::vector<std::string> ids;
  std::vector<std::string> names;
  std::string args;

 private:
  const int stop_at_;
  int calls_ = 0;
};

ToolSchema Tool(std::string name) {
  ToolSchema t;
  t.name = std::move(name);
  return t;
}

ChatRequest Ask(std::string question,
                std::vector<std::string> tools = {"file_search", "code_interpreter"}) {
  ChatRequest r;
  r.model = "assistd-extractive";
  r.messages.push_back({Role::kSystem, "You are helpful.", {}, ""});
  r.messages.push_back({Role::kUser, "An older question about cats", {}, ""});
  r.messages.push_back({Role::kAssistant, "An older answer.", {}, ""});
  r.messages.push_back({Role::kUser, std::move(question), {}, ""});
  for (std::string& t : tools) r.tools.push_back(Tool(std::move(t)));
  return r;
}

// The request after the model called `tool` and it answered `output`.
ChatRequest AfterTool(ChatRequest r, std::string tool, std::string output) {
  ChatMessage call{Role::kAssistant, "", {{"call_1", tool, "{}"}}, ""};
  r.messages.push_back(std::move(call));
  r.messages.push_back({Role::kTool, std::move(output), {}, "call_1"});
  return r;
}

nlohmann::json Args(const ChatResult& result) {
  return nlohmann::json::parse(result.tool_calls.at(0).arguments);
}

Passage MakePassage(int k, std::string name, std::string text, int page = 0) {
  Passage p;
  p.marker = MakeMarker(0, k, name);
  p.file_name = std::move(name);
  p.page_number = page;
  p.text = std::move(text);
  return p;
}

const std::vector<Passage>& PumpPassages() {
  static const auto* passages = new std::vector<Passage>{
      MakePassage(0, "report.pdf",
                  "Chapter 4 covers installation. The pump must be primed with clean\n"
                  "water before the first start. Shipping crates are recycled.",
                  3),
      MakePassage(1, "history.pdf", "The company was founded in 1952 in a small garage."),
      MakePassage(2, "notes.pdf",
                  "Operators often forget this. Priming the pump takes about two minutes "
                  "before the first start of the season.")};
  return *passages;
}

TEST(ExtractiveModelTest, CallsCodeInterpreterForFencedPython) {
  ExtractiveModel model;
  RecordingObserver observer;
  auto result =
      model.Complete(Ask("Please run this:\n```python\nprint(6 * 7)\n```\nThanks"), &observer);
  ASSERT_OK(result.status());
  EXPECT_EQ(result->finish_reason, FinishReason::kToolCalls);
  ASSERT_EQ(result->tool_calls.size(), 1u);
  EXPECT_EQ(result->tool_calls[0].name, "code_interpreter");
  EXPECT_THAT(result->tool_calls[0].id, StartsWith("call_"));
  EXPECT_EQ(Args(*result)["code"], "print(6 * 7)");
  EXPECT_EQ(result->text, "");
  // Streamed as the same call: id and name on the first fragment only.
  EXPECT_EQ(observer.args, result->tool_calls[0].arguments);
  ASSERT_GE(observer.ids.size(), 2u);
  EXPECT_EQ(observer.ids[0], result->tool_calls[0].id);
  EXPECT_EQ(observer.names[0], "code_interpreter");
  EXPECT_EQ(observer.ids[1], "");
  EXPECT_THAT(observer.indexes, ::testing::Each(0));
  EXPECT_THAT(observer.fragments, IsEmpty());
  EXPECT_GT(result->usage.prompt_tokens, 0);
  EXPECT_GT(result->usage.completion_tokens, 0);
}

TEST(ExtractiveModelTest, SearchesWithTheMessageWhenThereIsNoCode) {
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(Ask("  How do I prime the pump? "), &observer);
  ASSERT_OK(result.status());
  ASSERT_EQ(result->tool_calls.size(), 1u);
  EXPECT_EQ(result->tool_calls[0].name, "file_search");
  EXPECT_EQ(Args(*result)["query"], "How do I prime the pump?");
  EXPECT_EQ(observer.args, result->tool_calls[0].arguments);
}

TEST(ExtractiveModelTest, SearchesWhenCodeCannotRun) {
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(Ask("```python\nprint(1)\n```", {"file_search"}), &observer);
  ASSERT_OK(result.status());
  ASSERT_EQ(result->tool_calls.size(), 1u);
  EXPECT_EQ(result->tool_calls[0].name, "file_search");
}

TEST(ExtractiveModelTest, NonPythonFenceIsNotCode) {
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(Ask("What does this mean?\n```json\n{\"a\": 1}\n```"), &observer);
  ASSERT_OK(result.status());
  ASSERT_EQ(result->tool_calls.size(), 1u);
  EXPECT_EQ(result->tool_calls[0].name, "file_search");
}

TEST(ExtractiveModelTest, ToolChoiceNoneExplainsHonestly) {
  ExtractiveModel model;
  RecordingObserver observer;
  ChatRequest request = Ask("```python\nprint(1)\n```");
  request.tool_choice = "none";
  auto result = model.Complete(request, &observer);
  ASSERT_OK(result.status());
  EXPECT_THAT(result->tool_calls, IsEmpty());
  EXPECT_EQ(result->finish_reason, FinishReason::kStop);
  EXPECT_THAT(result->text, HasSubstr("assistd-extractive"));
  EXPECT_THAT(result->text, HasSubstr("--model_endpoints"));
  EXPECT_THAT(result->text, HasSubstr("docs/orchestrator.md"));
  EXPECT_THAT(result->text, HasSubstr("tool_choice"));
  EXPECT_EQ(observer.Text(), result->text);
  EXPECT_GT(observer.fragments.size(), 10u);
}

TEST(ExtractiveModelTest, ExplainsWhenNoToolIsOffered) {
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(Ask("How do I prime the pump?", {}), &observer);
  ASSERT_OK(result.status());
  EXPECT_THAT(result->tool_calls, IsEmpty());
  EXPECT_THAT(result->text, HasSubstr("--model_endpoints"));
  EXPECT_THAT(result->text, HasSubstr("Neither file_search nor code_interpreter"));
}

TEST(ExtractiveModelTest, ForcedToolWins) {
  ExtractiveModel model;
  RecordingObserver observer;
  ChatRequest request = Ask("```python\nprint(1)\n```");
  request.tool_choice = "function:file_search";
  auto search = model.Complete(request, &observer);
  ASSERT_OK(search.status());
  ASSERT_EQ(search->tool_calls.size(), 1u);
  EXPECT_EQ(search->tool_calls[0].name, "file_search");

  request = Ask("print(2 + 2)");
  request.tool_choice = "function:code_interpreter";
  auto code = model.Complete(request, &observer);
  ASSERT_OK(code.status());
  ASSERT_EQ(code->tool_calls.size(), 1u);
  EXPECT_EQ(code->tool_calls[0].name, "code_interpreter");
  EXPECT_EQ(Args(*code)["code"], "print(2 + 2)");
}

TEST(ExtractiveModelTest, ForcedUnknownFunctionIsExplained) {
  ExtractiveModel model;
  RecordingObserver observer;
  ChatRequest request = Ask("What is the weather?", {"file_search", "get_weather"});
  request.tool_choice = "function:get_weather";
  auto result = model.Complete(request, &observer);
  ASSERT_OK(result.status());
  EXPECT_THAT(result->tool_calls, IsEmpty());
  EXPECT_THAT(result->text, HasSubstr("\"get_weather\""));
}

TEST(ExtractiveModelTest, QuotesTheBestSentencesWithTheirMarkers) {
  ExtractiveModel model;
  RecordingObserver observer;
  ChatRequest request = AfterTool(Ask("How do I prime the pump before the first start?"),
                                  "file_search", FormatPassages(PumpPassages()));
  request.tool_choice = "function:file_search";  // answers anyway: the tool has run
  auto result = model.Complete(request, &observer);
  ASSERT_OK(result.status());
  EXPECT_THAT(result->tool_calls, IsEmpty());
  const std::string& text = result->text;
  EXPECT_EQ(text,
            "From the attached files (assistd-extractive quotes passages; it does not write "
            "answers of its own):\n\n"
            "> The pump must be primed with clean water before the first start. "
            "\u30100:0\u2020report.pdf\u3011\n\n"
            "> Priming the pump takes about two minutes before the first start of the "
            "season. \u30100:2\u2020notes.pdf\u3011");
  EXPECT_EQ(observer.Text(), text);
  EXPECT_GT(observer.fragments.size(), 20u);
}

TEST(ExtractiveModelTest, SkipsTheSentenceTailAChunkStartsWith) {
  // Overlapping chunks start mid-sentence; the tail ties on question words
  // with the sentence that answers, and must not be quoted instead.
  const std::vector<Passage> passages = {MakePassage(
      0, "manual.pdf",
      "the warranty. The warranty lasts two years from the date of delivery. Keep the "
      "invoice.")};
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(
      AfterTool(Ask("How long is the warranty?"), "file_search", FormatPassages(passages)),
      &observer);
  ASSERT_OK(result.status());
  EXPECT_THAT(result->text, HasSubstr("> The warranty lasts two years from the date of delivery."));
  EXPECT_THAT(result->text, Not(HasSubstr("> the warranty.")));
}

TEST(ExtractiveModelTest, HeadingsAreNotPartOfTheQuote) {
  const std::vector<Passage> passages = {MakePassage(
      0, "manual.pdf",
      "3. Maintenance\nThe intake filter must be replaced every 400 operating hours.\nInspect "
      "the shaft seal for leaks once a month.")};
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(
      AfterTool(Ask("How often must the intake filter be replaced?"), "file_search",
                FormatPassages(passages)),
      &observer);
  ASSERT_OK(result.status());
  EXPECT_THAT(result->text,
              HasSubstr("> The intake filter must be replaced every 400 operating hours."));
}

TEST(ExtractiveModelTest, QuotesNoBareHeading) {
  const std::vector<Passage> passages = {MakePassage(
      0, "manual.pdf",
      "and void the warranty.\n\n20. Warranty\n\nThe warranty lasts two years from the "
      "date of delivery.")};
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(
      AfterTool(Ask("How long is the warranty?"), "file_search", FormatPassages(passages)),
      &observer);
  ASSERT_OK(result.status());
  EXPECT_THAT(result->text, HasSubstr("> The warranty lasts two years from the date of delivery."));
  EXPECT_THAT(result->text, Not(HasSubstr("> Warranty")));
}

TEST(ExtractiveModelTest, LinksTheFilesTheCodeWrote) {
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(
      AfterTool(Ask("```python\nopen('/mnt/data/x.csv','w').write('1')\n```"),
                "code_interpreter",
                "[wrote /mnt/data/x.csv; link it as sandbox:/mnt/data/x.csv]\n"),
      &observer);
  ASSERT_OK(result.status());
  EXPECT_THAT(result->text, HasSubstr("It wrote sandbox:/mnt/data/x.csv."));
  EXPECT_THAT(result->text, Not(HasSubstr("[wrote")));
}

TEST(ExtractiveModelTest, NeverInventsText) {
  ExtractiveModel model;
  RecordingObserver observer;
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "Filler words about nothing in particular here ";
  long_text += "the pump valve opens at four bar ";
  for (int i = 0; i < 40; ++i) long_text += "more filler without any stop ";
  std::vector<Passage> passages = PumpPassages();
  passages.push_back(MakePassage(3, "long.txt", long_text));
  passages.insert(passages.begin(), MakePassage(4, "valve.txt", long_text));
  auto result = model.Complete(AfterTool(Ask("At what pressure does the pump valve open?"),
                                         "file_search", FormatPassages(passages)),
                               &observer);
  ASSERT_OK(result.status());
  EXPECT_LT(result->text.size(), 1300u);
  int quotes = 0;
  for (absl::string_view line : absl::StrSplit(result->text, '\n')) {
    if (!absl::ConsumePrefix(&line, "> ")) continue;
    ++quotes;
    const size_t marker = line.rfind(" \u3010");
    ASSERT_NE(marker, absl::string_view::npos) << line;
    std::string quote(line.substr(0, marker));
    absl::StrReplaceAll({{"\u2026", ""}}, &quote);
    bool found = false;
    for (const Passage& p : passages) {
      std::string flat =
          absl::StrJoin(absl::StrSplit(p.text, absl::ByAnyChar(" \n"), absl::SkipEmpty()), " ");
      found = found || absl::StrContains(flat, quote);
    }
    EXPECT_TRUE(found) << quote;
  }
  EXPECT_GE(quotes, 1);
  EXPECT_LE(quotes, 3);
  // The top passage overlaps the question, so it is quoted first, around
  // the words that match.
  EXPECT_THAT(result->text, HasSubstr("valve opens at four bar"));
  EXPECT_LT(result->text.find("\u30100:4\u2020valve.txt\u3011"),
            result->text.find("\u30100:0\u2020report.pdf\u3011"));
}

TEST(ExtractiveModelTest, RetrievalOrderDecidesTheFirstQuote) {
  ExtractiveModel model;
  RecordingObserver observer;
  const std::vector<Passage> passages = {
      MakePassage(0, "weak.pdf", "Nothing here. The pump is blue."),
      MakePassage(1, "strong.pdf", "The pump must be primed before the first start.")};
  auto result = model.Complete(AfterTool(Ask("How do I prime the pump before the first start?"),
                                         "file_search", FormatPassages(passages)),
                               &observer);
  ASSERT_OK(result.status());
  const size_t weak = result->text.find("> The pump is blue. \u30100:0\u2020weak.pdf\u3011");
  const size_t strong = result->text.find("\u30100:1\u2020strong.pdf\u3011");
  ASSERT_NE(weak, std::string::npos) << result->text;
  ASSERT_NE(strong, std::string::npos) << result->text;
  EXPECT_LT(weak, strong);
}

TEST(ExtractiveModelTest, SaysWhenPassagesShareNoWordWithTheQuestion) {
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(
      AfterTool(Ask("Wie entl\u00FCftet man?"), "file_search",
                FormatPassages({MakePassage(0, "a.pdf", "Bleed the radiator. Then close it.")})),
      &observer);
  ASSERT_OK(result.status());
  EXPECT_THAT(result->text, StartsWith("No passage in the attached files shares words"));
  EXPECT_THAT(result->text, HasSubstr("> Bleed the radiator. \u30100:0\u2020a.pdf\u3011"));
}

TEST(ExtractiveModelTest, SaysSoWhenNothingMatched) {
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(
      AfterTool(Ask("How do I prime the pump?"), "file_search", FormatPassages({})), &observer);
  ASSERT_OK(result.status());
  EXPECT_THAT(result->text, HasSubstr("No passage in the attached files matches"));
  EXPECT_THAT(result->text, HasSubstr("rephrasing"));
  EXPECT_THAT(result->text, Not(HasSubstr("\u3010")));
}

TEST(ExtractiveModelTest, AnswersWithCodeOutputAndImages) {
  ExtractiveModel model;
  RecordingObserver observer;
  auto result = model.Complete(
      AfterTool(Ask("```python\nprint(42)\n```"), "code_interpreter", "42\n[image file-abc123]\n"),
      &observer);
  ASSERT_OK(result.status());
  EXPECT_EQ(result->text, "The code ran. Output:\n\n```\n42\n```\n\nIt produced 1 image.");
  EXPECT_EQ(observer.Text(), result->text);

  auto silent =
      model.Complete(AfterTool(Ask("```python\nx = 1\n```"), "code_interpreter", ""), &observer);
  ASSERT_OK(silent.status());
  EXPECT_EQ(silent->text, "The code ran without printing anything.");

  auto fenced = model.Complete(
      AfterTool(Ask("```python\nprint('```')\n```"), "code_interpreter", "```\n"), &observer);
  ASSERT_OK(fenced.status());
  EXPECT_EQ(fenced->text, "The code ran. Output:\n\n````\n```\n````");
}

TEST(ExtractiveModelTest, ObserverCanStopTextAndToolCalls) {
  ExtractiveModel model;
  RecordingObserver stop_text(/*stop_at=*/3);
  ChatRequest request = Ask("hello");
  request.tool_choice = "none";
  EXPECT_THAT(model.Complete(request, &stop_text), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(stop_text.fragments.size(), 3u);

  RecordingObserver stop_call(/*stop_at=*/1);
  EXPECT_THAT(model.Complete(Ask("How do I prime the pump?"), &stop_call),
              StatusIs(absl::StatusCode::kCancelled));
}

TEST(ExtractiveModelTest, HonoursTheCancelledFlag) {
  ExtractiveModel model;
  RecordingObserver observer;
  std::atomic<bool> cancelled{true};
  ChatRequest request = Ask("How do I prime the pump?");
  request.cancelled = &cancelled;
  EXPECT_THAT(model.Complete(request, &observer), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(observer.ids, IsEmpty());
}

}  // namespace
}  // namespace assistd::model
