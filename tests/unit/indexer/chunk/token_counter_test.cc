#include "indexer/chunk/token_counter.h"

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/indexer/chunk/random_text.h"

namespace assistd::chunk {
namespace {

using ::assistd::testing::RandomText;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Ge;
using ::testing::Le;

// Ordinary English prose (about 260 words), the kind of text the estimate is
// calibrated for.
constexpr char kProse[] =
    "The history of the town begins with a small market on the river, where "
    "farmers from the surrounding valleys brought grain, wool and cheese to "
    "trade with merchants who came upstream by boat. Over the following "
    "centuries the market grew into a busy port, and the narrow streets "
    "around the harbour filled with warehouses, workshops and taverns.\n\n"
    "In the early nineteenth century a railway line reached the town, and "
    "with it came new industries. A textile mill opened near the old bridge, "
    "followed by a brewery, a foundry and a printing works. Families moved in "
    "from the countryside looking for work, and the population doubled in "
    "less than thirty years. Schools, churches and a public library were "
    "built to serve the growing community, many of them paid for by the "
    "owners of the mills.\n\n"
    "Today most of the factories have closed, but their buildings remain. "
    "Some have been turned into apartments, others into galleries, offices "
    "or restaurants. Visitors can walk along the river and read small signs "
    "that explain what each building was used for and who worked there. The "
    "market still takes place every Saturday morning, although the stalls "
    "now sell coffee, books and handmade jewellery as often as vegetables. "
    "Local historians have collected photographs, letters and diaries from "
    "the people who lived here, and an exhibition in the town hall tells "
    "their stories. It is a quiet place now, but if you listen carefully you "
    "can still imagine the noise of the looms and the voices of the traders "
    "on the quay.\n";

int CountWords(const std::string& text) {
  int words = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool is_word = c != ' ' && c != '\n' && c != '\t';
    if (is_word && !in_word) ++words;
    in_word = is_word;
  }
  return words;
}

// The tokens of `text` as strings, to read what the estimate does.
std::vector<std::string> Tokens(const std::string& text) {
  const std::vector<size_t> starts = TokenStarts(text);
  std::vector<std::string> tokens;
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t end = i + 1 < starts.size() ? starts[i + 1] : text.size();
    tokens.push_back(text.substr(starts[i], end - starts[i]));
  }
  return tokens;
}

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

TEST(CountTokensTest, EmptyTextHasNoTokens) {
  EXPECT_EQ(CountTokens(""), 0);
  EXPECT_TRUE(TokenStarts("").empty());
}

// Counts cl100k_base gives for these (OpenAI cookbook examples).
TEST(CountTokensTest, MatchesCl100kOnShortExamples) {
  EXPECT_EQ(CountTokens("hello world"), 2);
  EXPECT_EQ(CountTokens("The quick brown fox jumps over the lazy dog."), 10);
  EXPECT_EQ(CountTokens("2 + 2 = 4"), 7);
}

TEST(CountTokensTest, WordsCarryTheirLeadingSpace) {
  EXPECT_THAT(Tokens("hello world"), ElementsAre("hello", " world"));
  EXPECT_THAT(Tokens("It's done."), ElementsAre("It", "'s", " done", "."));
  EXPECT_THAT(Tokens("end.\n\nNext"), ElementsAre("end", ".\n\n", "Next"));
}

TEST(CountTokensTest, SplitsNumbersIntoThreeDigitGroups) {
  EXPECT_THAT(Tokens("1234567"), ElementsAre("123", "456", "7"));
  EXPECT_THAT(Tokens("in 2024"), ElementsAre("in", " ", "202", "4"));
}

// cl100k makes nearly every word of plain prose one token, so such text runs
// at about 5 characters (0.8-0.9 words) per token; the often quoted "4
// characters, 0.75 words" holds for text with rarer words, code and numbers.
TEST(CountTokensTest, EnglishProseIsFourToFiveCharactersPerToken) {
  const std::string prose = kProse;
  const int tokens = CountTokens(prose);
  const double chars_per_token = static_cast<double>(prose.size()) / tokens;
  const double words_per_token =
      static_cast<double>(CountWords(prose)) / tokens;
  EXPECT_THAT(chars_per_token, AllOf(Ge(3.5), Le(5.5)));
  EXPECT_THAT(words_per_token, AllOf(Ge(0.7), Le(0.95)));
}

