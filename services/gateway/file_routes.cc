// REST -> assistd.v1.FileService: multipart upload (form_upload.h), list,
// get, delete, and the raw bytes streamed back.
#include "assistd/v1/files.grpc.pb.h"
#include "services/gateway/form_upload.h"
#include "services/gateway/routes.h"

namespace assistd::gateway {
namespace {

RouteHandler UploadRoute(const RouteEnv* env) {
  return [env](const RequestContext& ctx, const HttpRequest& http, HttpResponse* out) {
    absl::StatusOr<v1::File> file = UploadForm(*env, ctx, http);
    if (!file.ok()) return ReplyError(file.status(), out);
    ReplyJson(*file, out);
  };
}

// GET /v1/files/{file_id}/content: the bytes as they come from the store, in
// pieces of at most 1 MiB, never the whole file in memory.
RouteHandler ContentRoute(const RouteEnv* env) {
  return [env](const RequestContext& ctx, const HttpRequest& http, HttpResponse* out) {
    v1::GetFileContentRequest request;
    request.set_file_id(http.PathParam("file_id"));
    absl::StatusOr<std::shared_ptr<ServerStream<v1::FileChunk>>> stream =
        OpenServerStream<v1::FileChunk>(
            *env, ctx, ServiceId::kFiles,
            [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* client) {
              return v1::FileService::NewStub(channel)->GetFileContent(client, request);
            });
    if (!stream.ok()) return ReplyError(stream.status(), out);
    out->status = 200;
    out->content_type = "application/octet-stream";
    if (!(*stream)->has_first) return;  // an empty file
    out->stream = [stream = *std::move(stream)](BodyWriter& writer) {
      // A failure after the first piece can only cut the body short (the
      // status line went out already): it must look cut to the client.
      v1::FileChunk& chunk = stream->first;
      do {
        if (!writer.Write(chunk.data())) return false;
      } while (stream->reader->Read(&chunk));
      stream->finished = true;
      return stream->reader->Finish().ok();
    };
  };
}

}  // namespace

void AddFileRoutes(const RouteEnv* env, Router* router) {
  RouteOptions no_beta;
  no_beta.assistants_beta = false;  // spec 0: /files needs no OpenAI-Beta
  RouteOptions upload = no_beta;
  upload.stream_body = true;
  router->Add("POST", "/v1/files", UploadRoute(env), upload);
  router->Add("GET", "/v1/files",
              UnaryRoute<v1::ListFilesRequest, v1::ListFilesResponse>(
                  env, ASSISTD_GATEWAY_RPC(FileService, ListFiles), ServiceId::kFiles),
              no_beta);
  router->Add("GET", "/v1/files/{file_id}",
              UnaryRoute<v1::GetFileRequest, v1::File>(
                  env, ASSISTD_GATEWAY_RPC(FileService, GetFile), ServiceId::kFiles),
              no_beta);
  router->Add("DELETE", "/v1/files/{file_id}",
              UnaryRoute<v1::DeleteFileRequest, v1::DeleteResponse>(
                  env, ASSISTD_GATEWAY_RPC(FileService, DeleteFile), ServiceId::kFiles),
              no_beta);
  router->Add("GET", "/v1/files/{file_id}/content", ContentRoute(env), no_beta);
}

}  // namespace assistd::gateway
