#include "services/orchestrator/tools/file_search_tool.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace assistd::orchestrator {
namespace {

constexpr int kDefaultMaxResults = 20;
constexpr char kRanker[] = "default_2024_08_21";

// The queries of a call: "query" (string) and/or "queries" (strings).
std::vector<std::string> QueriesOf(const std::string& arguments) {
  std::vector<std::string> queries;
  nlohmann::json args = nlohmann::json::parse(arguments, nullptr, /*allow_exceptions=*/false);
  if (!args.is_object()) return queries;
  auto add = [&](const nlohmann::json& q) {
    if (q.is_string() && !q.get<std::string>().empty()) queries.push_back(q.get<std::string>());
  };
  if (args.contains("query")) add(args["query"]);
  if (args.contains("queries") && args["queries"].is_array()) {
    for (const auto& q : args["queries"]) add(q);
  }
  return queries;
}

// The stores to search: the assistant's, then the thread's.
std::vector<std::string> StoresOf(const BuiltinContext& context) {
  std::vector<std::string> stores;
  for (const v1::ToolResources* r : {&context.assistant_resources, &context.thread_resources}) {
    for (const std::string& id : r->file_search().vector_store_ids()) {
      if (std::find(stores.begin(), stores.end(), id) == stores.end()) stores.push_back(id);
    }
  }
  return stores;
}

v1::FileSearchResult ResultOf(const v1::SearchResult& hit) {
  v1::FileSearchResult r;
  r.set_file_id(hit.file_id());
  r.set_file_name(hit.filename());
  r.set_score(hit.score());
  r.set_page_number(hit.page_number());
  *r.mutable_page_breaks() = hit.page_breaks();
  *r.mutable_content() = hit.content();
  return r;
}

}  // namespace

model::ToolSchema FileSearchTool::Schema() {
  model::ToolSchema schema;
  schema.name = "file_search";
  schema.description =
      "Search the user's uploaded files for passages relevant to a query. Returns passages, "
      "each under a source marker like 【0:1†file.pdf】; cite a passage by writing its marker "
      "right after the sentence that uses it.";
  schema.parameters_json =
      R"({"type":"object","properties":{"query":{"type":"string","description":)"
      R"("What to look for, as a question or keywords in the language of the files."}},)"
      R"("required":["query"]})";
  return schema;
}

absl::Status FileSearchTool::AwaitIngestion(const BuiltinContext& context,
                                            const std::string& store_id) {
  const absl::Time give_up = absl::Now() + ingest_wait_;
  absl::Duration pause = absl::Milliseconds(20);
  while (true) {
    absl::StatusOr<v1::VectorStore> store = calls_->GetVectorStore(context.project, store_id);
    if (absl::IsNotFound(store.status())) return absl::OkStatus();  // Search() reports it
    RETURN_IF_ERROR(store.status());
    if (store->file_counts().in_progress() == 0) return absl::OkStatus();
    if (absl::Now() + pause > give_up) return absl::OkStatus();  // search what is there
    if (context.cancelled != nullptr && context.cancelled->load()) {
      return absl::CancelledError("run cancelled");
    }
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(500));
  }
}

absl::Status FileSearchTool::Execute(const BuiltinContext& context,
                                     const v1::FileSearchTool& tool,
                                     const model::ToolCall& model_call, v1::ToolCall* call) {
  v1::FileSearchToolCall* record = call->mutable_file_search();
  v1::FileSearchRankingOptions* ranking = record->mutable_ranking_options();
  ranking->set_ranker(tool.ranking_options().has_ranker() &&
                              tool.ranking_options().ranker() != "auto"
                          ? tool.ranking_options().ranker()
                          : kRanker);
  ranking->set_score_threshold(tool.ranking_options().score_threshold());
  const int limit = tool.has_max_num_results() ? tool.max_num_results() : kDefaultMaxResults;
  const std::vector<std::string> queries = QueriesOf(model_call.arguments);
  if (queries.empty()) return absl::OkStatus();
  std::vector<v1::FileSearchResult> results;
  for (const std::string& store_id : StoresOf(context)) {
    RETURN_IF_ERROR(AwaitIngestion(context, store_id));
    v1::SearchVectorStoreRequest req;
    req.set_vector_store_id(store_id);
    if (queries.size() == 1) {
      req.set_text(queries[0]);
    } else {
      for (const std::string& q : queries) req.mutable_texts()->add_values(q);
    }
    req.set_max_num_results(limit);
    req.mutable_ranking_options()->set_score_threshold(ranking->score_threshold());
    absl::StatusOr<v1::SearchVectorStoreResponse> resp = calls_->Search(context.project, req);
    if (absl::IsNotFound(resp.status())) {
      // Deleted since it was attached: search the others.
      LogWarning("orchestrator: run ", context.run_id, ": file_search skips vector store ",
                 store_id, ": ", resp.status().message());
      continue;
    }
    if (!resp.ok()) {
      return absl::Status(resp.status().code(), absl::StrCat("file_search in vector store ",
                                                             store_id, ": ",
                                                             resp.status().message()));
    }
    for (const v1::SearchResult& hit : resp->data()) results.push_back(ResultOf(hit));
  }
  std::stable_sort(results.begin(), results.end(),
                   [](const auto& a, const auto& b) { return a.score() > b.score(); });
  if (static_cast<int>(results.size()) > limit) results.resize(limit);
  for (v1::FileSearchResult& r : results) *record->add_results() = std::move(r);
  return absl::OkStatus();
}

}  // namespace assistd::orchestrator
