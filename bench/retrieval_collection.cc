#include "bench/retrieval_collection.h"

#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace assistd::bench {
namespace {

absl::Status ForEachLine(const std::string& path,
                         const std::function<absl::Status(const std::string&)>& fn) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    absl::Status s = fn(line);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<nlohmann::json> ParseJson(const std::string& line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("bad JSON line: ", line.substr(0, 80)));
  }
  return j;
}

}  // namespace

absl::StatusOr<Collection> LoadCollection(const std::string& dir) {
  Collection c;
  absl::Status s = ForEachLine(dir + "/docs.jsonl", [&](const std::string& line) -> absl::Status {
    auto j = ParseJson(line);
    if (!j.ok()) return j.status();
    c.docs.push_back({(*j)["id"].get<std::string>(), j->value("title", ""), j->value("text", "")});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  s = ForEachLine(dir + "/queries.jsonl", [&](const std::string& line) -> absl::Status {
    auto j = ParseJson(line);
    if (!j.ok()) return j.status();
    c.queries.push_back({(*j)["id"].get<std::string>(), j->value("text", "")});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  s = ForEachLine(dir + "/qrels.tsv", [&](const std::string& line) -> absl::Status {
    std::vector<std::string> f = absl::StrSplit(line, absl::ByAnyChar("\t "), absl::SkipEmpty());
    int grade = 0;
    if (f.size() < 3 || !absl::SimpleAtoi(f.back(), &grade)) {
      return absl::InvalidArgumentError(absl::StrCat("bad qrels line: ", line));
    }
    // "query doc grade" or TREC's "query 0 doc grade".
    c.qrels[f[0]][f[f.size() - 2]] = grade;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return c;
}

}  // namespace assistd::bench
