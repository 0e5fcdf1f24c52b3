#ifndef ASSISTD_SERVICES_AUTH_KEY_SERVICE_H_
#define ASSISTD_SERVICES_AUTH_KEY_SERVICE_H_

// One key store for a split deployment: the process whose data dir holds
// keys.db serves assistd.v1.KeyService over its KeyStore, and the others
// (--keys_addr) resolve keys through RemoteKeyResolver, which caches
// answers briefly so that a call costs no round trip in the common case.

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "assistd/v1/keys.grpc.pb.h"
#include "services/auth/key_store.h"

namespace assistd::auth {

// The gRPC adapter over a KeyStore (which must outlive it).
class KeyServiceImpl final : public v1::KeyService::Service {
 public:
  explicit KeyServiceImpl(KeyStore* store) : store_(store) {}
  grpc::Status ResolveKey(grpc::ServerContext* ctx, const v1::ResolveKeyRequest* req,
                          v1::ResolveKeyResponse* resp) override;

 private:
  KeyStore* const store_;
};

struct RemoteKeyResolverOptions {
  // How long an answer is reused: a revoked key keeps working on the other
  // processes for up to `ttl`; an unknown key is asked again after
  // `negative_ttl`.
  absl::Duration ttl = absl::Seconds(30);
  absl::Duration negative_ttl = absl::Seconds(2);
  absl::Duration timeout = absl::Seconds(5);
};

// Thread-safe.
class RemoteKeyResolver {
 public:
  RemoteKeyResolver(std::shared_ptr<grpc::Channel> channel, RemoteKeyResolverOptions options);

  // The key's project; Unauthenticated (the key store's message) for a
  // refused key; Unavailable when the key store cannot be reached.
  absl::StatusOr<std::string> Lookup(absl::string_view key);

 private:
  struct Answer {
    absl::StatusOr<std::string> project;
    absl::Time expires;
  };
  absl::StatusOr<std::string> Ask(absl::string_view key);

  const std::unique_ptr<v1::KeyService::Stub> stub_;
  const RemoteKeyResolverOptions options_;
  absl::Mutex mu_;
  // By SHA-256 of the key: the process keeps no key in memory.
  absl::flat_hash_map<std::string, Answer> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace assistd::auth

#endif  // ASSISTD_SERVICES_AUTH_KEY_SERVICE_H_
