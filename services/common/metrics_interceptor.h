#ifndef ASSISTD_SERVICES_COMMON_METRICS_INTERCEPTOR_H_
#define ASSISTD_SERVICES_COMMON_METRICS_INTERCEPTOR_H_

// Counts every RPC a server handles and observes its latency
// (metrics::GrpcRequestFinished), with the status code it ends with.

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace assistd {

// For ServerBuilder::experimental().SetInterceptorCreators. A call's
// latency runs from its arrival to the sending of its status (for a stream:
// to its end); a call that ends without a status sent (the client went
// away, the server shut down) counts as CANCELLED.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewMetricsInterceptorFactory();

// The service and method labels of a call:
// "/assistd.v1.FileService/Upload" -> {"assistd.v1.FileService", "Upload"}.
// A client may send any method name, and gRPC hands calls to unregistered
// methods to interceptors too (they end UNIMPLEMENTED); so a name that is
// not a method of a service compiled into this binary (or gRPC's own
// health service) -> {"unknown", "unknown"}, keeping label values bounded.
std::pair<std::string, std::string> SplitGrpcMethod(absl::string_view full_method);

}  // namespace assistd

#endif  // ASSISTD_SERVICES_COMMON_METRICS_INTERCEPTOR_H_
