#include "sandbox/kernel/protocol.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/kernel/zygote_protocol.h"
#include "tests/util/status_matchers.h"

namespace assistd::sandbox {
namespace {

using ::assistd::testing::StatusIs;
using ::testing::ElementsAre;

TEST(FrameReaderTest, ReassemblesFramesSplitAnywhere) {
  const std::string wire = EncodeFrame(FrameKind::kError, {"E", "", "tb1"}) +
                           EncodeFrame(FrameKind::kDone, {});
  FrameReader reader(1 << 10);
  std::vector<Frame> frames;
  for (char c : wire) {
    reader.Append(std::string(1, c));
    auto f = reader.Next();
    ASSERT_TRUE(f.ok());
    if (f->has_value()) frames.push_back(**f);
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].kind, FrameKind::kError);
  EXPECT_THAT(frames[0].fields, ElementsAre("E", "", "tb1"));
  EXPECT_EQ(frames[1].kind, FrameKind::kDone);
}

TEST(FrameReaderTest, RejectsOversizedUnknownAndTruncatedFrames) {
  FrameReader small(8);
  small.Append(EncodeFrame(FrameKind::kResult, {"far too long for eight bytes"}));
  EXPECT_THAT(small.Next(), StatusIs(absl::StatusCode::kDataLoss));
  FrameReader unknown(1 << 10);
  unknown.Append(std::string("\x01\x00\x00\x00\x63", 5));
  EXPECT_THAT(unknown.Next(), StatusIs(absl::StatusCode::kDataLoss));
  FrameReader bad_field(1 << 10);
  bad_field.Append(std::string("\x06\x00\x00\x00\x03\xff\x00\x00\x00\x00", 10).substr(0, 10));
  EXPECT_THAT(bad_field.Next(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ZygoteProtocolTest, SpawnRequestRoundTrips) {
  SpawnRequest r;
  r.id = 7;
  r.jail.use_namespaces = true;
  r.jail.outside_uid_base = 200010;
  r.jail.root.tmp_bytes = 123;
  r.jail.root.data_dir = "/s/d";
  r.jail.root.new_root_dir = "/s/r";
  r.jail.rlimits.file_bytes = 9;
  r.jail.cgroup_procs_files = {"/a/cgroup.procs", "/b/cgroup.procs"};
  ASSERT_OK_AND_ASSIGN(SpawnRequest back, DecodeSpawn(EncodeSpawn(r)));
  EXPECT_EQ(back.id, 7u);
  EXPECT_EQ(back.jail.outside_uid_base, 200010u);
  EXPECT_EQ(back.jail.root.data_dir, "/s/d");
  EXPECT_EQ(back.jail.root.new_root_dir, "/s/r");
  EXPECT_EQ(back.jail.rlimits.file_bytes, 9);
  EXPECT_EQ(back.jail.cgroup_procs_files, r.jail.cgroup_procs_files);
  EXPECT_THAT(DecodeSpawn({"spawn", "x"}), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace assistd::sandbox
