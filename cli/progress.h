#ifndef ASSISTD_CLI_PROGRESS_H_
#define ASSISTD_CLI_PROGRESS_H_

// A progress line like "indexing 2/3 files [########        ]". On a
// terminal it is redrawn in place; otherwise (logs, pipes, tests) a line is
// written only when the numbers change.

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"

namespace assistd::cli {

// "<label> <done>/<total> <unit> [<bar of `width` cells>]".
std::string RenderProgress(absl::string_view label, int64_t done, int64_t total,
                           absl::string_view unit, int width);

// Not thread-safe. `out` must outlive it.
class ProgressBar {
 public:
  // `redraw`: overwrite the line in place (for a terminal).
  ProgressBar(FILE* out, std::string label, std::string unit, bool redraw);
  // On stderr, redrawn iff stderr is a terminal.
  static ProgressBar OnStderr(std::string label, std::string unit);

  void Update(int64_t done, int64_t total);
  // Ends the redrawn line. Idempotent.
  void Finish();

 private:
  FILE* const out_;
  const std::string label_;
  const std::string unit_;
  const bool redraw_;
  int64_t last_done_ = -1;
  int64_t last_total_ = -1;
  bool line_open_ = false;
};

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_PROGRESS_H_
