#ifndef ASSISTD_CLI_ARGS_H_
#define ASSISTD_CLI_ARGS_H_

// The command line of one assistctl invocation. Flags may appear anywhere,
// as "--name=value", "--name value" or (boolean flags) "--name"; a flag may
// be repeated ("--file a --file b"); "--" ends the flags; everything else is
// a positional word. "-h" means "--help".

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace assistd::cli {

// A usage error: the caller prints the usage and exits 2. The status code is
// InvalidArgument with a payload that tells it apart from a server's
// INVALID_ARGUMENT.
absl::Status UsageError(absl::string_view message);
bool IsUsageError(const absl::Status& status);

class Args {
 public:
  // Parses `argv` (without the program name). Flags named in
  // `boolean_flags` take no separate value. UsageError for a value flag
  // with nothing after it, or an empty flag name.
  static absl::StatusOr<Args> Parse(absl::Span<const std::string> argv,
                                    const std::set<std::string>& boolean_flags);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(absl::string_view name) const;
  // The last value given for `name`, or `fallback`.
  std::string Get(absl::string_view name, absl::string_view fallback = "") const;
  // Every value given for `name`, in order.
  std::vector<std::string> GetAll(absl::string_view name) const;
  // "--name", "--name=true|1|yes" are true; absent is false. UsageError for
  // any other value.
  absl::StatusOr<bool> GetBool(absl::string_view name) const;
  // UsageError if the value is not an integer in [min, max].
  absl::StatusOr<int> GetInt(absl::string_view name, int fallback, int min, int max) const;
  // UsageError naming the first flag that is not in `allowed`.
  absl::Status CheckAllowed(const std::set<std::string>& allowed) const;

 private:
  std::vector<std::pair<std::string, std::string>> flags_;  // in order given
  std::vector<std::string> positional_;
};

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_ARGS_H_
