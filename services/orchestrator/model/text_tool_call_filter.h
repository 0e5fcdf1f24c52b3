#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_TEXT_TOOL_CALL_FILTER_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_TEXT_TOOL_CALL_FILTER_H_

// Decides, while text streams in, which of it may be shown now and which
// must be held back because it might be a tool call written as text (see
// ExtractTextToolCalls). Plain text passes at once, except for the few
// characters at the end that could be the start of a marker; from a marker
// on (or from the start, when the whole answer may be a bare JSON call)
// everything is held until the end, when the caller decides.

#include <string>

#include "absl/strings/string_view.h"

namespace assistd::model {

// Not thread-safe; one per answer.
class TextToolCallFilter {
 public:
  // `allow_bare_json`: an answer starting with "{" or a ```json fence is
  // held whole (it may be a bare JSON tool call).
  explicit TextToolCallFilter(bool allow_bare_json)
      : bare_json_possible_(allow_bare_json) {}

  // Adds `fragment`; returns the text that may be shown now (often all of
  // it, sometimes "").
  std::string Feed(absl::string_view fragment);

  // Everything fed so far that Feed() has not returned: what the caller
  // must resolve at the end (a tool call, or text to show after all).
  absl::string_view held() const {
    return absl::string_view(all_).substr(shown_);
  }
  // Everything fed so far.
  const std::string& all() const { return all_; }

 private:
  // Whether the answer so far may still become a bare JSON call; decides
  // once the first non-blank characters are in.
  enum class Bare { kNo, kYes, kUndecided };
  Bare ClassifyStart() const;

  std::string all_;
  size_t shown_ = 0;      // all_[0, shown_) has been returned
  bool holding_ = false;  // everything from shown_ on is held
  bool bare_json_possible_;
};

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_TEXT_TOOL_CALL_FILTER_H_
