#include "services/files/files_module.h"

#include <grpcpp/client_context.h>

#include "absl/time/clock.h"
#include "assistd/v1/vector_stores.grpc.pb.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "services/common/project.h"
#include "services/files/file_store.h"
#include "services/files/files_service.h"

namespace assistd::files {
namespace {

constexpr absl::Duration kDetachDeadline = absl::Seconds(30);

class FilesModule final : public HostedService {
 public:
  FilesModule(std::unique_ptr<extract::ExtractionRunner> runner,
              std::unique_ptr<FileStore> store)
      : runner_(std::move(runner)), store_(std::move(store)), service_(store_.get()) {}
  std::vector<grpc::Service*> grpc_services() override { return {&service_}; }
  void Stop() override { store_->StopReaper(); }

 private:
  std::unique_ptr<extract::ExtractionRunner> runner_;
  std::unique_ptr<FileStore> store_;
  FilesService service_;
};

// Tells retrieval to forget a deleted file. Best effort: the file is gone
// either way, and retrieval treats a missing file as detached.
void DetachFromVectorStores(ChannelRegistry* channels, const std::string& project,
                            const std::string& file_id) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      channels->ChannelFor(ServiceId::kRetrieval);
  if (!channel.ok()) {
    LogWarning("files: cannot detach ", file_id, " from vector stores: ",
               channel.status().message());
    return;
  }
  auto stub = v1::VectorStoreService::NewStub(*channel);
  grpc::ClientContext ctx;
  SetProject(&ctx, project);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + kDetachDeadline));
  v1::DetachFileFromAllStoresRequest req;
  req.set_file_id(file_id);
  v1::DetachFileFromAllStoresResponse resp;
  grpc::Status s = stub->DetachFileFromAllStores(&ctx, req, &resp);
  if (!s.ok() && s.error_code() != grpc::StatusCode::UNIMPLEMENTED) {
    LogWarning("files: detaching ", file_id, " from vector stores failed: ",
               s.error_message());
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<HostedService>> NewFilesModule(
    FilesModuleOptions options, ChannelRegistry* channels) {
  ASSIGN_OR_RETURN(auto runner, extract::ExtractionRunner::Create(options.extraction));
  FileStoreOptions store_options;
  store_options.data_dir = options.data_dir;
  store_options.max_upload_bytes = options.max_upload_bytes;
  extract::ExtractionRunner* r = runner.get();
  store_options.extractor = [r](const std::string& path, absl::string_view filename) {
    return r->Extract(path, filename);
  };
  store_options.on_delete = [channels](const std::string& project, const std::string& id) {
    DetachFromVectorStores(channels, project, id);
  };
  ASSIGN_OR_RETURN(auto store, FileStore::Create(std::move(store_options)));
  return std::unique_ptr<HostedService>(
      new FilesModule(std::move(runner), std::move(store)));
}

}  // namespace assistd::files
