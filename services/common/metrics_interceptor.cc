#include "services/common/metrics_interceptor.h"

#include <google/protobuf/descriptor.h>

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/metrics/metrics.h"

namespace assistd {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Whether `service`.`method` is a method of a proto service linked into
// this binary. gRPC's health service is built on its own (upb) messages,
// outside the protobuf descriptor pool.
bool KnownMethod(absl::string_view service, absl::string_view method) {
  if (service == "grpc.health.v1.Health") return method == "Check" || method == "Watch";
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
             absl::StrCat(service, ".", method)) != nullptr;
}

// One per call; gRPC creates it when the call arrives and deletes it when
// the call is done. Its hooks run one at a time.
class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method() != nullptr ? info->method() : ""),
        start_(std::chrono::steady_clock::now()) {}
  ~MetricsInterceptor() override {
    if (!recorded_) Record(grpc::StatusCode::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Record(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Record(grpc::StatusCode code) {
    if (recorded_) return;
    recorded_ = true;
    const auto [service, method] = SplitGrpcMethod(method_);
    metrics::GrpcRequestFinished(service, method,
                                 absl::StatusCodeToString(static_cast<absl::StatusCode>(code)),
                                 absl::FromChrono(std::chrono::steady_clock::now() - start_));
  }

  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
  bool recorded_ = false;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewMetricsInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>();
}

std::pair<std::string, std::string> SplitGrpcMethod(absl::string_view full_method) {
  if (!absl::ConsumePrefix(&full_method, "/")) return {"unknown", "unknown"};
  const size_t slash = full_method.find('/');
  if (slash == absl::string_view::npos || slash == 0 || slash + 1 == full_method.size() ||
      full_method.find('/', slash + 1) != absl::string_view::npos) {
    return {"unknown", "unknown"};
  }
  const absl::string_view service = full_method.substr(0, slash);
  const absl::string_view method = full_method.substr(slash + 1);
  if (!KnownMethod(service, method)) return {"unknown", "unknown"};
  return {std::string(service), std::string(method)};
}

}  // namespace assistd
