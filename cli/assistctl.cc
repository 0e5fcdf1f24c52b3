// assistctl: the command-line client for assistd over gRPC. Run
// `assistctl --help` for the commands; cli/commands/ has one file per group.
//
// Exit status: 0 ok, 1 error ("assistctl: <what>: <message>" on stderr),
// 2 usage error (with the usage), 130 interrupted.

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands/commands.h"
#include "cli/dispatch.h"
#include "cli/interrupt.h"

namespace assistd::cli {
namespace {

std::string FlagOrEnv(const Args& args, const char* flag, const char* env, const char* fallback) {
  if (args.Has(flag)) return args.Get(flag);
  const char* value = std::getenv(env);
  return value != nullptr && *value != '\0' ? value : fallback;
}

absl::StatusOr<ClientOptions> ClientOptionsFrom(const Args& args) {
  ClientOptions options;
  options.addr = FlagOrEnv(args, "addr", "ASSISTCTL_ADDR", "127.0.0.1:50051");
  options.project = FlagOrEnv(args, "project", "ASSISTCTL_PROJECT", "default");
  // Only from the environment: a flag would show the key in `ps`.
  if (const char* key = std::getenv("ASSISTCTL_API_KEY"); key != nullptr) options.api_key = key;
  if (args.Has("timeout") && (!absl::ParseDuration(args.Get("timeout"), &options.timeout) ||
                              options.timeout <= absl::ZeroDuration())) {
    return UsageError(
        absl::StrCat("--timeout takes a duration like 30s, not '", args.Get("timeout"), "'"));
  }
  return options;
}

int UsageExit(const absl::Status& status, const std::vector<Command>& commands,
              const std::vector<std::string>& positional) {
  std::fprintf(stderr, "assistctl: %s\n", std::string(status.message()).c_str());
  const std::string group = positional.empty() ? "" : GroupUsage(commands, positional[0]);
  if (group.empty()) {
    std::fputs(FullUsage(commands).c_str(), stderr);
  } else {
    std::fprintf(stderr, "usage:\n%s(assistctl --help lists every command)\n", group.c_str());
  }
  return 2;
}

int Execute(const Command& command, const Args& args, const std::vector<std::string>& operands,
            const ClientOptions& options, bool json) {
  // Before the channel: the watcher must be the first thread.
  std::unique_ptr<InterruptWatcher> watcher;
  if (command.interruptible) watcher = InterruptWatcher::Start();
  Client client(options);
  const absl::Status status = command.run({&client, json, watcher.get()}, args, operands);
  if (status.ok()) return 0;
  if (IsUsageError(status)) {
    std::fprintf(stderr, "assistctl: %s\nusage: %s\n", std::string(status.message()).c_str(),
                 CommandUsage(command).c_str());
    return 2;
  }
  std::fprintf(stderr, "assistctl: %s\n", std::string(status.message()).c_str());
  return watcher != nullptr && watcher->interrupted() ? 130 : 1;
}

int Main(int argc, char** argv) {
  const std::vector<Command> commands = AllCommands();
  absl::StatusOr<Args> args =
      Args::Parse(std::vector<std::string>(argv + 1, argv + argc), BooleanFlags());
  if (!args.ok()) return UsageExit(args.status(), commands, {});
  if (args->Has("help") || args->positional().empty()) {
    std::fputs(FullUsage(commands).c_str(), args->Has("help") ? stdout : stderr);
    return args->Has("help") ? 0 : 2;
  }
  absl::StatusOr<Selected> selected = SelectCommand(commands, args->positional(), *args);
  if (!selected.ok()) return UsageExit(selected.status(), commands, args->positional());
  absl::StatusOr<ClientOptions> options = ClientOptionsFrom(*args);
  absl::StatusOr<bool> json = args->GetBool("json");
  if (!options.ok() || !json.ok()) {
    return UsageExit(options.ok() ? json.status() : options.status(), commands, args->positional());
  }
  return Execute(*selected->command, *args, selected->operands, *options, *json);
}

}  // namespace
}  // namespace assistd::cli

int main(int argc, char** argv) { return assistd::cli::Main(argc, argv); }
