#include "cli/commands/commands.h"

namespace assistd::cli {

std::vector<Command> AllCommands() {
  std::vector<Command> all;
  for (auto group : {AskCommands, RunCommands, FileCommands, StoreCommands, AssistantCommands,
                     ThreadCommands, HealthCommands}) {
    for (Command& c : group()) all.push_back(std::move(c));
  }
  return all;
}

}  // namespace assistd::cli
