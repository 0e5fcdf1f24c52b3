#include "cli/args.h"

#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/dispatch.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd::cli {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::IsOkAndHolds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::StatusOr<Args> Parse(std::vector<std::string> argv) {
  return Args::Parse(argv, BooleanFlags());
}

TEST(ArgsTest, TakesFlagsAnywhereAndKeepsRepeatedOnes) {
  ASSERT_OK_AND_ASSIGN(Args args, Parse({"--addr", "h:1", "ask", "--file", "a.pdf", "--json",
                                         "--file=b.txt", "what", "now"}));
  EXPECT_THAT(args.positional(), ElementsAre("ask", "what", "now"));
  EXPECT_THAT(args.GetAll("file"), ElementsAre("a.pdf", "b.txt"));
  EXPECT_EQ(args.Get("file"), "b.txt");
  EXPECT_EQ(args.Get("addr"), "h:1");
  EXPECT_THAT(args.GetBool("json"), IsOkAndHolds(true));
  EXPECT_THAT(args.GetBool("keep"), IsOkAndHolds(false));
}

TEST(ArgsTest, DoubleDashEndsTheFlags) {
  ASSERT_OK_AND_ASSIGN(Args args, Parse({"ask", "--", "--not-a-flag", "-h"}));
  EXPECT_THAT(args.positional(), ElementsAre("ask", "--not-a-flag", "-h"));
  EXPECT_FALSE(args.Has("help"));
}

TEST(ArgsTest, MalformedLinesAreUsageErrors) {
  absl::StatusOr<Args> missing = Parse({"files", "list", "--limit"});
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(IsUsageError(missing.status()));
  EXPECT_THAT(missing.status().message(), HasSubstr("--limit"));

  ASSERT_OK_AND_ASSIGN(Args args, Parse({"--limit", "ten", "--json=maybe"}));
  EXPECT_TRUE(IsUsageError(args.GetInt("limit", 0, 1, 100).status()));
  EXPECT_TRUE(IsUsageError(args.GetBool("json").status()));
  EXPECT_FALSE(IsUsageError(absl::InvalidArgumentError("from the server")));
}

TEST(ArgsTest, CheckAllowedNamesTheUnknownFlag) {
  ASSERT_OK_AND_ASSIGN(Args args, Parse({"--limit", "5", "--bogus", "x"}));
  EXPECT_THAT(args.CheckAllowed({"limit", "bogus"}), IsOk());
  absl::Status status = args.CheckAllowed({"limit"});
  EXPECT_TRUE(IsUsageError(status));
  EXPECT_THAT(status.message(), HasSubstr("--bogus"));
}

std::vector<Command> FakeCommands() {
  Command::Handler none = [](const CommandEnv&, const Args&, const std::vector<std::string>&) {
    return absl::OkStatus();
  };
  return {{"files list", "", "list", {"limit"}, 0, 0, false, none},
          {"files get", "ID", "get", {}, 1, 1, false, none},
          {"ask", "QUESTION", "ask", {"file"}, 1, -1, true, none}};
}

TEST(DispatchTest, PicksTheCommandByItsWords) {
  const std::vector<Command> commands = FakeCommands();
  ASSERT_OK_AND_ASSIGN(Args args, Parse({"files", "get", "file-1", "--json"}));
  ASSERT_OK_AND_ASSIGN(Selected s, SelectCommand(commands, args.positional(), args));
  EXPECT_EQ(s.command->words, "files get");
  EXPECT_THAT(s.operands, ElementsAre("file-1"));

  ASSERT_OK_AND_ASSIGN(args, Parse({"ask", "how", "are", "you"}));
  ASSERT_OK_AND_ASSIGN(s, SelectCommand(commands, args.positional(), args));
  EXPECT_THAT(s.operands, ElementsAre("how", "are", "you"));
  ASSERT_OK_AND_ASSIGN(args, Parse({"files", "list"}));
  ASSERT_OK_AND_ASSIGN(s, SelectCommand(commands, args.positional(), args));
  EXPECT_THAT(s.operands, IsEmpty());
}

TEST(DispatchTest, RejectsUnknownCommandsFlagsAndArgumentCounts) {
  const std::vector<Command> commands = FakeCommands();
  for (std::vector<std::string> line : {std::vector<std::string>{"files", "frob"},
                                        {"files", "get"},
                                        {"files", "get", "a", "b"},
                                        {"files", "list", "--file", "x"},
                                        {"ask"},
                                        {}}) {
    ASSERT_OK_AND_ASSIGN(Args args, Parse(line));
    absl::StatusOr<Selected> s = SelectCommand(commands, args.positional(), args);
    EXPECT_TRUE(!s.ok() && IsUsageError(s.status())) << ::testing::PrintToString(line);
  }
  EXPECT_THAT(GroupUsage(commands, "files"), HasSubstr("assistctl files get ID"));
  EXPECT_THAT(FullUsage(commands), HasSubstr("--project"));
}

}  // namespace
}  // namespace assistd::cli
