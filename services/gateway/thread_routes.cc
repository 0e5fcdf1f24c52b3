// REST -> assistd.v1.ThreadService (threads and messages).
#include "assistd/v1/threads.grpc.pb.h"
#include "services/gateway/routes.h"

namespace assistd::gateway {
namespace {

void AddMessageRoutes(const RouteEnv* env, Router* router) {
  const std::string messages = "/v1/threads/{thread_id}/messages";
  const std::string message = messages + "/{message_id}";
  router->Add("POST", messages,
              UnaryRoute<v1::CreateMessageRequest, v1::Message>(
                  env, ASSISTD_GATEWAY_RPC(ThreadService, CreateMessage)));
  router->Add("GET", messages,
              UnaryRoute<v1::ListMessagesRequest, v1::ListMessagesResponse>(
                  env, ASSISTD_GATEWAY_RPC(ThreadService, ListMessages)));
  router->Add("GET", message,
              UnaryRoute<v1::GetMessageRequest, v1::Message>(
                  env, ASSISTD_GATEWAY_RPC(ThreadService, GetMessage)));
  router->Add("POST", message,
              UnaryRoute<v1::UpdateMessageRequest, v1::Message>(
                  env, ASSISTD_GATEWAY_RPC(ThreadService, UpdateMessage)));
  router->Add("DELETE", message,
              UnaryRoute<v1::DeleteMessageRequest, v1::DeleteResponse>(
                  env, ASSISTD_GATEWAY_RPC(ThreadService, DeleteMessage)));
}

}  // namespace

void AddThreadRoutes(const RouteEnv* env, Router* router) {
  router->Add("POST", "/v1/threads",
              UnaryRoute<v1::CreateThreadRequest, v1::Thread>(
                  env, ASSISTD_GATEWAY_RPC(ThreadService, CreateThread)));
  router->Add("GET", "/v1/threads/{thread_id}",
              UnaryRoute<v1::GetThreadRequest, v1::Thread>(
                  env, ASSISTD_GATEWAY_RPC(ThreadService, GetThread)));
  router->Add("POST", "/v1/threads/{thread_id}",
              UnaryRoute<v1::UpdateThreadRequest, v1::Thread>(
                  env, ASSISTD_GATEWAY_RPC(ThreadService, UpdateThread)));
  router->Add("DELETE", "/v1/threads/{thread_id}",
              UnaryRoute<v1::DeleteThreadRequest, v1::DeleteResponse>(
                  env, ASSISTD_GATEWAY_RPC(ThreadService, DeleteThread)));
  AddMessageRoutes(env, router);
}

}  // namespace assistd::gateway
