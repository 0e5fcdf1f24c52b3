#include "cli/args.h"

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace assistd::cli {
namespace {

constexpr char kUsagePayload[] = "assistd.cli/usage";

}  // namespace

absl::Status UsageError(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

absl::StatusOr<Args> Args::Parse(absl::Span<const std::string> argv,
                                 const std::set<std::string>& boolean_flags) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word == "--") {
      args.positional_.insert(args.positional_.end(), argv.begin() + i + 1, argv.end());
      break;
    }
    if (word == "-h") {
      args.flags_.emplace_back("help", "true");
      continue;
    }
    if (!absl::StartsWith(word, "--")) {
      args.positional_.push_back(word);
      continue;
    }
    const std::string body = word.substr(2);
    const size_t eq = body.find('=');
    std::string name = body.substr(0, eq);
    if (name.empty()) return UsageError(absl::StrCat("malformed flag '", word, "'"));
    if (eq != std::string::npos) {
      args.flags_.emplace_back(std::move(name), body.substr(eq + 1));
    } else if (boolean_flags.count(name) > 0) {
      args.flags_.emplace_back(std::move(name), "true");
    } else if (i + 1 < argv.size()) {
      args.flags_.emplace_back(std::move(name), argv[++i]);
    } else {
      return UsageError(absl::StrCat("flag --", name, " needs a value"));
    }
  }
  return args;
}

bool Args::Has(absl::string_view name) const {
  for (const auto& [n, v] : flags_) {
    if (n == name) return true;
  }
  return false;
}

std::string Args::Get(absl::string_view name, absl::string_view fallback) const {
  std::string value(fallback);
  for (const auto& [n, v] : flags_) {
    if (n == name) value = v;
  }
  return value;
}

std::vector<std::string> Args::GetAll(absl::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [n, v] : flags_) {
    if (n == name) values.push_back(v);
  }
  return values;
}

absl::StatusOr<bool> Args::GetBool(absl::string_view name) const {
  if (!Has(name)) return false;
  const std::string value = absl::AsciiStrToLower(Get(name));
  if (value == "true" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "no") return false;
  return UsageError(absl::StrCat("--", name, " takes true or false, not '", value, "'"));
}

absl::StatusOr<int> Args::GetInt(absl::string_view name, int fallback, int min, int max) const {
  if (!Has(name)) return fallback;
  int value = 0;
  if (!absl::SimpleAtoi(Get(name), &value) || value < min || value > max) {
    return UsageError(absl::StrCat("--", name, " must be a number from ", min, " to ", max));
  }
  return value;
}

absl::Status Args::CheckAllowed(const std::set<std::string>& allowed) const {
  for (const auto& [name, value] : flags_) {
    if (allowed.count(name) == 0) return UsageError(absl::StrCat("unknown flag --", name));
  }
  return absl::OkStatus();
}

}  // namespace assistd::cli
