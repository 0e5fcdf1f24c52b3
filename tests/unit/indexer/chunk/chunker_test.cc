#include "indexer/chunk/chunker.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indexer/chunk/token_counter.h"
#include "indexer/extract/document.h"
#include "tests/unit/indexer/chunk/random_text.h"
#include "tests/util/status_matchers.h"

namespace assistd::chunk {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::RandomText;
using ::assistd::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Le;
using ::testing::Not;
using ::testing::SizeIs;

// "。" and "这是一个测试句子" ("this is a test sentence").
constexpr char kIdeographicStop[] = "\xE3\x80\x82";
constexpr char kChineseClause[] =
    "\xE8\xBF\x99\xE6\x98\xAF\xE4\xB8\x80\xE4\xB8\xAA\xE6\xB5\x8B\xE8\xAF\x95"
    "\xE5\x8F\xA5\xE5\xAD\x90";

extract::Document MakeDoc(const std::vector<std::string>& pages) {
  extract::Document doc;
  doc.format = extract::Format::kPdf;
  for (size_t i = 0; i < pages.size(); ++i) {
    extract::TextPage page;
    page.number = static_cast<int>(i) + 1;
    page.text = pages[i];
    page.has_text_layer = !pages[i].empty();
    doc.pages.push_back(page);
  }
  return doc;
}

// Deterministic English-like prose: sentences of 6-18 common words.
class ProseWriter {
 public:
  explicit ProseWriter(uint32_t seed) : rng_(seed) {}

  std::string Sentence() {
    static const std::vector<std::string> kWords = {
        "the",      "market",  "river",    "town",      "people",  "worked",
        "in",       "and",     "of",       "a",         "small",   "building",
        "history",  "railway", "families", "community", "library", "opened",
        "near",     "bridge",  "every",    "morning",   "traders", "brought",
        "grain",    "to",      "with",     "merchants", "from",    "valleys",
        "schools",  "were",    "built",    "for",       "century", "quiet",
        "visitors", "walk",    "along",    "signs",     "explain", "what",
        "each",     "was",     "used",     "there",     "is",      "now"};
    std::uniform_int_distribution<size_t> word(0, kWords.size() - 1);
    std::uniform_int_distribution<int> length(6, 18);
    std::string sentence = kWords[word(rng_)];
    sentence[0] = static_cast<char>(sentence[0] - 'a' + 'A');
    const int words = length(rng_);
    for (int i = 1; i < words; ++i) {
      sentence += (i == words / 2 ? ", " : " ") + kWords[word(rng_)];
    }
    return sentence + ".";
  }

  std::string Paragraph(int sentences) {
    std::vector<std::string> parts;
    for (int i = 0; i < sentences; ++i) parts.push_back(Sentence());
    return absl::StrJoin(parts, " ");
  }

  // `paragraphs` paragraphs of 3-6 sentences, separated by blank lines.
  std::string Text(int paragraphs) {
    std::uniform_int_distribution<int> sentences(3, 6);
    std::vector<std::string> parts;
    for (int i = 0; i < paragraphs; ++i)
      parts.push_back(Paragraph(sentences(rng_)));
    return absl::StrJoin(parts, "\n\n");
  }

