#include "common/utf8.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

constexpr char32_t kFffd = kReplacementChar;

using CharAndLength = std::pair<char32_t, size_t>;

CharAndLength Char(char32_t code_point, size_t length) {
  return {code_point, length};
}

// Decodes all of `s` front to back: (code point, length) per character, with
// an invalid character as (U+FFFD, length).
std::vector<CharAndLength> DecodeAll(absl::string_view s) {
  std::vector<CharAndLength> out;
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Char c = DecodeUtf8At(s, pos);
    EXPECT_EQ(c.valid,
              c.code_point != kFffd || s.substr(pos, 3) == "\xEF\xBF\xBD")
        << "at " << pos;
    out.emplace_back(c.code_point, c.length);
    pos += c.length;
  }
  return out;
}

std::string Encode(char32_t cp) {
  std::string out;
  AppendUtf8(cp, &out);
  return out;
}

// Expects `bytes` to start with one ill-formed sequence of `length` bytes.
void ExpectIllFormed(absl::string_view bytes, size_t length) {
  const Utf8Char c = DecodeUtf8At(bytes, 0);
  EXPECT_FALSE(c.valid);
  EXPECT_EQ(c.code_point, kFffd);
  EXPECT_EQ(c.length, length);
}

TEST(DecodeUtf8AtTest, DecodesOneToFourByteCharacters) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // aé€😀
  EXPECT_THAT(DecodeAll(text),
              ElementsAre(Char(U'a', 1), Char(U'\u00E9', 2), Char(U'\u20AC', 3),
                          Char(U'\U0001F600', 4)));
  const Utf8Char euro = DecodeUtf8At(text, 3);
  EXPECT_TRUE(euro.valid);
  EXPECT_EQ(euro.code_point, 0x20ACu);
}

TEST(DecodeUtf8AtTest, DecodesTheEdgesOfEachLength) {
  const struct {
    absl::string_view bytes;
    char32_t code_point;
  } kCases[] = {
      {absl::string_view("\0", 1), 0x0},
      {"\x7F", 0x7F},
      {"\xC2\x80", 0x80},
      {"\xDF\xBF", 0x7FF},
      {"\xE0\xA0\x80", 0x800},
      {"\xED\x9F\xBF", 0xD7FF},
      {"\xEE\x80\x80", 0xE000},
      {"\xEF\xBF\xBD", 0xFFFD},
      {"\xEF\xBF\xBF", 0xFFFF},
      {"\xF0\x90\x80\x80", 0x10000},
      {"\xF4\x8F\xBF\xBF", 0x10FFFF},
  };
  for (const auto& c : kCases) {
    const Utf8Char decoded = DecodeUtf8At(c.bytes, 0);
    EXPECT_TRUE(decoded.valid) << std::hex << c.code_point;
    EXPECT_EQ(decoded.code_point, c.code_point);
    EXPECT_EQ(decoded.length, c.bytes.size());
  }
}

TEST(DecodeUtf8AtTest, BytesThatCannotStartASequenceAreOneByteEach) {
  for (int b = 0x80; b <= 0xBF; ++b) {
    ExpectIllFormed(std::string(1, static_cast<char>(b)) + "\x80\x80", 1);
  }
  for (const char* lead : {"\xC0", "\xC1", "\xF5", "\xF7", "\xF8", "\xFF"}) {
    ExpectIllFormed(std::string(lead) + "\x80\x80\x80", 1);
  }
}

TEST(DecodeUtf8AtTest, OverlongFormsAreOneByte) {
  ExpectIllFormed("\xC0\xAF", 1);          // '/'
  ExpectIllFormed("\xC1\xBF", 1);          // U+007F
  ExpectIllFormed("\xE0\x80\xAF", 1);      // '/'
  ExpectIllFormed("\xE0\x9F\xBF", 1);      // U+07FF
  ExpectIllFormed("\xF0\x80\x80\xAF", 1);  // '/'
  ExpectIllFormed("\xF0\x8F\xBF\xBF", 1);  // U+FFFF
}

TEST(DecodeUtf8AtTest, SurrogatesAreOneByte) {
  ExpectIllFormed("\xED\xA0\x80", 1);  // U+D800
  ExpectIllFormed("\xED\xBF\xBF", 1);  // U+DFFF
  // CESU-8 for U+1F600: two encoded surrogates, six ill-formed bytes.
  EXPECT_EQ(DecodeAll("\xED\xA0\xBD\xED\xB8\x80").size(), 6u);
}

TEST(DecodeUtf8AtTest, ValuesPastU10FFFFAreOneByte) {
  ExpectIllFormed("\xF4\x90\x80\x80", 1);  // U+110000
  ExpectIllFormed("\xF4\xBF\xBF\xBF", 1);
  ExpectIllFormed("\xF7\xBF\xBF\xBF", 1);  // U+1FFFFF
}

