#include "services/assistd/keys_command.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "services/auth/key_store.h"

namespace assistd {
namespace {

constexpr char kUsage[] =
    "usage: assistd keys create --project NAME [--name LABEL] [--data_dir DIR]\n"
    "       assistd keys list [--data_dir DIR]\n"
    "       assistd keys revoke ID|PREFIX [--data_dir DIR]\n";

struct KeysArgs {
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;  // "project" -> "A"
};

// "--flag=value" or "--flag value"; InvalidArgument on an unknown flag.
absl::StatusOr<KeysArgs> ParseArgs(int argc, char** argv) {
  KeysArgs args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!absl::StartsWith(arg, "--")) {
      if (args.command.empty()) {
        args.command = arg;
      } else {
        args.positional.push_back(arg);
      }
      continue;
    }
    arg = arg.substr(2);
    std::string value;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg != "help" && i + 1 < argc) {
      value = argv[++i];
    }
    if (arg != "project" && arg != "name" && arg != "data_dir" && arg != "help") {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", arg));
    }
    args.flags[arg] = value;
  }
  return args;
}

std::string DataDir(const KeysArgs& args) {
  if (auto it = args.flags.find("data_dir"); it != args.flags.end()) return it->second;
  if (const char* env = std::getenv("ASSISTD_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return "./data";
}

absl::StatusOr<std::unique_ptr<auth::KeyStore>> OpenStore(const KeysArgs& args) {
  const std::string dir = DataDir(args);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("--data_dir=", dir, ": cannot create: ", ec.message()));
  }
  auth::KeyStoreOptions options;
  options.path = absl::StrCat(dir, "/keys.db");
  return auth::KeyStore::Open(std::move(options));
}

std::string Time(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::Status Create(const KeysArgs& args, auth::KeyStore* store) {
  auto project = args.flags.find("project");
  if (project == args.flags.end()) return absl::InvalidArgumentError("--project is required");
  auto name = args.flags.find("name");
  absl::StatusOr<auth::CreatedKey> created =
      store->Create(project->second, name == args.flags.end() ? "" : name->second);
  if (!created.ok()) return created.status();
  std::fprintf(stdout, "%s\n", created->key.c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "Created API key %s (%s...) for project '%s'.\n"
               "This is the only time the key is shown: store it now.\n",
               created->info.id.c_str(), created->info.prefix.c_str(),
               created->info.project.c_str());
  return absl::OkStatus();
}

absl::Status List(auth::KeyStore* store) {
  absl::StatusOr<std::vector<auth::ApiKeyInfo>> keys = store->List();
  if (!keys.ok()) return keys.status();
  std::fprintf(stdout, "%-28s  %-22s  %-20s  %-20s  %-20s  %s\n", "ID", "PREFIX", "PROJECT",
               "CREATED", "LAST USED", "NAME");
  for (const auth::ApiKeyInfo& key : *keys) {
    const std::string used = key.last_used_at ? Time(*key.last_used_at) : "never";
    std::fprintf(stdout, "%-28s  %-22s  %-20s  %-20s  %-20s  %s\n", key.id.c_str(),
                 absl::StrCat(key.prefix, "...").c_str(), key.project.c_str(),
                 Time(key.created_at).c_str(), used.c_str(), key.name.c_str());
  }
  return absl::OkStatus();
}

absl::Status Revoke(const KeysArgs& args, auth::KeyStore* store) {
  if (args.positional.size() != 1) {
    return absl::InvalidArgumentError("revoke takes one key id or prefix");
  }
  absl::StatusOr<auth::ApiKeyInfo> revoked = store->Revoke(args.positional[0]);
  if (!revoked.ok()) return revoked.status();
  std::fprintf(stderr,
               "Revoked API key %s (%s...) of project '%s'; a running server refuses it "
               "within seconds.\n",
               revoked->id.c_str(), revoked->prefix.c_str(), revoked->project.c_str());
  return absl::OkStatus();
}

absl::Status Dispatch(const KeysArgs& args) {
  if (args.command != "create" && args.command != "list" && args.command != "revoke") {
    return absl::InvalidArgumentError(args.command.empty()
                                          ? "missing command"
                                          : absl::StrCat("unknown command '", args.command, "'"));
  }
  if (args.command != "revoke" && !args.positional.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", args.positional[0], "'"));
  }
  absl::StatusOr<std::unique_ptr<auth::KeyStore>> store = OpenStore(args);
  if (!store.ok()) return store.status();
  if (args.command == "create") return Create(args, store->get());
  if (args.command == "list") return List(store->get());
  return Revoke(args, store->get());
}

}  // namespace

int RunKeysCommand(int argc, char** argv) {
  absl::StatusOr<KeysArgs> args = ParseArgs(argc, argv);
  if (args.ok() && args->flags.count("help") > 0) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  absl::Status status = args.ok() ? Dispatch(*args) : args.status();
  if (status.ok()) return 0;
  std::fprintf(stderr, "assistd keys: %s\n", std::string(status.message()).c_str());
  if (status.code() == absl::StatusCode::kInvalidArgument) std::fputs(kUsage, stderr);
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace assistd
