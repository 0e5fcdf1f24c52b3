#ifndef ASSISTD_TESTS_FAKES_SCRIPTED_HTTP_SERVER_H_
#define ASSISTD_TESTS_FAKES_SCRIPTED_HTTP_SERVER_H_

// A real HTTP/1.1 server on 127.0.0.1 (port 0) whose answers a test scripts
// per method and path: canned JSON, any status with headers (429 +
// Retry-After, 500), slow and chunked (SSE-style) bodies written piece by
// piece, and connections dropped mid-response. It records every request.
//
//   ASSERT_OK_AND_ASSIGN(auto server, ScriptedHttpServer::Start());
//   server->Enqueue("POST", "/v1/embeddings",
//                   ScriptedResponse::WithStatus(429, {{"Retry-After", "2"}}));
//   server->Handle("POST", "/v1/embeddings", [](const ReceivedRequest& r) {
//     return ScriptedResponse::Json(R"({"data":[]})");
//   });
//   request.url = server->Url("/v1/embeddings");
//
// Handlers run on the server's worker threads (at least 8 at a time).
// httplib's sends can raise SIGPIPE when a client hangs up, so Start()
// ignores SIGPIPE for the whole test process.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace assistd::testing {

// One request as the server received it.
struct ReceivedRequest {
  std::string method;
  std::string path;                            // without the query string
  std::string target;                          // as sent, with the query string
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  int remote_port =
      0;  // the client's port: distinct ports, distinct connections

  // The value of header `name` (any case), or "" when absent.
  std::string Header(absl::string_view name) const;
};

// Writes a chunked response body piece by piece. Used on one worker thread.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  // Sends `data` as one HTTP chunk, now (no buffering). False once the
  // client has gone away or the server is stopping.
  virtual bool Write(absl::string_view data) = 0;
  // Waits `duration`; returns false early if the server is stopping.
  virtual bool Sleep(absl::Duration duration) = 0;
};

// How to answer one request.
struct ScriptedResponse {
  int status = 200;
  std::map<std::string, std::string> headers;  // extra response headers
  std::string content_type = "application/json";
  std::string body;
  // Waited before anything is sent (cut short when the server stops).
  absl::Duration delay = absl::ZeroDuration();
  // When set, the body is sent with chunked encoding by this function
  // instead of `body`. Returning false closes the connection without the
  // final chunk (a truncated stream).
  std::function<bool(ChunkWriter&)> stream;
  // When set, Content-Length announces all of `body` but only its first
  // `drop_after` bytes are sent before the connection is closed.
  std::optional<size_t> drop_after;

  static ScriptedResponse Json(absl::string_view json, int status = 200);
  static ScriptedResponse WithStatus(
      int status, std::map<std::string, std::string> headers = {},
      absl::string_view body = "");
  // Sends `chunks` one HTTP chunk each, waiting `gap` before every chunk
  // but the first.
  static ScriptedResponse Chunked(
      std::vector<std::string> chunks, absl::Duration gap,
      absl::string_view content_type = "text/event-stream");
  // A 200 JSON answer whose connection closes halfway through the body.
  static ScriptedResponse DropMidBody();
};

using ScriptedHandler = std::function<ScriptedResponse(const ReceivedRequest&)>;

// Thread-safe. Unscripted requests get 404 with an OpenAI-style error body.
class ScriptedHttpServer {
 public:
  // Listens on 127.0.0.1 with an OS-chosen port, ready when this returns.
  // Internal if it cannot bind.
  // `worker_threads` requests are served at once (more wait for a worker).
  static absl::StatusOr<std::unique_ptr<ScriptedHttpServer>> Start(int worker_threads = 8);
  // Stops accepting, wakes delays and ChunkWriter::Sleep()s, and joins the
  // threads. Handlers that block on something else must be released first;
  // destroy clients first too, or idle keep-alive connections hold worker
  // threads for up to 5 s.
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  int port() const;
  // "http://127.0.0.1:<port>" followed by `path`.
  std::string Url(absl::string_view path = "") const;

  // Answers `method` `path` (exact match, query ignored) with `handler`
  // whenever no enqueued response is waiting. Replaces an earlier handler.
  void Handle(absl::string_view method, absl::string_view path,
              ScriptedHandler handler);
  // Answers the next request to `method` `path` with `response`; queued
  // responses are used once each, in order, before the handler.
  void Enqueue(absl::string_view method, absl::string_view path,
               ScriptedResponse response);

  // Every request so far, in arrival order.
  std::vector<ReceivedRequest> Requests() const;
  int CountRequests(absl::string_view path) const;
  // Distinct client connections seen so far.
  int ConnectionCount() const;

 private:
  struct Impl;
  explicit ScriptedHttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_FAKES_SCRIPTED_HTTP_SERVER_H_