TEST(DecodeUtf8AtTest, TruncatedSequencesAreTheirMaximalSubpart) {
  ExpectIllFormed("\xC3", 1);
  ExpectIllFormed("\xC3x", 1);
  ExpectIllFormed("\xE2\x82", 2);
  ExpectIllFormed("\xE2\x82x", 2);
  ExpectIllFormed("\xE2\x82\xC3\xA9", 2);
  ExpectIllFormed("\xF0\x9F", 2);
  ExpectIllFormed("\xF0\x9F\x98", 3);
  ExpectIllFormed("\xF0\x9F\x98x", 3);
  ExpectIllFormed("\xF4\x8F\xBF", 3);
  // The end of the view is the end, whatever follows in memory.
  ExpectIllFormed(absl::string_view("\xE2\x82\xAC", 2), 2);
}

// Unicode 15, Table 3-8: "U+FFFD for Non-Shortest Form Sequences" and the
// examples that follow it in section 3.9.
TEST(DecodeUtf8AtTest, FollowsUnicodeMaximalSubpartExample) {
  EXPECT_THAT(
      DecodeAll("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
      ElementsAre(Char(U'a', 1), Char(kFffd, 3), Char(kFffd, 2), Char(kFffd, 1),
                  Char(U'b', 1), Char(kFffd, 1), Char(U'c', 1), Char(kFffd, 1),
                  Char(kFffd, 1), Char(U'd', 1)));
  EXPECT_THAT(DecodeAll("\xC0\xAF\xE0\x80\xBF\xF0\x81\x82\x41"), SizeIs(9));
  EXPECT_THAT(DecodeAll("\xED\xA0\x80\xED\xBF\xBF\xED\xAF\x41"), SizeIs(9));
  EXPECT_THAT(DecodeAll("\xF4\x91\x92\x93\xFF\x41\x80\xBF\x42"), SizeIs(9));
  EXPECT_THAT(DecodeAll("\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41"),
              ElementsAre(Char(kFffd, 2), Char(kFffd, 1), Char(kFffd, 3),
                          Char(kFffd, 2), Char(U'A', 1)));
}

// Every two- and three-byte input, and every four-byte input whose trailing
// bytes are continuation bytes: exactly the scalar values of that length
// decode, each from its own encoding.
TEST(DecodeUtf8AtTest, AcceptsExactlyTheWellFormedSequences) {
  size_t valid2 = 0, valid3 = 0, valid4 = 0;
  std::string s(4, '\0');
  for (int b0 = 0x80; b0 <= 0xFF; ++b0) {
    s[0] = static_cast<char>(b0);
    for (int b1 = 0; b1 <= 0xFF; ++b1) {
      s[1] = static_cast<char>(b1);
      const Utf8Char two = DecodeUtf8At(absl::string_view(s.data(), 2), 0);
      if (two.valid) {
        ++valid2;
        ASSERT_EQ(Encode(two.code_point), s.substr(0, 2));
      }
      for (int b2 = 0; b2 <= 0xFF; ++b2) {
        s[2] = static_cast<char>(b2);
        const Utf8Char c = DecodeUtf8At(absl::string_view(s.data(), 3), 0);
        if (c.valid && c.length == 3) {
          ++valid3;
          ASSERT_EQ(Encode(c.code_point), s.substr(0, 3));
        }
        if (b0 < 0xF0 || b1 < 0x80 || b1 > 0xBF || b2 < 0x80 || b2 > 0xBF) {
          continue;
        }
        for (int b3 = 0x80; b3 <= 0xBF; ++b3) {
          s[3] = static_cast<char>(b3);
          const Utf8Char four = DecodeUtf8At(s, 0);
          if (four.valid) {
            ++valid4;
            ASSERT_EQ(Encode(four.code_point), s);
          }
        }
      }
    }
  }
  EXPECT_EQ(valid2, 0x800u - 0x80u);
  EXPECT_EQ(valid3, 0x10000u - 0x800u - 0x800u);  // less the surrogates
  EXPECT_EQ(valid4, 0x110000u - 0x10000u);
}

TEST(DecodeUtf8BeforeTest, WalksBackOverWellFormedText) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  std::vector<CharAndLength> backwards;
  for (size_t pos = text.size(); pos > 0;) {
    const Utf8Char c = DecodeUtf8Before(text, pos);
    EXPECT_TRUE(c.valid);
    backwards.insert(backwards.begin(), {c.code_point, c.length});
    pos -= c.length;
  }
  EXPECT_EQ(backwards, DecodeAll(text));
}

