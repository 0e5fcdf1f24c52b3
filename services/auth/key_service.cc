#include "services/auth/key_service.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/sha256.h"
#include "services/common/grpc_status.h"

namespace assistd::auth {

grpc::Status KeyServiceImpl::ResolveKey(grpc::ServerContext* /*ctx*/,
                                        const v1::ResolveKeyRequest* req,
                                        v1::ResolveKeyResponse* resp) {
  absl::StatusOr<std::string> project = store_->Lookup(req->key());
  if (!project.ok()) return ToGrpcStatus(project.status());
  resp->set_project(*std::move(project));
  return grpc::Status::OK;
}

RemoteKeyResolver::RemoteKeyResolver(std::shared_ptr<grpc::Channel> channel,
                                     RemoteKeyResolverOptions options)
    : stub_(v1::KeyService::NewStub(channel)), options_(options) {}

absl::StatusOr<std::string> RemoteKeyResolver::Lookup(absl::string_view key) {
  const std::string hash = Sha256Hex(key);
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && it->second.expires > now) return it->second.project;
  }
  absl::StatusOr<std::string> project = Ask(key);
  // Only answers are kept; an unreachable store is asked again next time.
  if (project.ok() || absl::IsUnauthenticated(project.status())) {
    absl::MutexLock lock(&mu_);
    if (cache_.size() > 100000) cache_.clear();  // bounds memory under key guessing
    cache_[hash] = {project, now + (project.ok() ? options_.ttl : options_.negative_ttl)};
  }
  return project;
}

absl::StatusOr<std::string> RemoteKeyResolver::Ask(absl::string_view key) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::microseconds(absl::ToInt64Microseconds(options_.timeout)));
  v1::ResolveKeyRequest req;
  req.set_key(std::string(key));
  v1::ResolveKeyResponse resp;
  absl::Status status = FromGrpcStatus(stub_->ResolveKey(&ctx, req, &resp));
  if (status.ok()) return resp.project();
  if (absl::IsUnauthenticated(status)) return status;
  return absl::UnavailableError(
      absl::StrCat("The API key could not be checked (key store: ", status.message(), ")."));
}

}  // namespace assistd::auth
