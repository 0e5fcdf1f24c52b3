// The only file that includes prometheus-cpp. Every metric assistd exports
// is named here.

#include "common/metrics/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <exception>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace assistd::metrics {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Histogram;

// Seconds, from 1 ms (a cached read) to 10 min (a sandbox execution or a
// model call at their upper limits).
const Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets =
      new Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                      1,     2.5,    5,     10,   30,    60,   120, 300,  600};
  return *buckets;
}

constexpr size_t kMaxModelLabels = 32;
constexpr char kOther[] = "other";
constexpr const char* kRunStatuses[] = {"completed", "failed", "cancelled", "expired",
                                        "incomplete"};
constexpr const char* kFileStatuses[] = {"in_progress", "completed", "failed", "cancelled"};

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

// Scrape-time gauges: the registered sources, asked at each Collect().
class GaugeSources final : public prometheus::Collectable {
 public:
  using SessionsFn = std::function<int64_t()>;
  using FilesFn = std::function<absl::StatusOr<std::map<std::string, int64_t>>()>;

  // Returns the new source's id.
  uint64_t Add(SessionsFn sessions, FilesFn files) {
    absl::MutexLock lock(&mu_);
    sources_.push_back({++last_id_, std::move(sessions), std::move(files)});
    return last_id_;
  }
  // Waits for a running Collect(): it holds mu_ while calling sources.
  void Remove(uint64_t id) {
    absl::MutexLock lock(&mu_);
    for (auto it = sources_.begin(); it != sources_.end(); ++it) {
      if (it->id == id) {
        sources_.erase(it);
        return;
      }
    }
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::MutexLock lock(&mu_);
    bool any_sessions = false, any_files = false;
    double sessions = 0;
    std::map<std::string, double> files;
    for (const char* s : kFileStatuses) files[s] = 0;
    for (const Source& source : sources_) {
      if (source.sessions) {
        any_sessions = true;
        sessions += static_cast<double>(source.sessions());
      }
      if (source.files) {
        absl::StatusOr<std::map<std::string, int64_t>> counts = source.files();
        if (!counts.ok()) continue;
        any_files = true;
        for (const auto& [status, n] : *counts) files[status] += static_cast<double>(n);
      }
    }
    std::vector<prometheus::MetricFamily> out;
    if (any_sessions) {
      out.push_back(
          Gauge("assistd_sandbox_sessions", "Live sandbox sessions.", "", {{"", sessions}}));
    }
    if (any_files) {
      out.push_back(Gauge("assistd_ingestion_queue_depth",
                          "Vector store files waiting for or in ingestion (in_progress).", "",
                          {{"", files["in_progress"]}}));
      out.push_back(
          Gauge("assistd_vector_store_files", "Vector store files by status.", "status", files));
    }
    return out;
  }

 private:
  struct Source {
    uint64_t id;
    SessionsFn sessions;
    FilesFn files;
  };

  // One gauge family; an empty `label` means one unlabelled sample.
  static prometheus::MetricFamily Gauge(const std::string& name, const std::string& help,
                                        const std::string& label,
                                        const std::map<std::string, double>& values) {
    prometheus::MetricFamily family;
    family.name = name;
    family.help = help;
    family.type = prometheus::MetricType::Gauge;
    for (const auto& [value_label, value] : values) {
      prometheus::ClientMetric m;
      if (!label.empty()) m.label.push_back({label, value_label});
      m.gauge.value = value;
      family.metric.push_back(std::move(m));
    }
    return family;
  }

  mutable absl::Mutex mu_;
  std::vector<Source> sources_ ABSL_GUARDED_BY(mu_);
  uint64_t last_id_ ABSL_GUARDED_BY(mu_) = 0;
};

class SourceRegistration final : public Registration {
 public:
  SourceRegistration(GaugeSources* sources, uint64_t id) : sources_(sources), id_(id) {}
  ~SourceRegistration() override { sources_->Remove(id_); }

 private:
  GaugeSources* const sources_;  // process-lifetime
  const uint64_t id_;
};

// The process's metrics. Created on first use and never destroyed, so
// threads still recording at exit find it alive.
class State {
 public:
  State()
      : registry(std::make_shared<prometheus::Registry>()),
        sources(std::make_shared<GaugeSources>()),
        grpc_requests(prometheus::BuildCounter()
                          .Name("assistd_grpc_requests_total")
                          .Help("Finished gRPC calls by service, method and status code.")
                          .Register(*registry)),
        grpc_latency(prometheus::BuildHistogram()
                         .Name("assistd_grpc_request_duration_seconds")
                         .Help("gRPC call latency (streams: until the status is sent).")
                         .Register(*registry)),
        runs(prometheus::BuildCounter()
                 .Name("assistd_runs_total")
                 .Help("Runs that reached a terminal status.")
                 .Register(*registry)),
        model_latency(prometheus::BuildHistogram()
                          .Name("assistd_model_call_duration_seconds")
                          .Help("One model call, retries included.")
                          .Register(*registry)),
        model_tokens(prometheus::BuildCounter()
                         .Name("assistd_model_tokens_total")
                         .Help("Tokens reported by model servers.")
                         .Register(*registry)),
        prompt_tokens(model_tokens.Add({{"kind", "prompt"}})),
        completion_tokens(model_tokens.Add({{"kind", "completion"}})),
        sandbox_latency(prometheus::BuildHistogram()
                            .Name("assistd_sandbox_execute_duration_seconds")
                            .Help("One sandbox code execution.")
                            .Register(*registry)
                            .Add({}, LatencyBuckets())),
        keyword_searches(prometheus::BuildCounter()
                             .Name("assistd_keyword_searches_total")
                             .Help("Keyword searches of vector stores by the index that "
                                   "answered (memory, or fts5 while that is built).")
                             .Register(*registry)),
        keyword_memory(keyword_searches.Add({{"index", "memory"}})),
        keyword_fts5(keyword_searches.Add({{"index", "fts5"}})) {
    // Known label values start at 0, so rate() sees their first increase.
    for (const char* status : kRunStatuses) runs.Add({{"status", status}});
  }

