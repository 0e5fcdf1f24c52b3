#include "indexer/extract/text_cleanup.h"

#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::extract {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

// A byte-order mark, then `units` in the given byte order.
std::string Utf16(std::u16string_view units, bool big_endian) {
  std::string bytes = big_endian ? "\xFE\xFF" : "\xFF\xFE";
  for (const char16_t unit : units) {
    const char high = static_cast<char>(unit >> 8);
    const char low = static_cast<char>(unit & 0xFF);
    bytes += big_endian ? std::string{high, low} : std::string{low, high};
  }
  return bytes;
}

TEST(DecodeToUtf8Test, PassesValidUtf8Through) {
  EXPECT_EQ(DecodeToUtf8("plain caf\xC3\xA9 \xF0\x9F\x98\x80"),
            "plain caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(DecodeToUtf8Test, DropsUtf8Bom) {
  EXPECT_EQ(DecodeToUtf8("\xEF\xBB\xBFhello"), "hello");
}

TEST(DecodeToUtf8Test, DecodesUtf16InBothByteOrders) {
  EXPECT_EQ(DecodeToUtf8(std::string("\xFF\xFEH\0", 4)), "H");
  EXPECT_EQ(DecodeToUtf8(std::string("\xFE\xFF\0H", 4)), "H");
  for (const bool big_endian : {false, true}) {
    EXPECT_EQ(DecodeToUtf8(Utf16(u"H\u00E9\U0001F600", big_endian)),
              "H\xC3\xA9\xF0\x9F\x98\x80")
        << "big endian: " << big_endian;
  }
}

TEST(DecodeToUtf8Test, ReplacesLoneSurrogatesAndOddTrailingByte) {
  // A high surrogate followed by "A", a lone low surrogate, one stray byte.
  const std::u16string units = {0xD83D, u'A', 0xDE00};
  EXPECT_EQ(DecodeToUtf8(Utf16(units, false) + "B"),
            kFffd + "A" + kFffd + kFffd);
}

TEST(DecodeToUtf8Test, ReplacesInvalidBytes) {
  EXPECT_EQ(DecodeToUtf8("a\xFF"
                         "b\x80"
                         "c"),
            "a" + kFffd + "b" + kFffd + "c");
}

TEST(SanitizeUtf8Test, ReplacesOverlongSurrogateAndOutOfRangeForms) {
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), kFffd + kFffd);  // overlong '/'
  EXPECT_EQ(SanitizeUtf8("\xE0\x80\xAF"), kFffd + kFffd + kFffd);
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);  // D800
  EXPECT_EQ(SanitizeUtf8("\xF4\x90\x80\x80"),                      // > 10FFFF
            kFffd + kFffd + kFffd + kFffd);
}

TEST(SanitizeUtf8Test, ReplacesTruncatedSequenceOnce) {
  EXPECT_EQ(SanitizeUtf8("ab\xE2\x82"), "ab" + kFffd);
  EXPECT_EQ(SanitizeUtf8("\xE2\x82x"), kFffd + "x");
}

TEST(SanitizeUtf8Test, KeepsValidTextAndExistingReplacementCharacters) {
  const std::string text = "ok \xE2\x82\xAC " + kFffd + " \xF4\x8F\xBF\xBF";
  EXPECT_EQ(SanitizeUtf8(text), text);
}

TEST(CleanExtractedTextTest, NormalizesLineEnds) {
  EXPECT_EQ(CleanExtractedText("a\r\nb\rc\fd"), "a\nb\nc\nd");
}

TEST(CleanExtractedTextTest, RemovesControlCharactersButKeepsTabAndNewline) {
  EXPECT_EQ(CleanExtractedText(std::string("a\x01\x00"
                                           "b\x1B\x7F",
                                           6) +
                               "\xC2\x85"
                               "c\td\n"),
            "abc\td\n");
}

TEST(CleanExtractedTextTest, RemovesByteOrderMarksAndNonCharacters) {
  EXPECT_EQ(CleanExtractedText("a\xEF\xBB\xBF"
                               "b\xEF\xBF\xBE"
                               "c\xEF\xBF\xBF"),
            "abc");
}

TEST(CleanExtractedTextTest, JoinsWordHyphenatedAtLineEnd) {
  EXPECT_EQ(CleanExtractedText("an exam-\nple here"), "an example here");
  EXPECT_EQ(CleanExtractedText("Stra-\n\xC3\x9F"
                               "e"),
            "Stra\xC3\x9F"
            "e");
  EXPECT_EQ(CleanExtractedText("multi-\nhyphen-\nated"), "multihyphenated");
}

TEST(CleanExtractedTextTest, DoesNotJoinBeforeUppercaseOrNonLetters) {
  EXPECT_EQ(CleanExtractedText("Jean-\nPaul"), "Jean-\nPaul");
  EXPECT_EQ(CleanExtractedText("pages 10-\n12"), "pages 10-\n12");
  EXPECT_EQ(CleanExtractedText("item -\nnext"), "item -\nnext");
  EXPECT_EQ(CleanExtractedText("-\nlist"), "-\nlist");
}

TEST(CleanExtractedTextTest, JoinsAcrossTrailingSpaces) {
  EXPECT_EQ(CleanExtractedText("exam-  \nple"), "example");
}

TEST(CleanExtractedTextTest, HandlesSoftHyphens) {
  EXPECT_EQ(CleanExtractedText("exam\xC2\xAD\nple"), "example");
  EXPECT_EQ(CleanExtractedText("co\xC2\xAD"
                               "op"),
            "coop");
  EXPECT_EQ(CleanExtractedText("end\xC2\xAD\nNext"), "end\nNext");
}

TEST(CleanExtractedTextTest, JoinsByDefault) {
  EXPECT_TRUE(CleanupOptions().join_hyphenated_words);
  EXPECT_EQ(CleanExtractedText("exam-\nple", CleanupOptions()), "example");
}

TEST(CleanExtractedTextTest, KeepsLineBreaksWhenJoiningIsOff) {
  CleanupOptions options;
  options.join_hyphenated_words = false;
  EXPECT_EQ(CleanExtractedText("foo-\nbar", options), "foo-\nbar");
  EXPECT_EQ(CleanExtractedText("x = a-\r\nb;  \r\nid-\n\tvalue", options),
            "x = a-\nb;\nid-\n\tvalue");
  EXPECT_EQ(CleanExtractedText("exam\xE2\x80\x90\nple", options),
            "exam\xE2\x80\x90\nple");
  // Soft hyphens are still dropped; the line break stays.
  EXPECT_EQ(CleanExtractedText("exam\xC2\xAD\nple", options), "exam\nple");
}

TEST(CleanExtractedTextTest, DropsTrailingSpacesAndCollapsesBlankLines) {
  EXPECT_EQ(CleanExtractedText("a  \t\nb \n\n\n\n\n\nc\n\nd"),
            "a\nb\n\n\nc\n\nd");
}

TEST(CleanExtractedTextTest, ReplacesInvalidUtf8) {
  EXPECT_EQ(CleanExtractedText("a\xFF"
                               "b"),
            "a" + kFffd + "b");
}

TEST(CleanExtractedTextTest, EmptyStaysEmpty) {
  EXPECT_EQ(CleanExtractedText(""), "");
}

}  // namespace
}  // namespace assistd::extract
