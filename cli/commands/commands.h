#ifndef ASSISTD_CLI_COMMANDS_COMMANDS_H_
#define ASSISTD_CLI_COMMANDS_COMMANDS_H_

// The subcommands of assistctl, one group per file.

#include <vector>

#include "cli/command.h"

namespace assistd::cli {

std::vector<Command> HealthCommands();     // health, services
std::vector<Command> FileCommands();       // files ...
std::vector<Command> StoreCommands();      // stores ...
std::vector<Command> AssistantCommands();  // assistants ...
std::vector<Command> ThreadCommands();     // threads ...
std::vector<Command> AskCommands();        // ask
std::vector<Command> RunCommands();        // run

// Every command, in the order the usage text lists them.
std::vector<Command> AllCommands();

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_COMMANDS_COMMANDS_H_
