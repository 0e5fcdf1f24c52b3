#ifndef ASSISTD_SERVICES_COMMON_HOSTED_SERVICE_H_
#define ASSISTD_SERVICES_COMMON_HOSTED_SERVICE_H_

#include <grpcpp/impl/codegen/service_type.h>

#include <vector>

namespace assistd {

// One deployable part of assistd (files, retrieval, sandbox, orchestrator)
// as the server hosts it: its gRPC services plus whatever it owns (cores,
// databases, background threads), released when it is destroyed, after the
// server has stopped calling it.
class HostedService {
 public:
  virtual ~HostedService() = default;
  // The services to register; owned by this object.
  virtual std::vector<grpc::Service*> grpc_services() = 0;
  // Stops background work that calls other services (ingestion workers,
  // reapers), while the server can still answer those calls. The server
  // calls it once, before it stops serving; RPCs in flight still work.
  virtual void Stop() {}
};

}  // namespace assistd

#endif  // ASSISTD_SERVICES_COMMON_HOSTED_SERVICE_H_
