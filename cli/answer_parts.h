#ifndef ASSISTD_CLI_ANSWER_PARTS_H_
#define ASSISTD_CLI_ANSWER_PARTS_H_

// What an assistant's answer refers to: the sources it cites
// (file_citation annotations) and the files it hands back (image_file parts
// and file_path annotations).

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "assistd/v1/threads.pb.h"

namespace assistd::cli {

// One cited source.
struct Source {
  // The marker in the text, e.g. "【0:0†report.pdf】".
  std::string marker;
  std::string file_id;
  // The file's name; empty if the server did not say (assistd extension).
  std::string file_name;
  // 1-based PDF page; 0 = unknown (assistd extension).
  int page_number = 0;
};

// The text parts of `messages`, messages separated by "\n".
std::string AnswerText(absl::Span<const v1::Message> messages);

// The file_citation annotations of `messages`, each marker once, in order.
std::vector<Source> CollectSources(absl::Span<const v1::Message> messages);

// "\nSources:\n  <marker> <name>, page <n>\n..." ("" if there are none).
// The name is the file_name, else the file id; ", page n" only when known.
std::string FormatSources(absl::Span<const Source> sources);

// Ids of the files an answer hands back: image_file parts and file_path
// annotations, each once, in order.
std::vector<std::string> OutputFileIds(absl::Span<const v1::Message> messages);

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_ANSWER_PARTS_H_