TEST(CountTokensTest, LongWordsCostOneTokenPerTenLetters) {
  EXPECT_EQ(CountTokens("internationalization"), 2);
  EXPECT_EQ(CountTokens(std::string(1000, 'a')), 100);
  EXPECT_THAT(Tokens("JavaScript"), ElementsAre("Java", "Script"));
}

TEST(CountTokensTest, CjkCostsOneTokenPerCharacter) {
  // "这是一个测试句子。" (9 characters) and "日本語のテキスト" (8).
  EXPECT_EQ(CountTokens("\xE8\xBF\x99\xE6\x98\xAF\xE4\xB8\x80\xE4\xB8\xAA\xE6"
                        "\xB5\x8B\xE8\xAF\x95\xE5\x8F\xA5\xE5\xAD\x90\xE3\x80"
                        "\x82"),
            9);
  EXPECT_EQ(CountTokens("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3"
                        "\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88"),
            8);
}

TEST(CountTokensTest, CyrillicCostsAboutOneTokenPerTwoLetters) {
  // "Привет мир" = 6 + 3 letters: "Пр", "ив", "ет", " ми", "р".
  EXPECT_EQ(CountTokens("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 "
                        "\xD0\xBC\xD0\xB8\xD1\x80"),
            5);
}

TEST(CountTokensTest, WhitespaceAndPunctuationRunsAreNotFree) {
  EXPECT_EQ(CountTokens(std::string(80, ' ')), 10);
  EXPECT_EQ(CountTokens(std::string(40, '=')), 10);
  EXPECT_EQ(CountTokens(std::string(8, '\n')), 1);
}

TEST(TokenStartsTest, StartsAreIncreasingCharacterBoundaries) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const std::string text = RandomText(rng, 60, /*invalid=*/false);
    const std::vector<size_t> starts = TokenStarts(text);
    ASSERT_EQ(static_cast<int>(starts.size()), CountTokens(text));
    ASSERT_FALSE(starts.empty());
    EXPECT_EQ(starts[0], 0u);
    for (size_t i = 0; i < starts.size(); ++i) {
      if (i > 0) {
        EXPECT_LT(starts[i - 1], starts[i]);
      }
      EXPECT_LT(starts[i], text.size());
      EXPECT_FALSE(IsContinuationByte(text[starts[i]])) << "at " << starts[i];
    }
  }
}

TEST(TokenStartsTest, CountIsAdditiveAtTokenStarts) {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    const std::string text = RandomText(rng, 40, /*invalid=*/true);
    std::vector<size_t> starts = TokenStarts(text);
    starts.push_back(text.size());
    std::uniform_int_distribution<size_t> pick(0, starts.size() - 1);
    for (int cut = 0; cut < 20; ++cut) {
      size_t a = pick(rng), b = pick(rng);
      if (a > b) std::swap(a, b);
      const std::string piece = text.substr(starts[a], starts[b] - starts[a]);
      ASSERT_EQ(CountTokens(piece), static_cast<int>(b - a))
          << "text: \"" << text << "\" [" << starts[a] << ", " << starts[b]
          << ")";
      // The piece's own token starts are the whole text's, shifted.
      const std::vector<size_t> own = TokenStarts(piece);
      for (size_t i = 0; i < own.size(); ++i) {
        ASSERT_EQ(own[i] + starts[a], starts[a + i]);
      }
    }
  }
}

TEST(TokenStartsTest, InvalidUtf8DoesNotBreakCounting) {
  const std::string text = "a\xFF\xFE b\xE2\x82";
  EXPECT_EQ(static_cast<int>(TokenStarts(text).size()), CountTokens(text));
  EXPECT_GT(CountTokens(text), 0);
}

}  // namespace
}  // namespace assistd::chunk