TEST(DecodeUtf8BeforeTest, IllFormedEndIsTheLastByte) {
  const auto expect_last_byte = [](absl::string_view s) {
    const Utf8Char c = DecodeUtf8Before(s, s.size());
    EXPECT_FALSE(c.valid) << s.size();
    EXPECT_EQ(c.code_point, kFffd);
    EXPECT_EQ(c.length, 1u);
  };
  expect_last_byte("\x80");
  expect_last_byte("a\xBF");
  expect_last_byte("\xC3");                  // a lead byte
  expect_last_byte("\xE2\x82");              // truncated
  expect_last_byte("\xC3\xA9\x80");          // one continuation too many
  expect_last_byte("\xF0\x9F\x98\x80\x80");  // one continuation too many
  expect_last_byte("\x80\x80\x80\x80\x80");  // more than four bytes back
  expect_last_byte("\xE0\x80\xAF");          // overlong
  expect_last_byte("\xED\xA0\x80");          // surrogate
  expect_last_byte("\xF4\x90\x80\x80");      // past U+10FFFF
}

TEST(DecodeUtf8BeforeTest, StopsAtPos) {
  const std::string text = "\xC3\xA9\xC3\xA9";
  const Utf8Char c = DecodeUtf8Before(text, 2);
  EXPECT_TRUE(c.valid);
  EXPECT_EQ(c.code_point, 0xE9u);
  EXPECT_EQ(c.length, 2u);
  EXPECT_FALSE(DecodeUtf8Before(text, 3).valid);  // inside the second é
}

TEST(AppendUtf8Test, EncodesTheEdgesOfEachLength) {
  EXPECT_EQ(Encode(0), std::string(1, '\0'));
  EXPECT_EQ(Encode(0x7F), "\x7F");
  EXPECT_EQ(Encode(0x80), "\xC2\x80");
  EXPECT_EQ(Encode(0x7FF), "\xDF\xBF");
  EXPECT_EQ(Encode(0x800), "\xE0\xA0\x80");
  EXPECT_EQ(Encode(0xD7FF), "\xED\x9F\xBF");
  EXPECT_EQ(Encode(0xE000), "\xEE\x80\x80");
  EXPECT_EQ(Encode(0xFFFF), "\xEF\xBF\xBF");
  EXPECT_EQ(Encode(0x10000), "\xF0\x90\x80\x80");
  EXPECT_EQ(Encode(0x10FFFF), "\xF4\x8F\xBF\xBF");
}

TEST(AppendUtf8Test, NonScalarValuesBecomeReplacementCharacter) {
  for (char32_t cp : {0xD800u, 0xDBFFu, 0xDC00u, 0xDFFFu, 0x110000u, 0x1FFFFFu,
                      0xFFFFFFFFu}) {
    EXPECT_EQ(Encode(cp), "\xEF\xBF\xBD") << std::hex << cp;
  }
}

TEST(AppendUtf8Test, AppendsToWhatIsThere) {
  std::string out = "x";
  AppendUtf8(0xE9, &out);
  AppendUtf8('y', &out);
  EXPECT_EQ(out, "x\xC3\xA9y");
}

TEST(Utf8RoundTripTest, EveryScalarValueSurvives) {
  std::string s;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp == 0xD800) cp = 0xE000;
    s.clear();
    AppendUtf8(cp, &s);
    const size_t expected = cp < 0x80      ? 1
                            : cp < 0x800   ? 2
                            : cp < 0x10000 ? 3
                                           : 4;
    ASSERT_EQ(s.size(), expected) << std::hex << cp;
    const Utf8Char forward = DecodeUtf8At(s, 0);
    ASSERT_TRUE(forward.valid) << std::hex << cp;
    ASSERT_EQ(forward.code_point, cp);
    ASSERT_EQ(forward.length, expected);
    const Utf8Char backward = DecodeUtf8Before(s, s.size());
    ASSERT_TRUE(backward.valid) << std::hex << cp;
    ASSERT_EQ(backward.code_point, cp);
    ASSERT_EQ(backward.length, expected);
  }
}

TEST(Utf8RoundTripTest, ReplacingInvalidCharactersGivesWellFormedText) {
  const std::string bytes =
      "ok \xC0\xAF \xE2\x82 \xED\xA0\x80 \xF4\x90\x80\x80 \xF0\x9F\x98 \xFF "
      "\xC3\xA9";
  std::string cleaned;
  for (size_t pos = 0; pos < bytes.size();) {
    const Utf8Char c = DecodeUtf8At(bytes, pos);
    AppendUtf8(c.code_point, &cleaned);
    pos += c.length;
  }
  for (size_t pos = 0; pos < cleaned.size();) {
    const Utf8Char c = DecodeUtf8At(cleaned, pos);
    ASSERT_TRUE(c.valid) << "at " << pos;
    pos += c.length;
  }
  EXPECT_EQ(cleaned,
            "ok \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD"
            "\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
            "\xEF\xBF\xBD \xEF\xBF\xBD \xC3\xA9");
}

}  // namespace
}  // namespace assistd