 private:
  std::mt19937 rng_;
};

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// Han, kana and CJK punctuation (U+3000..U+9FFF) start with E3..E9.
bool IsCjkLeadByte(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b >= 0xE3 && b <= 0xE9;
}

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Whether `pos` is between two words of `text` (for the test texts).
bool IsWordBoundary(const std::string& text, size_t pos) {
  if (pos == 0 || pos >= text.size()) return true;
  if (IsAsciiSpace(text[pos - 1]) || IsAsciiSpace(text[pos])) return true;
  if (IsCjkLeadByte(text[pos])) return true;
  return pos >= 3 && IsCjkLeadByte(text[pos - 3]);
}

// The properties every chunking has, whatever the text.
void ExpectChunkingInvariants(const extract::Document& doc,
                              const std::vector<Chunk>& chunks,
                              const ChunkingOptions& options) {
  const std::string text = DocumentText(doc);
  if (text.empty()) {
    EXPECT_THAT(chunks, IsEmpty());
    return;
  }
  ASSERT_THAT(chunks, Not(IsEmpty()));
  EXPECT_EQ(chunks.front().char_start, 0);
  EXPECT_EQ(chunks.back().char_end, static_cast<int64_t>(text.size()));
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& chunk = chunks[i];
    SCOPED_TRACE(absl::StrCat("chunk ", i));
    EXPECT_EQ(chunk.index, static_cast<int>(i));
    ASSERT_LT(chunk.char_start, chunk.char_end);
    EXPECT_EQ(text.substr(chunk.char_start, chunk.char_end - chunk.char_start),
              chunk.text);
    EXPECT_EQ(chunk.tokens, CountTokens(chunk.text));
    EXPECT_THAT(chunk.tokens, AllOf(Ge(1), Le(options.max_tokens)));
    EXPECT_LE(chunk.page_start, chunk.page_end);
    EXPECT_FALSE(IsContinuationByte(text[chunk.char_start]));
    if (i == 0) continue;
    const Chunk& previous = chunks[i - 1];
    EXPECT_GT(chunk.char_start, previous.char_start);
    EXPECT_GT(chunk.char_end, previous.char_end);
    // No gap: every character is in some chunk.
    EXPECT_LE(chunk.char_start, previous.char_end);
    if (options.overlap_tokens == 0) {
      EXPECT_EQ(chunk.char_start, previous.char_end);
    }
  }
}

// Tokens the chunk shares with the one before it.
int OverlapTokens(const Chunk& previous, const Chunk& chunk) {
  return CountTokens(
      previous.text.substr(chunk.char_start - previous.char_start));
}

TEST(ValidateChunkingOptionsTest, AcceptsOpenAiRange) {
  EXPECT_THAT(ValidateChunkingOptions({}), IsOk());
  EXPECT_THAT(ValidateChunkingOptions({100, 0}), IsOk());
  EXPECT_THAT(ValidateChunkingOptions({101, 50}), IsOk());
  EXPECT_THAT(ValidateChunkingOptions({4096, 2048}), IsOk());
}

// An InvalidArgument status that names `field`.
::testing::Matcher<absl::Status> RejectsField(const std::string& field) {
  return StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field));
}

TEST(ValidateChunkingOptionsTest, NamesTheBadField) {
  EXPECT_THAT(ValidateChunkingOptions({99, 0}),
              RejectsField("max_chunk_size_tokens"));
  EXPECT_THAT(ValidateChunkingOptions({4097, 0}),
              RejectsField("max_chunk_size_tokens"));
  EXPECT_THAT(ValidateChunkingOptions({800, -1}),
              RejectsField("chunk_overlap_tokens"));
  EXPECT_THAT(ValidateChunkingOptions({800, 401}),
              RejectsField("chunk_overlap_tokens"));
  EXPECT_THAT(ValidateChunkingOptions({101, 51}),
              RejectsField("chunk_overlap_tokens"));
}

TEST(DocumentTextTest, JoinsPagesWithABlankLineAndSkipsPagesWithoutText) {
  EXPECT_EQ(DocumentText(MakeDoc({"one", "two"})), "one\n\ntwo");
  EXPECT_EQ(DocumentText(MakeDoc({"", "one", " \n", "", "two", ""})),
            "one\n\ntwo");
  EXPECT_EQ(DocumentText(MakeDoc({})), "");
}

TEST(ChunkDocumentTest, EmptyDocumentsHaveNoChunks) {
  EXPECT_THAT(ChunkDocument(MakeDoc({}), {}), IsEmpty());
  EXPECT_THAT(ChunkDocument(MakeDoc({"", ""}), {}), IsEmpty());
  EXPECT_THAT(ChunkDocument(MakeDoc({"  \n\n\t "}), {}), IsEmpty());
}

