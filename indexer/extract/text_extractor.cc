#include "indexer/extract/text_extractor.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "indexer/extract/text_cleanup.h"

namespace assistd::extract {
namespace {

constexpr size_t kMaxSectionBytes = 64 * 1024;

// Removes the line breaks at the end of `s`.
absl::string_view TrimTrailingNewlines(absl::string_view s) {
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

// Appends `section` to `out`, cut into pieces of at most kMaxSectionBytes:
// at the last line break before the limit (the break itself is dropped), or,
// in a single over-long line, at the last UTF-8 character boundary.
void AppendSplit(absl::string_view section, std::vector<std::string>* out) {
  section = TrimTrailingNewlines(section);
  while (section.size() > kMaxSectionBytes) {
    size_t cut = section.rfind('\n', kMaxSectionBytes);
    size_t skip = 1;
    if (cut == absl::string_view::npos || cut == 0) {
      cut = kMaxSectionBytes;
      while (cut > 0 &&
             (static_cast<unsigned char>(section[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      if (cut == 0) cut = kMaxSectionBytes;  // not UTF-8; cannot happen
      skip = 0;
    }
    out->emplace_back(TrimTrailingNewlines(section.substr(0, cut)));
    section.remove_prefix(cut + skip);
  }
  out->emplace_back(section);
}

// "#" or "##" then a space, a tab or the end of the line, after at most
// three spaces of indentation.
bool IsTopHeading(absl::string_view line) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  size_t hashes = 0;
  while (i < line.size() && line[i] == '#') ++i, ++hashes;
  if (hashes < 1 || hashes > 2) return false;
  return i == line.size() || line[i] == ' ' || line[i] == '\t';
}

// Tracks ``` and ~~~ fences: a fence closes with at least as many of the
// same character and nothing else on the line.
class FenceTracker {
 public:
  // Feeds the next line; returns true if it is inside (or opens or closes) a
  // fenced code block.
  bool InFence(absl::string_view line) {
    size_t i = 0;
    while (i < line.size() && i < 3 && line[i] == ' ') ++i;
    size_t run = 0;
    const char c = i < line.size() ? line[i] : '\0';
    if (c == '`' || c == '~') {
      while (i + run < line.size() && line[i + run] == c) ++run;
    }
    if (open_ == '\0') {
      if (run >= 3 && (c == '~' || line.find('`', i + run) == line.npos)) {
        open_ = c, open_run_ = run;
        return true;
      }
      return false;
    }
    const bool rest_blank =
        line.find_first_not_of(" \t", i + run) == absl::string_view::npos;
    if (c == open_ && run >= open_run_ && rest_blank) open_ = '\0';
    return true;
  }

 private:
  char open_ = '\0';  // fence character of the open block, '\0' outside
  size_t open_run_ = 0;
};

std::vector<std::string> SplitMarkdown(absl::string_view text) {
  std::vector<std::string> sections;
  FenceTracker fences;
  size_t section_start = 0, line_start = 0;
  while (line_start <= text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == absl::string_view::npos) line_end = text.size();
    const absl::string_view line =
        text.substr(line_start, line_end - line_start);
    if (!fences.InFence(line) && IsTopHeading(line) &&
        line_start > section_start) {
      AppendSplit(text.substr(section_start, line_start - section_start),
                  &sections);
      section_start = line_start;
    }
    line_start = line_end + 1;
  }
  AppendSplit(text.substr(section_start), &sections);
  return sections;
}

bool IsPlainTextFormat(Format format) {
  return format == Format::kText || format == Format::kMarkdown ||
         format == Format::kJson || format == Format::kCsv ||
         format == Format::kCode;
}

// Text and Markdown: words hyphenated across lines are joined. Code, JSON
// and CSV keep "foo-\nbar" as written.
bool IsProse(Format format) {
  return format == Format::kText || format == Format::kMarkdown;
}

}  // namespace

absl::StatusOr<Document> ExtractPlainText(absl::string_view bytes,
                                          Format format) {
  if (!IsPlainTextFormat(format)) {
    return absl::InternalError(absl::StrCat(
        "ExtractPlainText called for format ", FormatName(format)));
  }
  const std::string decoded = DecodeToUtf8(bytes);
  CleanupOptions cleanup;
  cleanup.join_hyphenated_words = IsProse(format);
  std::vector<std::string> sections;
  if (format == Format::kMarkdown) {
    sections = SplitMarkdown(CleanExtractedText(decoded, cleanup));
  } else {
    for (absl::string_view page : absl::StrSplit(decoded, '\f')) {
      AppendSplit(CleanExtractedText(page, cleanup), &sections);
    }
  }
  Document doc;
  doc.format = format;
  for (std::string& text : sections) {
    if (text.empty()) continue;
    TextPage page;
    page.number = static_cast<int>(doc.pages.size()) + 1;
    page.text = std::move(text);
    doc.pages.push_back(std::move(page));
  }
  if (doc.pages.empty()) doc.pages.push_back(TextPage{1, "", true});
  return doc;
}

}  // namespace assistd::extract