  // Made on first use: they stay out of /metrics until the gateway exists.
  Family<Counter>& HttpRequests() {
    absl::MutexLock lock(&mu);
    if (http_requests == nullptr) {
      http_requests = &prometheus::BuildCounter()
                           .Name("assistd_http_requests_total")
                           .Help("REST gateway requests by route template and HTTP status.")
                           .Register(*registry);
      http_latency = &prometheus::BuildHistogram()
                          .Name("assistd_http_request_duration_seconds")
                          .Help("REST gateway request latency by route template.")
                          .Register(*registry);
    }
    return *http_requests;
  }
  Family<Histogram>& HttpLatency() {
    HttpRequests();
    absl::MutexLock lock(&mu);
    return *http_latency;
  }

  // `model`, or "other" once kMaxModelLabels distinct names have been seen.
  std::string ModelLabel(absl::string_view model) {
    absl::MutexLock lock(&mu);
    if (models.contains(model)) return std::string(model);
    if (models.size() >= kMaxModelLabels) return kOther;
    models.insert(std::string(model));
    return std::string(model);
  }

  const std::shared_ptr<prometheus::Registry> registry;
  const std::shared_ptr<GaugeSources> sources;
  Family<Counter>& grpc_requests;
  Family<Histogram>& grpc_latency;
  Family<Counter>& runs;
  Family<Histogram>& model_latency;
  Family<Counter>& model_tokens;
  Counter& prompt_tokens;
  Counter& completion_tokens;
  Histogram& sandbox_latency;
  Family<Counter>& keyword_searches;
  Counter& keyword_memory;
  Counter& keyword_fts5;

  absl::Mutex mu;
  Family<Counter>* http_requests ABSL_GUARDED_BY(mu) = nullptr;
  Family<Histogram>* http_latency ABSL_GUARDED_BY(mu) = nullptr;
  absl::flat_hash_set<std::string> models ABSL_GUARDED_BY(mu);
};

State& S() {
  static State* state = new State();
  return *state;
}

class CivetExposer final : public Exposer {
 public:
  CivetExposer(std::unique_ptr<prometheus::Exposer> exposer, int port)
      : exposer_(std::move(exposer)), port_(port) {}
  int port() const override { return port_; }

 private:
  const std::unique_ptr<prometheus::Exposer> exposer_;
  const int port_;
};

}  // namespace

void GrpcRequestFinished(absl::string_view service, absl::string_view method,
                         absl::string_view code, absl::Duration latency) {
  State& s = S();
  const std::string svc(service), m(method);
  s.grpc_requests.Add({{"service", svc}, {"method", m}, {"code", std::string(code)}}).Increment();
  s.grpc_latency.Add({{"service", svc}, {"method", m}}, LatencyBuckets()).Observe(Seconds(latency));
}

void KeywordSearchAnswered(bool from_memory) {
  (from_memory ? S().keyword_memory : S().keyword_fts5).Increment();
}

void HttpRequestFinished(absl::string_view route, int status_code, absl::Duration latency) {
  State& s = S();
  const std::string r(route);
  s.HttpRequests().Add({{"route", r}, {"code", absl::StrCat(status_code)}}).Increment();
  s.HttpLatency().Add({{"route", r}}, LatencyBuckets()).Observe(Seconds(latency));
}

void RunFinished(absl::string_view status) {
  S().runs.Add({{"status", std::string(status)}}).Increment();
}

void ModelCallFinished(absl::string_view model, absl::Duration latency) {
  State& s = S();
  const std::string label = s.ModelLabel(model);
  s.model_latency.Add({{"model", label}}, LatencyBuckets()).Observe(Seconds(latency));
}

void ModelTokensUsed(int64_t prompt_tokens, int64_t completion_tokens) {
  State& s = S();
  if (prompt_tokens > 0) s.prompt_tokens.Increment(static_cast<double>(prompt_tokens));
  if (completion_tokens > 0) s.completion_tokens.Increment(static_cast<double>(completion_tokens));
}

void SandboxExecuteFinished(absl::Duration latency) {
  S().sandbox_latency.Observe(Seconds(latency));
}

std::unique_ptr<Registration> ProvideSandboxSessions(std::function<int64_t()> live_sessions) {
  GaugeSources* sources = S().sources.get();
  return std::make_unique<SourceRegistration>(sources,
                                              sources->Add(std::move(live_sessions), nullptr));
}

std::unique_ptr<Registration> ProvideVectorStoreFiles(
    std::function<absl::StatusOr<std::map<std::string, int64_t>>()> files_by_status) {
  GaugeSources* sources = S().sources.get();
  return std::make_unique<SourceRegistration>(sources,
                                              sources->Add(nullptr, std::move(files_by_status)));
}

std::string RenderText() {
  State& s = S();
  std::vector<prometheus::MetricFamily> families = s.registry->Collect();
  for (prometheus::MetricFamily& f : s.sources->Collect()) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

absl::StatusOr<std::unique_ptr<Exposer>> Exposer::Start(const std::string& addr) {
  State& s = S();
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(addr, /*num_threads=*/2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", addr, ": ", e.what()));
  }
  const std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.empty() || ports.front() <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", addr));
  }
  exposer->RegisterCollectable(s.registry);
  exposer->RegisterCollectable(s.sources);
  return std::unique_ptr<Exposer>(new CivetExposer(std::move(exposer), ports.front()));
}

}  // namespace assistd::metrics
