#include "cli/answer_parts.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace assistd::cli {

std::string AnswerText(absl::Span<const v1::Message> messages) {
  std::string text;
  for (const v1::Message& m : messages) {
    if (!text.empty()) text += "\n";
    for (const v1::MessageContent& part : m.content()) {
      if (part.has_text()) text += part.text().value();
    }
  }
  return text;
}

std::vector<Source> CollectSources(absl::Span<const v1::Message> messages) {
  std::vector<Source> sources;
  std::set<std::string> seen;
  for (const v1::Message& m : messages) {
    for (const v1::MessageContent& part : m.content()) {
      for (const v1::Annotation& a : part.text().annotations()) {
        if (!a.has_file_citation()) continue;
        const v1::FileCitation& c = a.file_citation();
        if (!seen.insert(absl::StrCat(a.text(), "\n", c.file_id(), "\n", c.page_number())).second) {
          continue;
        }
        sources.push_back({a.text(), c.file_id(), c.file_name(), c.page_number()});
      }
    }
  }
  return sources;
}

std::string FormatSources(absl::Span<const Source> sources) {
  if (sources.empty()) return "";
  std::string out = "\nSources:\n";
  for (const Source& s : sources) {
    absl::StrAppend(&out, "  ", s.marker, s.marker.empty() ? "" : " ",
                    s.file_name.empty() ? s.file_id : s.file_name);
    if (s.page_number > 0) absl::StrAppend(&out, ", page ", s.page_number);
    out += "\n";
  }
  return out;
}

std::vector<std::string> OutputFileIds(absl::Span<const v1::Message> messages) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  auto add = [&](const std::string& id) {
    if (!id.empty() && seen.insert(id).second) ids.push_back(id);
  };
  for (const v1::Message& m : messages) {
    for (const v1::MessageContent& part : m.content()) {
      if (part.has_image_file()) add(part.image_file().file_id());
      for (const v1::Annotation& a : part.text().annotations()) {
        if (a.has_file_path()) add(a.file_path().file_id());
      }
    }
  }
  return ids;
}

}  // namespace assistd::cli
