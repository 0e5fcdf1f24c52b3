#include "cli/output.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "cli/proto_json.h"

namespace assistd::cli {
namespace {

// Code points, not bytes: names and previews are often not ASCII.
size_t DisplayWidth(absl::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string ScalarText(const std::string& key, const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() && absl::EndsWith(key, "_at")) {
    return FormatTime(v.get<int64_t>());
  }
  return v.dump();
}

void Flatten(const std::string& key, const nlohmann::json& v,
             std::vector<std::pair<std::string, std::string>>* out) {
  if (v.is_object() && !v.empty()) {
    for (const auto& [k, child] : v.items()) {
      Flatten(key.empty() ? k : absl::StrCat(key, ".", k), child, out);
    }
  } else if (v.is_array() && !v.empty()) {
    for (size_t i = 0; i < v.size(); ++i) Flatten(absl::StrCat(key, "[", i, "]"), v[i], out);
  } else {
    out->emplace_back(key, ScalarText(key, v));
  }
}

}  // namespace

Table::Table(std::vector<std::string> headers) { rows_.push_back(std::move(headers)); }

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(rows_[0].size());
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<size_t> widths(rows_[0].size(), 0);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) line.append(widths[i] - DisplayWidth(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

void Table::Print(FILE* out) const { std::fputs(Render().c_str(), out); }

std::string FormatTime(int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(unix_seconds),
                          absl::LocalTimeZone());
}

std::string OneLine(absl::string_view text, size_t max_chars) {
  std::string flat = absl::StrReplaceAll(text, {{"\r\n", " "}, {"\n", " "}, {"\t", " "}});
  size_t chars = 0;
  for (size_t i = 0; i < flat.size(); ++i) {
    if ((static_cast<unsigned char>(flat[i]) & 0xC0) == 0x80) continue;
    if (chars++ == max_chars) return flat.substr(0, i) + "...";
  }
  return flat;
}

void PrintJson(const nlohmann::json& value) {
  std::fputs(value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str(), stdout);
  std::fputc('\n', stdout);
}

std::string RenderDetails(const nlohmann::json& object) {
  std::vector<std::pair<std::string, std::string>> lines;
  Flatten("", object, &lines);
  size_t width = 0;
  for (const auto& [k, v] : lines) width = std::max(width, k.size());
  std::string out;
  for (const auto& [k, v] : lines) {
    absl::StrAppend(&out, k, std::string(width - k.size() + 2, ' '), v, "\n");
  }
  return out;
}

void PrintDetails(const nlohmann::json& object) {
  std::fputs(RenderDetails(object).c_str(), stdout);
}

void PrintNextPageHint(bool has_more, absl::string_view last_id) {
  if (!has_more) return;
  std::fprintf(stderr, "(more: --after %s)\n", std::string(last_id).c_str());
}

void PrintDeleted(bool json, const v1::DeleteResponse& resp) {
  if (json) {
    PrintJson(ProtoToJson(resp));
  } else {
    std::printf("deleted %s\n", resp.id().c_str());
  }
}

}  // namespace assistd::cli
