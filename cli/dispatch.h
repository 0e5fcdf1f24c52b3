#ifndef ASSISTD_CLI_DISPATCH_H_
#define ASSISTD_CLI_DISPATCH_H_

// Choosing the command from the positional words, and the usage text.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "cli/command.h"

namespace assistd::cli {

// Flags every command accepts.
inline const std::set<std::string>& GlobalFlags() {
  static const std::set<std::string> flags = {"addr", "project", "timeout", "json", "help"};
  return flags;
}

// A command and its operands (the positional words after its own).
struct Selected {
  const Command* command = nullptr;
  std::vector<std::string> operands;
};

// The command whose words begin `positional`, with its flags and operand
// count checked. UsageError naming the problem otherwise.
absl::StatusOr<Selected> SelectCommand(absl::Span<const Command> commands,
                                       const std::vector<std::string>& positional,
                                       const Args& args);

// Everything: synopsis, each command with its summary, the global flags.
std::string FullUsage(absl::Span<const Command> commands);
// "assistctl <words> <usage>".
std::string CommandUsage(const Command& command);
// The usage lines of the commands starting with `group` ("files"); empty if
// there are none.
std::string GroupUsage(absl::Span<const Command> commands, const std::string& group);

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_DISPATCH_H_
