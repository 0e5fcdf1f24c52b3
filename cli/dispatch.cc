#include "cli/dispatch.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace assistd::cli {
namespace {

bool StartsWithWords(const std::vector<std::string>& positional,
                     const std::vector<std::string>& words) {
  if (positional.size() < words.size()) return false;
  for (size_t i = 0; i < words.size(); ++i) {
    if (positional[i] != words[i]) return false;
  }
  return true;
}

absl::Status CheckOperands(const Command& c, size_t count) {
  if (count < static_cast<size_t>(c.min_operands)) {
    return UsageError(absl::StrCat(c.words, ": missing arguments"));
  }
  if (c.max_operands >= 0 && count > static_cast<size_t>(c.max_operands)) {
    return UsageError(absl::StrCat(c.words, ": too many arguments"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Selected> SelectCommand(absl::Span<const Command> commands,
                                       const std::vector<std::string>& positional,
                                       const Args& args) {
  if (positional.empty()) return UsageError("no command given");
  Selected selected;
  size_t matched = 0;
  for (const Command& c : commands) {
    const std::vector<std::string> words = absl::StrSplit(c.words, ' ');
    if (words.size() > matched && StartsWithWords(positional, words)) {
      selected.command = &c;
      matched = words.size();
    }
  }
  if (selected.command == nullptr) {
    return UsageError(absl::StrCat("unknown command '", absl::StrJoin(positional, " "), "'"));
  }
  selected.operands.assign(positional.begin() + matched, positional.end());
  std::set<std::string> allowed = GlobalFlags();
  allowed.insert(selected.command->flags.begin(), selected.command->flags.end());
  RETURN_IF_ERROR(args.CheckAllowed(allowed));
  RETURN_IF_ERROR(CheckOperands(*selected.command, selected.operands.size()));
  return selected;
}

std::string CommandUsage(const Command& command) {
  return absl::StrCat("assistctl ", command.words, command.usage.empty() ? "" : " ", command.usage);
}

std::string GroupUsage(absl::Span<const Command> commands, const std::string& group) {
  std::string out;
  for (const Command& c : commands) {
    if (c.words == group || absl::StartsWith(c.words, group + " ")) {
      absl::StrAppend(&out, "  ", CommandUsage(c), "\n");
    }
  }
  return out;
}

std::string FullUsage(absl::Span<const Command> commands) {
  std::string out =
      "usage: assistctl [--addr HOST:PORT] [--project P] [--timeout D] [--json] COMMAND ...\n"
      "\ncommands:\n";
  for (const Command& c : commands) {
    absl::StrAppend(&out, "  ", c.words, c.usage.empty() ? "" : " ", c.usage, "\n      ", c.summary,
                    "\n");
  }
  absl::StrAppend(
      &out,
      "\nglobal flags (anywhere on the line):\n"
      "  --addr HOST:PORT  assistd's gRPC address (env ASSISTCTL_ADDR; default 127.0.0.1:50051)\n"
      "  --project P       project of every call (env ASSISTCTL_PROJECT; default \"default\")\n"
      "  --timeout D       deadline of each unary call, e.g. 30s (streams have none)\n"
      "  --json            print exactly one JSON document on stdout, for scripts\n"
      "API key: env ASSISTCTL_API_KEY (sent as authorization: Bearer; servers with --auth=keys)\n"
      "\nexit status: 0 ok, 1 error (message on stderr), 2 usage error, 130 interrupted\n");
  return out;
}

}  // namespace assistd::cli
