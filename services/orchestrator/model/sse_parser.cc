#include "services/orchestrator/model/sse_parser.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace assistd::model {

bool SseParser::Feed(absl::string_view bytes) {
  if (stopped_) return false;
  for (const char c : bytes) {
    if (c == '\n' && after_cr_) {  // the second half of "\r\n"
      after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      if (!EndLine()) return false;
      continue;
    }
    line_.push_back(c);
  }
  return true;
}

bool SseParser::Finish() {
  if (stopped_) return false;
  if (!line_.empty() && !EndLine()) return false;
  return Dispatch();
}

bool SseParser::EndLine() {
  if (line_.empty()) return Dispatch();
  absl::string_view line = line_;
  if (absl::ConsumePrefix(&line, "data")) {
    // "data" alone is a data line with an empty value; "database: x" is not.
    if (line.empty() || line[0] == ':') {
      absl::ConsumePrefix(&line, ":");
      absl::ConsumePrefix(&line, " ");
      if (has_data_) data_.push_back('\n');
      data_.append(line.data(), line.size());
      has_data_ = true;
    }
  }
  // Comments (":...") and other fields need nothing.
  line_.clear();
  return true;
}

bool SseParser::Dispatch() {
  if (!has_data_) return true;
  const bool keep_going = on_event_(data_);
  data_.clear();
  has_data_ = false;
  if (!keep_going) stopped_ = true;
  return keep_going;
}

}  // namespace assistd::model
