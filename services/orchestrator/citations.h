#ifndef ASSISTD_SERVICES_ORCHESTRATOR_CITATIONS_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_CITATIONS_H_

// Server-side annotations of an assistant answer: `file_citation` for
// passages retrieved by file_search in the run, `file_path` for files
// code_interpreter wrote. Computed from what the run actually retrieved,
// whether or not the model wrote source markers.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "assistd/v1/runs.pb.h"
#include "assistd/v1/threads.pb.h"
#include "services/orchestrator/model/passages.h"

namespace assistd::orchestrator {

// Every file_search result of the run's steps (in order), numbered as the
// model saw them: the s-th file_search call's k-th result has marker
// "【s:k†name】" (model::MakeMarker).
std::vector<model::Passage> RunPassages(absl::Span<const v1::RunStep> steps);

// Files code_interpreter wrote in the run: (sandbox path "/mnt/data/...",
// file id), from CodeInterpreterToolCall.files.
std::vector<std::pair<std::string, std::string>> RunOutputFiles(
    absl::Span<const v1::RunStep> steps);

struct AnnotatedText {
  std::string value;
  std::vector<v1::Annotation> annotations;  // ordered by start_index
};

// Annotates an answer. start_index/end_index count Unicode code points (as
// OpenAI's do). Rules:
//  - A marker the model wrote ("【0:1†report.pdf】", "【0:1†source】",
//    "[0:1†source]", "【1†source】" = result 1 of the last call) that names
//    a retrieved passage gets a file_citation (file id, page, name).
//  - A marker naming no retrieved passage is re-pointed at the passage its
//    sentence aligns with, or removed from the text (never a citation of
//    something not retrieved).
//  - A sentence with no marker that quotes or closely paraphrases a
//    passage gets that passage's marker inserted after it, with a citation.
//  - "sandbox:/mnt/data/x.csv" (in a markdown link or bare) naming a file
//    in `files` gets a file_path annotation over the link target text.
AnnotatedText Annotate(absl::string_view text, absl::Span<const model::Passage> passages,
                       absl::Span<const std::pair<std::string, std::string>> files);

}  // namespace assistd::orchestrator

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_CITATIONS_H_
