#include "services/orchestrator/model/sse_parser.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::model {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> ParseInPieces(const std::string& body, size_t piece) {
  std::vector<std::string> events;
  SseParser parser([&events](absl::string_view data) {
    events.emplace_back(data);
    return true;
  });
  for (size_t pos = 0; pos < body.size(); pos += piece) {
    EXPECT_TRUE(parser.Feed(absl::string_view(body).substr(pos, piece)));
  }
  EXPECT_TRUE(parser.Finish());
  return events;
}

TEST(SseParserTest, SplitsEventsOnBlankLines) {
  const std::string body =
      "data: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n";
  EXPECT_THAT(ParseInPieces(body, body.size()),
              ElementsAre("{\"a\":1}", "{\"b\":2}", "[DONE]"));
}

TEST(SseParserTest, GivesTheSameEventsForEveryChunkSize) {
  const std::string body =
      ": keep-alive comment\r\n\r\nevent: message\r\ndata: "
      "one\r\ndata:two\r\n\r\n"
      "id: 7\rdata: three\r\rretry: 10\n\ndata: four";
  for (size_t piece = 1; piece <= body.size(); ++piece) {
    EXPECT_THAT(ParseInPieces(body, piece),
                ElementsAre("one\ntwo", "three", "four"))
        << "piece size " << piece;
  }
}

TEST(SseParserTest, IgnoresFieldsThatOnlyStartWithData) {
  EXPECT_THAT(ParseInPieces("database: x\n\ndata\n\n", 3), ElementsAre(""));
}

TEST(SseParserTest, StopsWhenTheHandlerSaysSo) {
  int calls = 0;
  SseParser parser([&calls](absl::string_view) { return ++calls < 2; });
  EXPECT_FALSE(parser.Feed("data: 1\n\ndata: 2\n\ndata: 3\n\n"));
  EXPECT_EQ(calls, 2);
  EXPECT_FALSE(parser.Feed("data: 4\n\n"));
  EXPECT_FALSE(parser.Finish());
}

}  // namespace
}  // namespace assistd::model
