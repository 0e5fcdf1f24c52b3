#ifndef ASSISTD_SERVICES_GATEWAY_ROUTES_H_
#define ASSISTD_SERVICES_GATEWAY_ROUTES_H_

// The REST endpoints of spec section 1, by group. Each Add* registers its
// routes under /v1; `env` must outlive `router`. Internal to
// services/gateway.

#include "services/gateway/route_util.h"
#include "services/gateway/router.h"

namespace assistd::gateway {

// /assistants: create, list, get, update, delete.
void AddAssistantRoutes(const RouteEnv* env, Router* router);
// /threads (create, get, update, delete) and /threads/{id}/messages.
void AddThreadRoutes(const RouteEnv* env, Router* router);
// /threads/runs, /threads/{id}/runs (incl. SSE), cancel, tool outputs, steps.
void AddRunRoutes(const RouteEnv* env, Router* router);
// /files: multipart upload (streamed), list, get, delete, content.
void AddFileRoutes(const RouteEnv* env, Router* router);
// /vector_stores, their files, file batches and search.
void AddVectorStoreRoutes(const RouteEnv* env, Router* router);

}  // namespace assistd::gateway

// The unary call `Service.Method` on the channel, for UnaryRoute.
#define ASSISTD_GATEWAY_RPC(Service, Method)                                        \
  [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* client,    \
     const auto& request, auto* response) {                                         \
    return ::assistd::v1::Service::NewStub(channel)->Method(client, request, response); \
  }

#endif  // ASSISTD_SERVICES_GATEWAY_ROUTES_H_
