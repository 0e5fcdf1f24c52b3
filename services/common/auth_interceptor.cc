#include "services/common/auth_interceptor.h"

#include <openssl/crypto.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/secure_random.h"
#include "services/common/project.h"

namespace assistd {
namespace {

constexpr int kInternalTokenChars = 32;  // about 190 bits

using grpc::experimental::InterceptionHookPoints;
using ServerMetadata = std::multimap<grpc::string_ref, grpc::string_ref>;

constexpr char kInternalTokenVariable[] = "ASSISTD_INTERNAL_TOKEN";

// OpenAI's wording for a call without a key.
constexpr char kMissingKeyMessage[] =
    "You didn't provide an API key. You need to provide your API key in an "
    "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

bool IsInternalToken(grpc::string_ref value) {
  const std::string& token = InternalCallToken();
  return value.size() == token.size() &&
         CRYPTO_memcmp(value.data(), token.data(), token.size()) == 0;
}

// One per call. Its hooks run one at a time, and it lives as long as the
// call's ServerContext reads metadata, so the map may point into it.
class AuthInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit AuthInterceptor(const KeyResolver* resolver) : resolver_(resolver) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Authenticate(methods->GetRecvInitialMetadata());
    }
    methods->Proceed();
  }

 private:
  void Authenticate(ServerMetadata* md) {
    bool internal = false;
    auto token = md->find(kInternalCallMetadataKey);
    if (token != md->end()) internal = IsInternalToken(token->second);
    md->erase(kInternalCallMetadataKey);
    md->erase(kAuthErrorMetadataKey);
    if (internal) return;  // The in-process caller set the project itself.
    md->erase(kProjectMetadataKey);
    absl::StatusOr<std::string> project = Resolve(*md);
    // Handlers never see the key, so they cannot log it.
    md->erase("authorization");
    if (project.ok()) {
      value_ = *std::move(project);
      md->emplace(kProjectMetadataKey, value_);
    } else {
      value_ = std::string(project.status().message());
      md->emplace(kAuthErrorMetadataKey, value_);
    }
  }

  absl::StatusOr<std::string> Resolve(const ServerMetadata& md) const {
    auto it = md.find("authorization");
    if (it == md.end()) return absl::UnauthenticatedError(kMissingKeyMessage);
    const absl::string_view key =
        BearerToken(absl::string_view(it->second.data(), it->second.size()));
    if (key.empty()) return absl::UnauthenticatedError(kMissingKeyMessage);
    return (*resolver_)(key);
  }

  const KeyResolver* const resolver_;  // owned by the factory
  std::string value_;                  // the project, or the refusal
};

class AuthInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuthInterceptorFactory(KeyResolver resolver) : resolver_(std::move(resolver)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* /*info*/) override {
    return new AuthInterceptor(&resolver_);
  }

 private:
  const KeyResolver resolver_;
};

class InternalCallInterceptor final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kInternalCallMetadataKey, InternalCallToken());
    }
    methods->Proceed();
  }
};

class InternalCallInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* /*info*/) override {
    return new InternalCallInterceptor();
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewAuthInterceptorFactory(KeyResolver resolver) {
  return std::make_unique<AuthInterceptorFactory>(std::move(resolver));
}

const std::string& InternalCallToken() {
  static const std::string* const token = [] {
    const char* shared = std::getenv(kInternalTokenVariable);
    return new std::string(shared != nullptr && *shared != '\0'
                               ? shared
                               : SecureRandomBase62(kInternalTokenChars));
  }();
  return *token;
}

bool InternalTokenIsShared() {
  const char* shared = std::getenv(kInternalTokenVariable);
  return shared != nullptr && *shared != '\0';
}

absl::Status CheckInternalToken() {
  if (!InternalTokenIsShared() || std::strlen(std::getenv(kInternalTokenVariable)) >= 32) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "$", kInternalTokenVariable, " must be at least 32 characters (e.g. `openssl rand -hex 32`)"));
}

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>
NewInternalCallInterceptorFactory() {
  return std::make_unique<InternalCallInterceptorFactory>();
}

absl::string_view BearerToken(absl::string_view authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::StartsWithIgnoreCase(authorization, kScheme)) {
    return "";
  }
  absl::string_view key = authorization.substr(kScheme.size());
  while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
  while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
  return key;
}

}  // namespace assistd