TEST(ChunkDocumentTest, ShortSentenceIsOneChunk) {
  const std::string sentence = "The quick brown fox jumps over the lazy dog.";
  const std::vector<Chunk> chunks = ChunkDocument(MakeDoc({sentence}), {});
  ASSERT_THAT(chunks, SizeIs(1));
  EXPECT_EQ(chunks[0].index, 0);
  EXPECT_EQ(chunks[0].text, sentence);
  EXPECT_EQ(chunks[0].char_start, 0);
  EXPECT_EQ(chunks[0].char_end, static_cast<int64_t>(sentence.size()));
  EXPECT_EQ(chunks[0].tokens, 10);
  EXPECT_EQ(chunks[0].page_start, 1);
  EXPECT_EQ(chunks[0].page_end, 1);
}

class ProsePropertiesTest : public ::testing::TestWithParam<ChunkingOptions> {};

TEST_P(ProsePropertiesTest, WindowsAreFullOverlapAndEndBetweenWords) {
  const ChunkingOptions options = GetParam();
  ProseWriter writer(42);
  const extract::Document doc =
      MakeDoc({writer.Text(40), writer.Text(40), writer.Text(40)});
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ExpectChunkingInvariants(doc, chunks, options);
  ASSERT_THAT(chunks, SizeIs(Ge(2u)));
  const std::string text = DocumentText(doc);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("chunk ", i));
    EXPECT_TRUE(IsWordBoundary(text, chunks[i].char_end));
    EXPECT_TRUE(IsWordBoundary(text, chunks[i + 1].char_start));
    // Prose has a break in every last quarter of a window.
    EXPECT_GE(chunks[i].tokens, (3 * options.max_tokens + 3) / 4);
    // The next chunk starts at the first word start within the overlap.
    EXPECT_THAT(
        OverlapTokens(chunks[i], chunks[i + 1]),
        AllOf(Ge(options.overlap_tokens - 3), Le(options.overlap_tokens)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    OpenAiRange, ProsePropertiesTest,
    ::testing::Values(ChunkingOptions{800, 400}, ChunkingOptions{100, 0},
                      ChunkingOptions{100, 50}, ChunkingOptions{300, 100},
                      ChunkingOptions{1000, 0}, ChunkingOptions{4096, 2048}),
    [](const ::testing::TestParamInfo<ChunkingOptions>& info) {
      return absl::StrCat("max", info.param.max_tokens, "overlap",
                          info.param.overlap_tokens);
    });

TEST(ChunkDocumentTest, PrefersParagraphBreaks) {
  ProseWriter writer(1);
  std::vector<std::string> paragraphs;
  for (int i = 0; i < 60; ++i) paragraphs.push_back(writer.Paragraph(3));
  const extract::Document doc = MakeDoc({absl::StrJoin(paragraphs, "\n\n")});
  const ChunkingOptions options{400, 100};
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ExpectChunkingInvariants(doc, chunks, options);
  ASSERT_THAT(chunks, SizeIs(Ge(3u)));
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_TRUE(absl::EndsWith(chunks[i].text, ".\n\n")) << chunks[i].text;
  }
}

TEST(ChunkDocumentTest, PrefersSentenceEndsOverLineBreaks) {
  // One long paragraph, hard-wrapped every 7 words like a PDF.
  ProseWriter writer(2);
  std::string text = writer.Paragraph(120);
  int words = 0;
  for (char& c : text) {
    if (c == ' ' && ++words % 7 == 0) c = '\n';
  }
  const extract::Document doc = MakeDoc({text});
  const ChunkingOptions options{200, 50};
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ExpectChunkingInvariants(doc, chunks, options);
  ASSERT_THAT(chunks, SizeIs(Ge(3u)));
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_TRUE(
        absl::EndsWith(absl::StripTrailingAsciiWhitespace(chunks[i].text), "."))
        << chunks[i].text;
  }
}

