#include "services/orchestrator/model/passages.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace assistd::model {
namespace {

constexpr absl::string_view kOpen = "\u3010";    // 【
constexpr absl::string_view kDagger = "\u2020";  // †
constexpr absl::string_view kClose = "\u3011";   // 】
constexpr absl::string_view kPage = " page ";
constexpr absl::string_view kNoPassages = "No passages in the searched files match the query.";

// Consumes 1..9 digits (no overflow) from the front of `text`.
bool ConsumeNumber(absl::string_view* text, int* value) {
  size_t n = 0;
  while (n < text->size() && n < 10 &&
         absl::ascii_isdigit(static_cast<unsigned char>((*text)[n]))) {
    ++n;
  }
  if (n == 0 || n > 9 || !absl::SimpleAtoi(text->substr(0, n), value)) return false;
  text->remove_prefix(n);
  return true;
}

struct Header {
  std::string marker;
  MarkerParts parts;
  int page_number = 0;
};

// "【0:1†report.pdf】 page 3" (the page part optional).
std::optional<Header> ParseHeader(absl::string_view line) {
  line = absl::StripTrailingAsciiWhitespace(line);
  if (!absl::StartsWith(line, kOpen)) return std::nullopt;
  Header header;
  absl::string_view marker = line;
  const size_t page_at = line.rfind(kPage);
  if (page_at != absl::string_view::npos && absl::EndsWith(line.substr(0, page_at), kClose)) {
    absl::string_view page = line.substr(page_at + kPage.size());
    if (ConsumeNumber(&page, &header.page_number) && page.empty()) {
      marker = line.substr(0, page_at);
    } else {
      header.page_number = 0;
    }
  }
  std::optional<MarkerParts> parts = ParseMarker(marker);
  if (!parts.has_value()) return std::nullopt;
  header.marker = std::string(marker);
  header.parts = *std::move(parts);
  return header;
}

Passage FromHeader(Header header) {
  Passage p;
  p.marker = std::move(header.marker);
  p.file_name = std::move(header.parts.file_name);
  p.page_number = header.page_number;
  return p;
}

// Lines of a passage's text, joined and trimmed (FormatPassages trims too).
std::string JoinBody(const std::vector<absl::string_view>& lines) {
  return std::string(absl::StripAsciiWhitespace(absl::StrJoin(lines, "\n")));
}

}  // namespace

std::string MakeMarker(int call_ordinal, int result_index, absl::string_view file_name) {
  const std::string name = absl::StrReplaceAll(
      file_name, {{"\r\n", " "}, {"\n", " "}, {"\r", " "}, {kOpen, "["}, {kClose, "]"}});
  return absl::StrCat(kOpen, call_ordinal, ":", result_index, kDagger, name, kClose);
}

std::optional<MarkerParts> ParseMarker(absl::string_view marker) {
  MarkerParts parts;
  if (!absl::ConsumePrefix(&marker, kOpen) || !absl::ConsumeSuffix(&marker, kClose)) {
    return std::nullopt;
  }
  if (!ConsumeNumber(&marker, &parts.call_ordinal) || !absl::ConsumePrefix(&marker, ":") ||
      !ConsumeNumber(&marker, &parts.result_index) || !absl::ConsumePrefix(&marker, kDagger)) {
    return std::nullopt;
  }
  if (absl::StrContains(marker, "\n")) return std::nullopt;
  parts.file_name = std::string(marker);
  return parts;
}

std::string FormatPassages(absl::Span<const Passage> passages) {
  if (passages.empty()) return std::string(kNoPassages);
  std::string out;
  for (const Passage& p : passages) {
    if (!out.empty()) out += "\n\n";
    out += p.marker;
    if (p.page_number > 0) absl::StrAppend(&out, kPage, p.page_number);
    absl::StrAppend(&out, "\n", absl::StripAsciiWhitespace(p.text));
  }
  return out;
}

std::vector<Passage> ParsePassages(absl::string_view tool_output) {
  std::vector<Passage> passages;
  std::vector<absl::string_view> body;
  // A header only counts at the start or after a blank line, as
  // FormatPassages writes it, so a passage quoting a marker stays text.
  bool after_blank = true;
  for (absl::string_view line : absl::StrSplit(tool_output, '\n')) {
    std::optional<Header> header;
    if (after_blank) header = ParseHeader(line);
    after_blank = absl::StripAsciiWhitespace(line).empty();
    if (header.has_value()) {
      if (!passages.empty()) passages.back().text = JoinBody(body);
      body.clear();
      passages.push_back(FromHeader(*std::move(header)));
    } else if (!passages.empty()) {
      body.push_back(line);
    }
  }
  if (!passages.empty()) passages.back().text = JoinBody(body);
  return passages;
}

}  // namespace assistd::model
