// REST -> assistd.v1.AssistantService.
#include "assistd/v1/assistants.grpc.pb.h"
#include "services/gateway/routes.h"

namespace assistd::gateway {

void AddAssistantRoutes(const RouteEnv* env, Router* router) {
  router->Add("POST", "/v1/assistants",
              UnaryRoute<v1::CreateAssistantRequest, v1::Assistant>(
                  env, ASSISTD_GATEWAY_RPC(AssistantService, CreateAssistant)));
  router->Add("GET", "/v1/assistants",
              UnaryRoute<v1::ListAssistantsRequest, v1::ListAssistantsResponse>(
                  env, ASSISTD_GATEWAY_RPC(AssistantService, ListAssistants)));
  router->Add("GET", "/v1/assistants/{assistant_id}",
              UnaryRoute<v1::GetAssistantRequest, v1::Assistant>(
                  env, ASSISTD_GATEWAY_RPC(AssistantService, GetAssistant)));
  router->Add("POST", "/v1/assistants/{assistant_id}",
              UnaryRoute<v1::UpdateAssistantRequest, v1::Assistant>(
                  env, ASSISTD_GATEWAY_RPC(AssistantService, UpdateAssistant)));
  router->Add("DELETE", "/v1/assistants/{assistant_id}",
              UnaryRoute<v1::DeleteAssistantRequest, v1::DeleteResponse>(
                  env, ASSISTD_GATEWAY_RPC(AssistantService, DeleteAssistant)));
}

}  // namespace assistd::gateway