TEST(ChunkDocumentTest, FallsBackToLineBreaksThenWords) {
  std::string lines;
  std::string words;
  for (int i = 0; i < 400; ++i) {
    lines += absl::StrCat("item ", i, " has no full stop at all\n");
    words += absl::StrCat("word", i % 10, " ");
  }
  const ChunkingOptions options{100, 20};
  for (const bool has_lines : {true, false}) {
    const std::string& text = has_lines ? lines : words;
    const extract::Document doc = MakeDoc({text});
    const std::vector<Chunk> chunks = ChunkDocument(doc, options);
    ExpectChunkingInvariants(doc, chunks, options);
    ASSERT_THAT(chunks, SizeIs(Ge(3u)));
    for (size_t i = 0; i + 1 < chunks.size(); ++i) {
      if (has_lines) {
        EXPECT_TRUE(absl::EndsWith(chunks[i].text, "\n")) << chunks[i].text;
      } else {
        EXPECT_EQ(text[chunks[i].char_end], ' ') << chunks[i].text;
      }
    }
  }
}

TEST(ChunkDocumentTest, ReportsThePagesEachChunkTouches) {
  ProseWriter writer(3);
  std::vector<std::string> pages;
  for (int i = 0; i < 12; ++i) pages.push_back(writer.Paragraph(5));
  const extract::Document doc = MakeDoc(pages);
  const ChunkingOptions options{400, 200};
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ExpectChunkingInvariants(doc, chunks, options);
  // Where each page is in DocumentText, computed independently.
  std::vector<int64_t> page_begin, page_end;
  int64_t offset = 0;
  for (const std::string& page : pages) {
    page_begin.push_back(offset);
    page_end.push_back(offset + static_cast<int64_t>(page.size()));
    offset = page_end.back() + 2;
  }
  bool spans_pages = false;
  for (const Chunk& chunk : chunks) {
    int first = 0, last = 0;
    for (size_t p = 0; p < pages.size(); ++p) {
      const int number = static_cast<int>(p) + 1;
      if (page_begin[p] < chunk.char_end && page_end[p] > chunk.char_start) {
        if (first == 0) first = number;
        last = number;
      }
    }
    EXPECT_EQ(chunk.page_start, first) << chunk.index;
    EXPECT_EQ(chunk.page_end, last) << chunk.index;
    spans_pages = spans_pages || chunk.page_end > chunk.page_start;
    // Each later page it touches begins where the page's text starts.
    ASSERT_EQ(static_cast<int>(chunk.page_breaks.size()), last - first) << chunk.index;
    for (const auto& [at, number] : chunk.page_breaks) {
      EXPECT_EQ(chunk.text.substr(at, 30), pages[number - 1].substr(0, 30)) << chunk.index;
    }
  }
  EXPECT_TRUE(spans_pages);
}

TEST(ChunkDocumentTest, PagesWithoutTextShiftNoOffsets) {
  ProseWriter writer(4);
  const std::string first = writer.Paragraph(4);
  const std::string third = writer.Paragraph(4);
  extract::Document doc = MakeDoc({first, "", third});
  doc.pages[1].has_text_layer = false;
  EXPECT_EQ(DocumentText(doc), first + "\n\n" + third);
  const std::vector<Chunk> chunks = ChunkDocument(doc, {100, 0});
  ExpectChunkingInvariants(doc, chunks, {100, 0});
  for (const Chunk& chunk : chunks) {
    EXPECT_NE(chunk.page_start, 2);
    EXPECT_NE(chunk.page_end, 2);
    const int64_t third_begin = static_cast<int64_t>(first.size()) + 2;
    EXPECT_EQ(chunk.page_start, chunk.char_start < third_begin - 2 ? 1 : 3);
    EXPECT_EQ(chunk.page_end, chunk.char_end <= third_begin ? 1 : 3);
  }
  EXPECT_EQ(chunks.back().page_end, 3);
}

TEST(ChunkDocumentTest, ChunksCjkTextWithoutSpacesAtSentenceEnds) {
  std::string text;
  for (int i = 0; i < 300; ++i) {
    text += kChineseClause;
    if (i % 3 == 2) text += kIdeographicStop;
  }
  const extract::Document doc = MakeDoc({text});
  const ChunkingOptions options{100, 20};
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ExpectChunkingInvariants(doc, chunks, options);
  ASSERT_THAT(chunks, SizeIs(Ge(10u)));
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_TRUE(absl::EndsWith(chunks[i].text, kIdeographicStop))
        << chunks[i].text;
    EXPECT_GE(chunks[i].tokens, 75);
  }
}

