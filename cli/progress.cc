#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace assistd::cli {

std::string RenderProgress(absl::string_view label, int64_t done, int64_t total,
                           absl::string_view unit, int width) {
  const int64_t clamped = std::clamp<int64_t>(done, 0, std::max<int64_t>(total, 0));
  const int filled = total > 0 ? static_cast<int>(clamped * width / total) : 0;
  return absl::StrCat(label, " ", done, "/", total, " ", unit, " [", std::string(filled, '#'),
                      std::string(width - filled, ' '), "]");
}

ProgressBar::ProgressBar(FILE* out, std::string label, std::string unit, bool redraw)
    : out_(out), label_(std::move(label)), unit_(std::move(unit)), redraw_(redraw) {}

ProgressBar ProgressBar::OnStderr(std::string label, std::string unit) {
  return ProgressBar(stderr, std::move(label), std::move(unit), isatty(STDERR_FILENO) == 1);
}

void ProgressBar::Update(int64_t done, int64_t total) {
  if (done == last_done_ && total == last_total_) return;
  last_done_ = done;
  last_total_ = total;
  const std::string line = RenderProgress(label_, done, total, unit_, 24);
  if (redraw_) {
    // \r and "erase to end of line": the new text replaces the old.
    std::fprintf(out_, "\r\033[K%s", line.c_str());
    line_open_ = true;
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

void ProgressBar::Finish() {
  if (!line_open_) return;
  std::fputc('\n', out_);
  std::fflush(out_);
  line_open_ = false;
}

}  // namespace assistd::cli
