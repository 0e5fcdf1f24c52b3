#include "cli/output.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/progress.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::cli {
namespace {

using ::testing::HasSubstr;

TEST(TableTest, AlignsColumnsByCodePoints) {
  Table table({"ID", "NAME", "BYTES"});
  table.AddRow({"file-1", "résumé.pdf", "10"});
  table.AddRow({"file-22", "a", "2000"});
  EXPECT_EQ(table.Render(),
            "ID       NAME        BYTES\n"
            "file-1   résumé.pdf  10\n"
            "file-22  a           2000\n");
}

TEST(OutputTest, DetailsFlattenNestedValues) {
  const nlohmann::json object = {{"id", "vs_1"},
                                 {"file_counts", {{"completed", 2}}},
                                 {"tools", {{{"type", "file_search"}}}},
                                 {"created_at", 0}};
  const std::string details = RenderDetails(object);
  EXPECT_THAT(details, HasSubstr("file_counts.completed  2\n"));
  EXPECT_THAT(details, HasSubstr("tools[0].type          file_search\n"));
  EXPECT_THAT(details, HasSubstr("created_at             -\n"));
}

TEST(OutputTest, OneLineFlattensAndCuts) {
  EXPECT_EQ(OneLine("a\nb", 10), "a b");
  EXPECT_EQ(OneLine("ééééé", 3), "ééé...");
}

TEST(ProgressTest, RendersABar) {
  EXPECT_EQ(RenderProgress("indexing", 2, 4, "files", 8), "indexing 2/4 files [####    ]");
  EXPECT_EQ(RenderProgress("indexing", 0, 0, "files", 4), "indexing 0/0 files [    ]");
}

std::string Captured(bool redraw) {
  char* buffer = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buffer, &size);
  ProgressBar bar(out, "indexing", "files", redraw);
  bar.Update(0, 2);
  bar.Update(0, 2);
  bar.Update(1, 2);
  bar.Update(2, 2);
  bar.Finish();
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

TEST(ProgressTest, WritesOneLinePerChangeWhenNotATerminal) {
  const std::string text = Captured(false);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
  EXPECT_THAT(text, HasSubstr("indexing 1/2 files ["));
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(ProgressTest, RedrawsInPlaceOnATerminal) {
  const std::string text = Captured(true);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 3);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_THAT(text, HasSubstr("\r\033[Kindexing 2/2 files ["));
}

}  // namespace
}  // namespace assistd::cli
