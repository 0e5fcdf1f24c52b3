#include "services/gateway/multipart.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::gateway {
namespace {

using ::testing::HasSubstr;

struct Part {
  std::string name, filename, content_type, data;
  bool operator==(const Part& o) const {
    return name == o.name && filename == o.filename && content_type == o.content_type &&
           data == o.data;
  }
};

// Parses `body` fed in pieces of `piece` bytes (0: all at once).
absl::StatusOr<std::vector<Part>> Parse(const std::string& body, size_t piece = 0,
                                        const std::string& boundary = "XyZ") {
  std::vector<Part> parts;
  MultipartParser parser(
      boundary,
      [&](const MultipartPart& p) {
        parts.push_back({p.name, p.filename, p.content_type, ""});
        return true;
      },
      [&](absl::string_view data) {
        parts.back().data.append(data.data(), data.size());
        return true;
      });
  const size_t step = piece == 0 ? body.size() + 1 : piece;
  for (size_t at = 0; at < body.size(); at += step) {
    absl::Status s = parser.Feed(absl::string_view(body).substr(at, step));
    if (!s.ok()) return s;
  }
  if (absl::Status s = parser.Finish(); !s.ok()) return s;
  return parts;
}

const std::string kForm =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"purpose\"\r\n"
    "\r\n"
    "assistants\r\n"
    "--XyZ  \r\n"  // transport padding
    "content-disposition: form-data; name=\"file\"; filename=\"a;\\\"b\\\".bin\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "line1\r\n--XyQ not a boundary\r\n--Xy\r\n-XyZ\r\nend\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"empty\"\r\n"
    "\r\n"
    "\r\n"
    "--XyZ--";

const std::vector<Part> kParts = {
    {"purpose", "", "", "assistants"},
    {"file", "a;\"b\".bin", "application/octet-stream",
     "line1\r\n--XyQ not a boundary\r\n--Xy\r\n-XyZ\r\nend"},
    {"empty", "", "", ""},
};

TEST(MultipartParserTest, ParsesTheFormWhateverThePieces) {
  for (size_t piece : {0, 1, 2, 3, 5, 7, 13, 64}) {
    absl::StatusOr<std::vector<Part>> parts = Parse(kForm, piece);
    ASSERT_TRUE(parts.ok()) << piece << ": " << parts.status();
    EXPECT_EQ(*parts, kParts) << "pieces of " << piece;
  }
}

TEST(MultipartParserTest, EveryTwoWaySplitGivesTheSameParts) {
  for (size_t cut = 1; cut < kForm.size(); ++cut) {
    std::vector<Part> parts;
    MultipartParser parser(
        "XyZ",
        [&](const MultipartPart& p) {
          parts.push_back({p.name, p.filename, p.content_type, ""});
          return true;
        },
        [&](absl::string_view d) {
          parts.back().data.append(d.data(), d.size());
          return true;
        });
    ASSERT_TRUE(parser.Feed(kForm.substr(0, cut)).ok()) << cut;
    ASSERT_TRUE(parser.Feed(kForm.substr(cut)).ok()) << cut;
    ASSERT_TRUE(parser.Finish().ok()) << cut;
    EXPECT_EQ(parts, kParts) << "cut at " << cut;
  }
}

TEST(MultipartParserTest, TheCloseDelimiterMayEndWithCrlfAndAnEpilogue) {
  EXPECT_EQ(*Parse(kForm + "\r\n"), kParts);
  EXPECT_EQ(*Parse(kForm + "\r\nepilogue, ignored\r\n--XyZ\r\n"), kParts);
}

TEST(MultipartParserTest, ABodyCutShortIsAnError) {
  for (size_t len : {size_t{0}, size_t{10}, kForm.size() / 2, kForm.size() - 2}) {
    absl::StatusOr<std::vector<Part>> parts = Parse(kForm.substr(0, len));
    EXPECT_EQ(parts.status().code(), absl::StatusCode::kInvalidArgument) << len;
  }
}

TEST(MultipartParserTest, MalformedPartsAreErrors) {
  EXPECT_THAT(Parse("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--").status().message(),
              HasSubstr("without a Content-Disposition name"));
  EXPECT_THAT(Parse("--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--").status().message(),
              HasSubstr("without ':'"));
  EXPECT_THAT(Parse("--XyZ junk\r\n").status().message(), HasSubstr("text after a boundary"));
  EXPECT_THAT(Parse(std::string(20000, 'x')).status().message(),
              HasSubstr("ends before its closing boundary"));
  EXPECT_THAT(Parse("--XyZ\r\n" + std::string(20000, 'h')).status().message(),
              HasSubstr("too large"));
}

TEST(MultipartParserTest, ACallbackCanStopTheParser) {
  MultipartParser parser(
      "XyZ", [](const MultipartPart& p) { return p.name != "file"; },
      [](absl::string_view) { return true; });
  EXPECT_EQ(parser.Feed(kForm).code(), absl::StatusCode::kCancelled);
}

TEST(MultipartBoundaryTest, ReadsTheBoundaryParameter) {
  EXPECT_EQ(*MultipartBoundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(*MultipartBoundary("Multipart/Form-Data;charset=utf-8; Boundary=\"a b;c\""), "a b;c");
  EXPECT_THAT(MultipartBoundary("application/json").status().message(),
              HasSubstr("expected multipart/form-data"));
  EXPECT_FALSE(MultipartBoundary("multipart/form-data").ok());
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'b')).ok());
}

}  // namespace
}  // namespace assistd::gateway
