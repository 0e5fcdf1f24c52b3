#include "services/retrieval/retrieval_module.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "assistd/v1/files.grpc.pb.h"
#include "common/status_macros.h"
#include "indexer/embed/hashed_embedder.h"
#include "services/common/grpc_status.h"
#include "services/common/project.h"
#include "services/retrieval/vector_store_core.h"
#include "services/retrieval/vector_store_service.h"

namespace assistd::retrieval {
namespace {

// Extraction of a big PDF can take minutes (the runner's wall limit); a
// call past this is treated as a hung peer.
constexpr absl::Duration kFileCallDeadline = absl::Minutes(10);
// Pages asked for per GetFileText call; halved when an answer would not fit
// in one message (RESOURCE_EXHAUSTED).
constexpr int kPagesPerCall = 64;
// How long a call waits for this server to start when files are local.
constexpr absl::Duration kServerStartWait = absl::Seconds(60);
constexpr absl::Duration kServerStartPoll = absl::Milliseconds(50);

extract::Format ParseFormat(absl::string_view name) {
  using extract::Format;
  for (Format f : {Format::kPdf, Format::kText, Format::kMarkdown, Format::kHtml, Format::kJson,
                   Format::kCsv, Format::kCode, Format::kDocx, Format::kPptx}) {
    if (extract::FormatName(f) == name) return f;
  }
  return Format::kUnknown;
}

void AppendPages(const v1::GetFileTextResponse& resp, extract::Document* doc) {
  for (const v1::TextPage& p : resp.pages()) {
    extract::TextPage page;
    page.number = p.page_number();
    page.text = p.text();
    page.has_text_layer = p.has_text_layer();
    doc->pages.push_back(std::move(page));
  }
}

// Reads files through FileService, as the caller's project. gRPC errors come
// back with their code and message, so "unsupported_file: ..." and
// "invalid_file: ..." reach the core intact. Thread-safe.
class GrpcFileSource final : public FileSource {
 public:
  // `channels` must outlive this object.
  explicit GrpcFileSource(ChannelRegistry* channels) : channels_(channels) {}

  // Makes calls waiting for the server to start fail at once (Unavailable).
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }

  absl::StatusOr<std::string> Filename(const std::string& project,
                                       const std::string& file_id) override {
    ASSIGN_OR_RETURN(auto stub, Stub());
    grpc::ClientContext ctx;
    Prepare(&ctx, project);
    v1::GetFileRequest req;
    req.set_file_id(file_id);
    v1::File file;
    RETURN_IF_ERROR(FromGrpcStatus(stub->GetFile(&ctx, req, &file)));
    return file.filename();
  }

  absl::StatusOr<extract::Document> Text(const std::string& project,
                                         const std::string& file_id) override {
    extract::Document doc;
    int max_pages = kPagesPerCall;
    while (true) {
      v1::GetFileTextResponse resp;
      absl::Status s =
          TextPages(project, file_id, static_cast<int>(doc.pages.size()) + 1, max_pages, &resp);
      if (absl::IsResourceExhausted(s) && max_pages > 1) {
        max_pages = std::max(1, max_pages / 2);
        continue;
      }
      RETURN_IF_ERROR(s);
      doc.format = ParseFormat(resp.format());
      AppendPages(resp, &doc);
      if (static_cast<int>(doc.pages.size()) >= resp.total_pages()) return doc;
      if (resp.pages_size() == 0) {
        return absl::DataLossError(absl::StrCat("file ", file_id, ": text stops at page ",
                                                doc.pages.size(), " of ", resp.total_pages()));
      }
    }
  }

 private:
  static void Prepare(grpc::ClientContext* ctx, const std::string& project) {
    SetProject(ctx, project);
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + kFileCallDeadline));
  }

  // Resolved per call. A local files service is reachable only once the
  // server has started, and the core resumes unfinished files as soon as it
  // is created, so wait for the server (FailedPrecondition) a while.
  absl::StatusOr<std::unique_ptr<v1::FileService::Stub>> Stub() {
    const absl::Time give_up = absl::Now() + kServerStartWait;
    while (true) {
      absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
          channels_->ChannelFor(ServiceId::kFiles);
      if (channel.ok()) return v1::FileService::NewStub(*channel);
      if (!absl::IsFailedPrecondition(channel.status()) || !WaitBeforeRetry(give_up)) {
        return absl::UnavailableError(
            absl::StrCat("files service unreachable: ", channel.status().message()));
      }
    }
  }

  // False once stopping or past `give_up`.
  bool WaitBeforeRetry(absl::Time give_up) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithDeadline(absl::Condition(&stopping_),
                          std::min(give_up, absl::Now() + kServerStartPoll));
    return !stopping_ && absl::Now() < give_up;
  }

  // A fresh stub per call: the registry stops handing out the in-process
  // channel when the server shuts down.
  absl::Status TextPages(const std::string& project, const std::string& file_id, int first_page,
                         int max_pages, v1::GetFileTextResponse* resp) {
    ASSIGN_OR_RETURN(auto stub, Stub());
    grpc::ClientContext ctx;
    Prepare(&ctx, project);
    v1::GetFileTextRequest req;
    req.set_file_id(file_id);
    req.set_first_page(first_page);
    req.set_max_pages(max_pages);
    return FromGrpcStatus(stub->GetFileText(&ctx, req, resp));
  }

  ChannelRegistry* const channels_;  // not owned
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

// Members in dependency order: destroyed service first, embedder last.
class RetrievalModule final : public HostedService {
 public:
  RetrievalModule(std::unique_ptr<embed::Embedder> embedder, std::unique_ptr<GrpcFileSource> files,
                  std::unique_ptr<VectorStoreCore> core)
      : embedder_(std::move(embedder)),
        files_(std::move(files)),
        core_(std::move(core)),
        service_(core_.get()) {}
  // Releases ingestion workers still waiting for the server to start, so
  // that the core (destroyed next) can join them.
  ~RetrievalModule() override { Stop(); }
  std::vector<grpc::Service*> grpc_services() override { return {&service_}; }
  void Stop() override {
    files_->Stop();
    core_->StopBackgroundWork();
  }

 private:
  std::unique_ptr<embed::Embedder> embedder_;
  std::unique_ptr<GrpcFileSource> files_;
  std::unique_ptr<VectorStoreCore> core_;
  VectorStoreService service_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HostedService>> NewRetrievalModule(RetrievalModuleOptions options,
                                                                  ChannelRegistry* channels) {
  std::unique_ptr<embed::Embedder> embedder = embed::NewHashedEmbedder();
  auto files = std::make_unique<GrpcFileSource>(channels);
  VectorStoreCoreOptions core_options;
  core_options.data_dir = options.data_dir;
  core_options.files = files.get();
  core_options.embedder = embedder.get();
  core_options.ingest_workers = options.ingest_workers;
  core_options.snapshot_interval = options.snapshot_interval;
  ASSIGN_OR_RETURN(std::unique_ptr<VectorStoreCore> core,
                   VectorStoreCore::Create(std::move(core_options)));
  return std::unique_ptr<HostedService>(
      new RetrievalModule(std::move(embedder), std::move(files), std::move(core)));
}

}  // namespace assistd::retrieval
