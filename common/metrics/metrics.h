#ifndef ASSISTD_COMMON_METRICS_METRICS_H_
#define ASSISTD_COMMON_METRICS_METRICS_H_

// Process-wide Prometheus metrics: one registry for the whole process, and
// one function per event, so the rest of the code never sees a Prometheus
// type and every metric name is spelled in one place (metrics.cc; the list
// with meanings is docs/operations.md, "Metrics").
//
// Recording is cheap (a hash lookup and an atomic add; a mutex only for
// label sets not seen before) and works whether or not an Exposer serves
// the registry, so cores and their tests call these freely. All functions
// are thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace assistd::metrics {

// --- Events ---------------------------------------------------------------

// One finished gRPC call: assistd_grpc_requests_total{service,method,code}
// and assistd_grpc_request_duration_seconds{service,method}. `code` is the
// status code's name ("OK", "NOT_FOUND", ...).
void GrpcRequestFinished(absl::string_view service, absl::string_view method,
                         absl::string_view code, absl::Duration latency);

// One finished REST gateway request: assistd_http_requests_total{route,code}
// and assistd_http_request_duration_seconds{route}. `route` is the route
// template ("/v1/threads/{thread_id}/runs"), never the raw path.
void HttpRequestFinished(absl::string_view route, int status_code, absl::Duration latency);

// A run reached a terminal status ("completed", "failed", "cancelled",
// "expired", "incomplete"): assistd_runs_total{status}.
void RunFinished(absl::string_view status);

// One model call, retries included, successful or not:
// assistd_model_call_duration_seconds{model}. Past 32 distinct names the
// label is "other" (model names come from requests).
void ModelCallFinished(absl::string_view model, absl::Duration latency);

// Tokens a model server reported for one call:
// assistd_model_tokens_total{kind="prompt"|"completion"}.
void ModelTokensUsed(int64_t prompt_tokens, int64_t completion_tokens);

// One sandbox code execution, whatever its outcome:
// assistd_sandbox_execute_duration_seconds.
void SandboxExecuteFinished(absl::Duration latency);

// One keyword search of a vector store, by what answered it:
// assistd_keyword_searches_total{index="memory"|"fts5"}. FTS5 answers
// while a store's in-memory index is being built, and for phrase terms.
void KeywordSearchAnswered(bool from_memory);

// --- Gauges read at scrape time ---------------------------------------------

// Keeps a value source registered; destroying it unregisters the source,
// waiting for a scrape that is calling it to return. So the source's
// captures must outlive this object, and it must not be destroyed by the
// source itself or while holding a lock the source takes.
class Registration {
 public:
  virtual ~Registration() = default;
};

// assistd_sandbox_sessions: `live_sessions()` at each scrape (summed over
// the registered sources).
std::unique_ptr<Registration> ProvideSandboxSessions(std::function<int64_t()> live_sessions);

// assistd_vector_store_files{status} from `files_by_status()` (status name
// -> count; in_progress, completed, failed and cancelled are always
// reported, 0 if absent) and assistd_ingestion_queue_depth (the
// in_progress count) at each scrape. An error skips this source for that
// scrape.
std::unique_ptr<Registration> ProvideVectorStoreFiles(
    std::function<absl::StatusOr<std::map<std::string, int64_t>>()> files_by_status);

// --- Output -------------------------------------------------------------

// Everything in the Prometheus text format, as /metrics serves it.
std::string RenderText();

// Serves RenderText() at http://<addr>/metrics (civetweb threads).
// Thread-safe; stops serving when destroyed.
class Exposer {
 public:
  // `addr` is "host:port" ("127.0.0.1:9464", "0.0.0.0:0", "[::1]:9464");
  // port 0 picks a free port. Unavailable if it cannot listen there.
  static absl::StatusOr<std::unique_ptr<Exposer>> Start(const std::string& addr);
  virtual ~Exposer() = default;
  // The bound port (the chosen one when `addr` said port 0).
  virtual int port() const = 0;
};

}  // namespace assistd::metrics

#endif  // ASSISTD_COMMON_METRICS_METRICS_H_
