#ifndef ASSISTD_CLI_COMMAND_H_
#define ASSISTD_CLI_COMMAND_H_

// One assistctl subcommand: its words ("files list"), usage line, flags and
// handler. Each commands/*.cc returns its group's commands; main() picks
// the one whose words start the positional arguments.

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/interrupt.h"

namespace assistd::cli {

// What a handler gets besides its arguments. Borrowed: main() owns it all.
struct CommandEnv {
  const Client* client = nullptr;
  // --json: exactly one JSON document on stdout, nothing else there.
  bool json = false;
  // Set for interruptible commands; null otherwise.
  InterruptWatcher* interrupt = nullptr;
};

struct Command {
  using Handler = std::function<absl::Status(const CommandEnv& env, const Args& args,
                                             const std::vector<std::string>& operands)>;
  // The words that select it, e.g. "files list" or "ask".
  std::string words;
  // Its arguments after the words, e.g. "ID [--out PATH]".
  std::string usage;
  // What it does, in a few words.
  std::string summary;
  // Its own flags; the global ones (--addr, --project, ...) always work.
  std::set<std::string> flags;
  // How many operands (positional words after `words`) it takes;
  // max_operands -1 = no limit.
  int min_operands = 0;
  int max_operands = 0;
  // Ctrl-C is caught (CommandEnv::interrupt is set) so it can clean up.
  bool interruptible = false;
  Handler run;
};

// Flags that take no value, over all commands.
inline const std::set<std::string>& BooleanFlags() {
  static const std::set<std::string> flags = {"json", "keep", "wait", "help"};
  return flags;
}

// The paging flags of list commands (see paging.h).
inline const std::set<std::string>& PageFlags() {
  static const std::set<std::string> flags = {"limit", "after", "order"};
  return flags;
}

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_COMMAND_H_
