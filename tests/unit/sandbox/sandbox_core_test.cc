#include "services/sandbox/sandbox_core.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::sandbox {
namespace {

std::vector<SessionFileInfo> Files(std::initializer_list<const char*> paths) {
  std::vector<SessionFileInfo> out;
  for (const char* p : paths) out.push_back(SessionFileInfo{p, 1, "", 0});
  return out;
}

std::vector<std::string> Paths(const FilePage& page) {
  std::vector<std::string> out;
  for (const auto& f : page.data) out.push_back(f.path);
  return out;
}

TEST(PageOfFilesTest, PagesByPathInEitherOrder) {
  PageParams p;
  p.limit = 2;
  p.order = SortOrder::kAsc;
  FilePage first = PageOfFiles(Files({"a", "b", "c", "d"}), p);
  EXPECT_THAT(Paths(first), ::testing::ElementsAre("a", "b"));
  EXPECT_TRUE(first.has_more);
  p.after = "b";
  FilePage second = PageOfFiles(Files({"a", "b", "c", "d"}), p);
  EXPECT_THAT(Paths(second), ::testing::ElementsAre("c", "d"));
  EXPECT_FALSE(second.has_more);
  PageParams desc;
  desc.limit = 3;
  EXPECT_THAT(Paths(PageOfFiles(Files({"a", "b", "c", "d"}), desc)),
              ::testing::ElementsAre("d", "c", "b"));
  PageParams before;
  before.limit = 1;
  before.order = SortOrder::kAsc;
  before.before = "c";
  EXPECT_THAT(Paths(PageOfFiles(Files({"a", "b", "c", "d"}), before)),
              ::testing::ElementsAre("b"));
}

}  // namespace
}  // namespace assistd::sandbox
