#ifndef ASSISTD_CLI_CLIENT_H_
#define ASSISTD_CLI_CLIENT_H_

// assistctl's connection to assistd: one channel, a stub per service, and
// call contexts that carry the caller's project.

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "assistd/v1/assistants.grpc.pb.h"
#include "assistd/v1/files.grpc.pb.h"
#include "assistd/v1/runs.grpc.pb.h"
#include "assistd/v1/threads.grpc.pb.h"
#include "assistd/v1/vector_stores.grpc.pb.h"

namespace assistd::cli {

struct ClientOptions {
  // assistd's gRPC address, host:port.
  std::string addr = "127.0.0.1:50051";
  // Sent as the x-assistd-project metadata of every call.
  std::string project = "default";
  // Sent as `authorization: Bearer <api_key>` when not empty (a server with
  // --auth=keys then takes the project from the key).
  std::string api_key;
  // Deadline of each unary call; streams have none.
  absl::Duration timeout = absl::Seconds(30);
};

// "<what>: <server message>" with the call's code.
absl::Status CallError(const grpc::Status& status, absl::string_view what);

// Thread-safe (the stubs are); Client must outlive the contexts it makes.
class Client {
 public:
  explicit Client(ClientOptions options);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // A context for one unary call: project metadata and the deadline.
  std::unique_ptr<grpc::ClientContext> UnaryContext() const;
  // A context for a streaming call: project metadata, no deadline.
  std::unique_ptr<grpc::ClientContext> StreamContext() const;

  // Makes the unary call `method` on `stub`; errors become CallError(what).
  //   ASSIGN_OR_RETURN(v1::File file, client.Call(client.files(),
  //                    &v1::FileService::Stub::GetFile, req, "files get x"));
  template <typename Stub, typename Req, typename Resp>
  absl::StatusOr<Resp> Call(Stub& stub,
                            grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                            const Req& request, absl::string_view what) const {
    Resp response;
    std::unique_ptr<grpc::ClientContext> ctx = UnaryContext();
    grpc::Status status = (stub.*method)(ctx.get(), request, &response);
    if (!status.ok()) return CallError(status, what);
    return response;
  }

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  v1::FileService::Stub& files() const { return *files_; }
  v1::VectorStoreService::Stub& stores() const { return *stores_; }
  v1::AssistantService::Stub& assistants() const { return *assistants_; }
  v1::ThreadService::Stub& threads() const { return *threads_; }
  v1::RunService::Stub& runs() const { return *runs_; }

 private:
  const ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::FileService::Stub> files_;
  std::unique_ptr<v1::VectorStoreService::Stub> stores_;
  std::unique_ptr<v1::AssistantService::Stub> assistants_;
  std::unique_ptr<v1::ThreadService::Stub> threads_;
  std::unique_ptr<v1::RunService::Stub> runs_;
};

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_CLIENT_H_
