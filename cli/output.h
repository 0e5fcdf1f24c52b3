#ifndef ASSISTD_CLI_OUTPUT_H_
#define ASSISTD_CLI_OUTPUT_H_

// How assistctl prints results: aligned tables and key/value details for
// people, one JSON document for scripts (`--json`). Results go to stdout;
// progress, hints and errors to stderr.

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "assistd/v1/common.pb.h"

namespace assistd::cli {

// Columns separated by two spaces, each as wide as its widest cell (the
// last one is not padded). Not thread-safe.
class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  // Cells beyond the headers are dropped; missing ones are empty.
  void AddRow(std::vector<std::string> cells);
  // The table, one line per row after the header line.
  std::string Render() const;
  void Print(FILE* out) const;

 private:
  std::vector<std::vector<std::string>> rows_;  // rows_[0]: headers
};

// "2024-05-01 12:34:56" in local time; "-" for 0.
std::string FormatTime(int64_t unix_seconds);

// `text` on one line: newlines become spaces, cut to `max_chars` code
// points with "..." appended when cut.
std::string OneLine(absl::string_view text, size_t max_chars);

// `value`, pretty-printed, plus a newline, on stdout.
void PrintJson(const nlohmann::json& value);

// An object as "key  value" lines: nested objects and arrays flattened to
// dotted keys ("file_counts.completed", "tools[0].type"); *_at keys
// formatted with FormatTime.
std::string RenderDetails(const nlohmann::json& object);
void PrintDetails(const nlohmann::json& object);

// On stderr: how to get the next page, when there is one.
void PrintNextPageHint(bool has_more, absl::string_view last_id);

// What a delete command prints: the response as JSON with --json, else
// "deleted <id>".
void PrintDeleted(bool json, const v1::DeleteResponse& resp);

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_OUTPUT_H_
