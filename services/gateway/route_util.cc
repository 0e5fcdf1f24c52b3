#include "services/gateway/route_util.h"

#include <chrono>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/common/grpc_status.h"
#include "services/common/project.h"
#include "services/gateway/http_status.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/sse.h"

namespace assistd::gateway {
namespace {

using google::protobuf::FieldDescriptor;

// Refuses deep nesting before nlohmann's parser (and the destructor of what
// it built) gets to recurse into it.
absl::Status CheckDepth(const std::string& body, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        return absl::InvalidArgumentError(
            absl::StrCat("Request JSON nests deeper than ", max_depth, " levels."));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return absl::OkStatus();
}

// `limit=0` would read as "unset" (proto3) and give the default page;
// OpenAI refuses it, as the services refuse other out-of-range values.
absl::Status CheckLimit(const HttpRequest& request) {
  for (const auto& [key, value] : request.query) {
    int64_t limit = 0;
    if (key == "limit" && absl::SimpleAtoi(value, &limit) && limit == 0) {
      return absl::InvalidArgumentError(
          "Invalid 'limit': integer 0 is out of range. Expected a value of at least 1.");
    }
  }
  return absl::OkStatus();
}

bool IsPollable(const google::protobuf::Message& message) {
  const std::string& name = message.GetDescriptor()->full_name();
  return name == "assistd.v1.Run" || name == "assistd.v1.VectorStoreFile" ||
         name == "assistd.v1.VectorStoreFileBatch" || name == "assistd.v1.File";
}

void ForwardRunStream(ServerStream<v1::RunEvent>& state, BodyWriter& writer) {
  bool connected = writer.Write(SseRecord(state.first));
  bool done = state.first.data_case() == v1::RunEvent::kDone;
  v1::RunEvent event;
  while (connected && !done && state.reader->Read(&event)) {
    connected = writer.Write(SseRecord(event));
    done = event.data_case() == v1::RunEvent::kDone;
  }
  // The client went away, or [DONE] was sent: the gRPC stream is not needed.
  if (!connected || done) state.client.TryCancel();
  absl::Status status = FromGrpcStatus(state.reader->Finish());
  state.finished = true;
  if (!connected || done) return;
  if (absl::IsCancelled(status) && state.tracker != nullptr && state.tracker->stopped()) {
    status = absl::UnavailableError(
        "The server is shutting down; retrieve the run for its outcome.");
  }
  if (!status.ok()) writer.Write(SseError(status));
  writer.Write(SseDone());
}

}  // namespace

bool StreamTracker::Add(grpc::ClientContext* ctx) {
  absl::MutexLock lock(&mu_);
  if (stopped_) return false;
  open_.insert(ctx);
  return true;
}

void StreamTracker::Remove(grpc::ClientContext* ctx) {
  absl::MutexLock lock(&mu_);
  open_.erase(ctx);
}

void StreamTracker::AwaitEmpty(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](std::set<grpc::ClientContext*>* open) { return open->empty(); },
                           &open_),
                       timeout);
}

bool StreamTracker::stopped() {
  absl::MutexLock lock(&mu_);
  return stopped_;
}

void StreamTracker::CancelAll() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
  for (grpc::ClientContext* ctx : open_) ctx->TryCancel();
}

absl::StatusOr<nlohmann::json> ParseBody(const std::string& body, int max_depth) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return nlohmann::json(nullptr);
  RETURN_IF_ERROR(CheckDepth(body, max_depth));
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return absl::InvalidArgumentError(
        "We could not parse the JSON body of your request. (HINT: This likely means you "
        "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
        "but what was sent was not valid JSON. If you have trouble figuring out how to fix "
        "this, please contact us through our help center at help.openai.com.)");
  }
  return json;
}

nlohmann::json QueryJson(const HttpRequest& request) {
  nlohmann::json query = nlohmann::json::object();
  for (const auto& [key, value] : request.query) {
    if (absl::EndsWith(key, "[]")) {
      nlohmann::json& array = query[key];
      if (!array.is_array()) array = nlohmann::json::array();
      array.push_back(value);
    } else {
      query[key] = value;
    }
  }
  return query;
}

absl::Status RequestFromJson(const nlohmann::json& body, const HttpRequest& request,
                             google::protobuf::Message* message) {
  RETURN_IF_ERROR(FromJson(body, message));
  if (!request.query.empty()) {
    RETURN_IF_ERROR(CheckLimit(request));
    RETURN_IF_ERROR(FromJson(QueryJson(request), message));
  }
  const google::protobuf::Descriptor* descriptor = message->GetDescriptor();
  for (const auto& [name, value] : request.path_params) {
    const FieldDescriptor* field = descriptor->FindFieldByName(name);
    if (field != nullptr && !field->is_repeated() &&
        field->type() == FieldDescriptor::TYPE_STRING) {
      message->GetReflection()->SetString(message, field, value);
    }
  }
  return absl::OkStatus();
}

absl::Status RequestFromHttp(const RouteEnv& env, const HttpRequest& request,
                             google::protobuf::Message* message) {
  nlohmann::json body = nullptr;
  if (request.method == "POST") {
    ASSIGN_OR_RETURN(body, ParseBody(request.body, env.max_json_depth));
  }
  return RequestFromJson(body, request, message);
}

bool StreamRequested(const nlohmann::json& body) {
  if (!body.is_object()) return false;
  auto it = body.find("stream");
  return it != body.end() && it->is_boolean() && it->get<bool>();
}

void ReplyJson(const google::protobuf::Message& message, HttpResponse* response) {
  response->status = 200;
  response->content_type = "application/json";
  response->body = DumpJson(ToJson(message));
  if (IsPollable(message)) response->SetHeader("openai-poll-after-ms", "500");
}

void ReplyError(const absl::Status& status, HttpResponse* response) {
  HttpError error = ToHttpError(status);
  response->status = error.status;
  response->content_type = "application/json";
  response->body = DumpJson(error.body);
}

void PrepareClient(const RequestContext& ctx, absl::Duration timeout,
                   grpc::ClientContext* client) {
  SetProject(client, ctx.project);
  if (timeout > absl::ZeroDuration()) {
    client->set_deadline(std::chrono::system_clock::now() +
                         std::chrono::microseconds(absl::ToInt64Microseconds(timeout)));
  }
}

absl::Status CallUnary(
    const RouteEnv& env, const RequestContext& ctx,
    const std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&, grpc::ClientContext*)>&
        call,
    ServiceId service) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, env.channels->ChannelFor(service));
  grpc::ClientContext client;
  PrepareClient(ctx, env.call_timeout, &client);
  return FromGrpcStatus(call(channel, &client));
}

void ReplyRunStream(const RouteEnv& env, const RequestContext& ctx, const OpenRunStream& open,
                    HttpResponse* out) {
  absl::StatusOr<std::shared_ptr<ServerStream<v1::RunEvent>>> state =
      OpenServerStream<v1::RunEvent>(env, ctx, ServiceId::kOrchestrator, open);
  // Errors found before the first event (unknown thread, locked thread,
  // bad request) are ordinary error responses, as with OpenAI.
  if (state.ok() && !(*state)->has_first) {
    state = absl::InternalError("The run stream ended without events.");
  }
  if (!state.ok()) return ReplyError(state.status(), out);
  out->status = 200;
  out->content_type = kSseContentType;
  out->SetHeader("cache-control", "no-cache");
  out->stream = [state = *std::move(state)](BodyWriter& writer) {
    ForwardRunStream(*state, writer);
    return true;  // errors went out as an in-stream error event
  };
}

}  // namespace assistd::gateway
