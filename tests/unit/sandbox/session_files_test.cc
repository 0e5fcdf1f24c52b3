#include "sandbox/session_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/kernel/session_process.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::sandbox {
namespace {

using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::testing::HasSubstr;

void Write(const std::string& path, const std::string& data) { std::ofstream(path) << data; }

TEST(ValidateSessionPathTest, AcceptsRelativePathsAndRejectsTheRest) {
  EXPECT_OK(ValidateSessionPath("a/b.csv", "path"));
  EXPECT_OK(ValidateSessionPath("new\nline", "path"));
  for (const std::string& bad : {std::string(""), std::string("/abs"), std::string(".."),
                                 std::string("a/./b"), std::string("a//b"), std::string("a/"),
                                 std::string("x\0y", 3), std::string(256, 'n'),
                                 std::string("\xc3"), std::string(20, 'a').replace(1, 0, "")}) {
    if (bad == std::string(20, 'a')) continue;
    EXPECT_THAT(ValidateSessionPath(bad, "path"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'path'")))
        << bad;
  }
  std::string deep;
  for (int i = 0; i < 17; ++i) deep += "d/";
  EXPECT_THAT(ValidateSessionPath(deep + "f", "path"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

class SessionDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(disk_, SessionDisk::Open(dir_.path(), getuid(), getgid()));
  }
  TempDir dir_;
  std::unique_ptr<SessionDisk> disk_;
};

TEST_F(SessionDiskTest, ReadsRegularFilesWithTheirHash) {
  Write(dir_.File("a.txt"), "abc");
  ASSERT_OK_AND_ASSIGN(auto f, disk_->OpenForRead("a.txt", "path"));
  EXPECT_EQ(f->info().bytes, 3);
  EXPECT_EQ(f->info().sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_THAT(f->Read(10), ::assistd::testing::IsOkAndHolds(std::string("abc")));
}

TEST_F(SessionDiskTest, RefusesSymlinksHardLinksAndSpecialFiles) {
  Write(dir_.File("real"), "x");
  ASSERT_EQ(symlink("/etc/passwd", dir_.File("link").c_str()), 0);
  ASSERT_EQ(symlink("/etc", dir_.File("dirlink").c_str()), 0);
  ASSERT_EQ(link(dir_.File("real").c_str(), dir_.File("hard").c_str()), 0);
  ASSERT_EQ(mkfifo(dir_.File("fifo").c_str(), 0600), 0);
  EXPECT_THAT(disk_->OpenForRead("link", "path"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(disk_->OpenForRead("dirlink/passwd", "path"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(disk_->OpenForRead("hard", "path"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(disk_->OpenForRead("fifo", "path"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(disk_->OpenForRead("missing", "path"), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto files, disk_->List());
  EXPECT_TRUE(files.empty());  // "real" has two links now
}

TEST_F(SessionDiskTest, WritesAtomicallyAndNeverThroughASymlink) {
  const std::string outside = dir_.File("outside");
  Write(outside, "keep");
  ASSERT_EQ(mkdir(dir_.File("disk").c_str(), 0755), 0);
  ASSERT_OK_AND_ASSIGN(auto disk, SessionDisk::Open(dir_.File("disk"), getuid(), getgid()));
  ASSERT_EQ(symlink(outside.c_str(), dir_.File("disk/t").c_str()), 0);
  ASSERT_OK_AND_ASSIGN(auto w, disk->BeginWrite("t", "header.path", 100));
  ASSERT_OK(w->Append("new"));
  ASSERT_OK_AND_ASSIGN(SessionFileInfo info, w->Commit());
  EXPECT_EQ(info.bytes, 3);
  std::ifstream in(outside);
  std::string kept;
  in >> kept;
  EXPECT_EQ(kept, "keep");
  ASSERT_OK_AND_ASSIGN(auto nested, disk->BeginWrite("a/b/c.txt", "header.path", 100));
  ASSERT_OK(nested->Append("1"));
  ASSERT_OK(nested->Commit().status());
  ASSERT_OK_AND_ASSIGN(auto files, disk->List());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "a/b/c.txt");
  ASSERT_OK_AND_ASSIGN(auto big, disk->BeginWrite("big", "header.path", 2));
  EXPECT_THAT(big->Append("123"), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(SanitizeUtf8Test, KeepsSplitCharactersAndReplacesInvalidBytes) {
  std::string carry;
  EXPECT_EQ(SanitizeUtf8("a\xc3", &carry, false), "a");
  EXPECT_EQ(SanitizeUtf8("\xa9z", &carry, false), "\xc3\xa9z");
  EXPECT_EQ(SanitizeUtf8("\xff", &carry, false), "\xef\xbf\xbd");
  EXPECT_EQ(SanitizeUtf8("\xe2\x82", &carry, true), "\xef\xbf\xbd");
}

}  // namespace
}  // namespace assistd::sandbox
