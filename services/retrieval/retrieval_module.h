#ifndef ASSISTD_SERVICES_RETRIEVAL_RETRIEVAL_MODULE_H_
#define ASSISTD_SERVICES_RETRIEVAL_RETRIEVAL_MODULE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/channel_registry.h"
#include "services/common/hosted_service.h"

namespace assistd::retrieval {

struct RetrievalModuleOptions {
  std::string data_dir;    // retrieval.db and vectors/ go here
  int ingest_workers = 0;  // files ingested at once; 0 = number of cores
  // How often changed vector indexes are written in the background (also
  // at shutdown); zero disables the background writer.
  absl::Duration snapshot_interval = absl::Seconds(60);
};

// The retrieval part of assistd: the hashed embedder, a FileSource that
// reads files through FileService, the VectorStoreCore and its
// VectorStoreService. The FileService channel is taken from `channels` at
// call time: the files service may be hosted by this very server, which
// starts after its modules are created, so early calls (files resumed from
// a previous run) wait for it, up to a minute.
// Errors: VectorStoreCore::Create's (e.g. an unusable data_dir).
// `channels` must outlive the module.
absl::StatusOr<std::unique_ptr<HostedService>> NewRetrievalModule(RetrievalModuleOptions options,
                                                                  ChannelRegistry* channels);

}  // namespace assistd::retrieval

#endif  // ASSISTD_SERVICES_RETRIEVAL_RETRIEVAL_MODULE_H_
