#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_PASSAGES_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_PASSAGES_H_

// The text a model reads as a file_search result: retrieved passages, each
// under a source marker it can cite, e.g.
//
//   【0:1†report.pdf】 page 3
//   The pump must be primed before the first start...
//
// The marker "【s:k†name】" names the run's s-th file_search call (0-based,
// in step order) and its k-th result. One format, written by the
// orchestrator and read back by the built-in model. No proto, no gRPC.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace assistd::model {

struct Passage {
  std::string marker;     // "【0:1†report.pdf】"
  std::string file_id;    // empty when parsed back from text
  std::string file_name;
  int page_number = 0;    // 1-based; 0 = unknown
  // Later pages the text runs into: (byte offset in text, page number),
  // ascending. Not in the formatted text.
  std::vector<std::pair<int, int>> page_breaks;
  double score = 0;       // 0..1
  std::string text;
};

// "【<call>:<result>†<file_name>】". Line breaks in the name become spaces
// and "【】" become "[]", so the marker stays one parseable token.
std::string MakeMarker(int call_ordinal, int result_index, absl::string_view file_name);

// The parts of a whole MakeMarker marker; nullopt for any other text.
struct MarkerParts {
  int call_ordinal = 0;
  int result_index = 0;
  std::string file_name;
};
std::optional<MarkerParts> ParseMarker(absl::string_view marker);

// The tool output for one file_search call. No passages: a sentence saying
// nothing matched (ParsePassages of it is empty).
std::string FormatPassages(absl::Span<const Passage> passages);

// The inverse of FormatPassages (file_id and score are not in the text and
// stay empty/0). Text that is not in that format gives no passages.
std::vector<Passage> ParsePassages(absl::string_view tool_output);

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_PASSAGES_H_