TEST(ChunkDocumentTest, SplitsOnlyAWordLongerThanTheWindow) {
  ProseWriter writer(5);
  std::string blob;
  for (int i = 0; i < 30000; ++i) {
    blob += "QUJDZGVm+/0123456789"[(i * 7919) % 20];
  }
  const std::string before = writer.Paragraph(20) + " https://example.com/";
  const std::string text = before + blob + " " + writer.Paragraph(20);
  const extract::Document doc = MakeDoc({text});
  const ChunkingOptions options{100, 50};
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ExpectChunkingInvariants(doc, chunks, options);
  const auto word_begin = static_cast<int64_t>(before.size() - 20);
  const auto word_end = static_cast<int64_t>(before.size() + blob.size());
  int inside = 0;
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    if (IsWordBoundary(text, chunks[i].char_end)) continue;
    ++inside;
    EXPECT_GT(chunks[i].char_end, word_begin);
    EXPECT_LT(chunks[i].char_end, word_end);
  }
  EXPECT_GT(inside, 10);
}

TEST(ChunkDocumentTest, SplitsLongMultibyteRunsAtCharacterBoundaries) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "\xC3\xA9";  // e acute
  const extract::Document doc = MakeDoc({text});
  const ChunkingOptions options{100, 0};
  const std::vector<Chunk> chunks = ChunkDocument(doc, options);
  ExpectChunkingInvariants(doc, chunks, options);
  EXPECT_THAT(chunks, SizeIs(Ge(5u)));
  for (const Chunk& chunk : chunks) {
    EXPECT_EQ(chunk.text.size() % 2, 0u);
  }
}

auto Fields(const Chunk& c) {
  return std::tie(c.index, c.text, c.page_start, c.page_end, c.char_start,
                  c.char_end, c.tokens);
}

void ExpectSameChunks(const std::vector<Chunk>& a,
                      const std::vector<Chunk>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(Fields(a[i]) == Fields(b[i])) << "chunk " << i;
  }
}

TEST(ChunkDocumentTest, IsDeterministic) {
  ProseWriter writer(6);
  const extract::Document doc = MakeDoc({writer.Text(30), writer.Text(30)});
  ExpectSameChunks(ChunkDocument(doc, {}), ChunkDocument(doc, {}));
}

TEST(ChunkDocumentTest, ClampsInvalidOptions) {
  ProseWriter writer(7);
  const extract::Document doc = MakeDoc({writer.Text(30)});
  ExpectSameChunks(ChunkDocument(doc, {10, -5}), ChunkDocument(doc, {100, 0}));
  ExpectSameChunks(ChunkDocument(doc, {9000, 9000}),
                   ChunkDocument(doc, {4096, 2048}));
  ExpectSameChunks(ChunkDocument(doc, {800, 1000}),
                   ChunkDocument(doc, {800, 400}));
}

// Random mixes of scripts, whitespace, punctuation, digits, long words and
// empty pages, with random valid options.
TEST(ChunkDocumentTest, RandomDocumentsKeepTheInvariants) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> length(0, 3000);
  std::uniform_int_distribution<int> max_tokens(100, 600);
  for (int round = 0; round < 60; ++round) {
    std::vector<std::string> pages(1 + round % 4);
    for (std::string& page : pages) {
      const int pieces = round % 5 == 0 ? length(rng) / 100 : length(rng);
      page = RandomText(rng, pieces, /*invalid=*/false);
    }
    ChunkingOptions options;
    options.max_tokens = max_tokens(rng);
    options.overlap_tokens =
        std::uniform_int_distribution<int>(0, options.max_tokens / 2)(rng);
    SCOPED_TRACE(absl::StrCat("round ", round, " max ", options.max_tokens,
                              " overlap ", options.overlap_tokens));
    const extract::Document doc = MakeDoc(pages);
    ExpectChunkingInvariants(doc, ChunkDocument(doc, options), options);
  }
}

}  // namespace
}  // namespace assistd::chunk
