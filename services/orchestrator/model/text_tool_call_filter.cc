#include "services/orchestrator/model/text_tool_call_filter.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "services/orchestrator/model/tool_call_repair.h"

namespace assistd::model {
namespace {

// True when `text` is a non-empty proper prefix of `word`.
bool IsProperPrefixOf(absl::string_view text, absl::string_view word) {
  return !text.empty() && text.size() < word.size() &&
         absl::StartsWith(word, text);
}

// The length of the longest suffix of `text` that could begin a marker.
size_t PartialMarkerSuffix(absl::string_view text) {
  size_t longest = 0;
  for (absl::string_view marker : kToolCallMarkers) {
    const size_t max = std::min(text.size(), marker.size() - 1);
    for (size_t n = max; n > longest; --n) {
      if (IsProperPrefixOf(text.substr(text.size() - n), marker)) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

}  // namespace

TextToolCallFilter::Bare TextToolCallFilter::ClassifyStart() const {
  const absl::string_view head = absl::StripLeadingAsciiWhitespace(all_);
  if (head.empty()) return Bare::kUndecided;
  if (head[0] == '{' || head[0] == '[') return Bare::kYes;
  absl::string_view rest = head;
  if (!absl::ConsumePrefix(&rest, "```")) {
    return IsProperPrefixOf(head, "```") ? Bare::kUndecided : Bare::kNo;
  }
  // A fence: only "```json" or a bare "```" followed by "{" may be a call.
  size_t info_end = 0;
  while (info_end < rest.size() && absl::ascii_isalpha(rest[info_end])) {
    ++info_end;
  }
  const absl::string_view info = rest.substr(0, info_end);
  if (!info.empty() && !absl::EqualsIgnoreCase(info, "json")) {
    // "js" may still grow into "json".
    const bool may_grow =
        info_end == rest.size() && absl::StartsWithIgnoreCase("json", info);
    return may_grow ? Bare::kUndecided : Bare::kNo;
  }
  const absl::string_view body =
      absl::StripLeadingAsciiWhitespace(rest.substr(info_end));
  if (body.empty()) return Bare::kUndecided;
  return (body[0] == '{' || body[0] == '[') ? Bare::kYes : Bare::kNo;
}

std::string TextToolCallFilter::Feed(absl::string_view fragment) {
  all_.append(fragment.data(), fragment.size());
  if (holding_) return "";
  if (bare_json_possible_) {
    switch (ClassifyStart()) {
      case Bare::kUndecided:
        return "";
      case Bare::kYes:
        holding_ = true;
        return "";
      case Bare::kNo:
        bare_json_possible_ = false;
        break;
    }
  }
  const absl::string_view rest = absl::string_view(all_).substr(shown_);
  size_t marker = absl::string_view::npos;
  for (absl::string_view m : kToolCallMarkers) {
    marker = std::min(marker, rest.find(m));
  }
  size_t show = rest.size() - PartialMarkerSuffix(rest);
  if (marker != absl::string_view::npos) {
    holding_ = true;
    show = marker;
  }
  std::string out(rest.substr(0, show));
  shown_ += show;
  return out;
}

}  // namespace assistd::model
