#ifndef ASSISTD_SERVICES_FILES_FILES_MODULE_H_
#define ASSISTD_SERVICES_FILES_FILES_MODULE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "indexer/extract/extraction_runner.h"
#include "services/common/channel_registry.h"
#include "services/common/hosted_service.h"

namespace assistd::files {

struct FilesModuleOptions {
  std::string data_dir;                            // files.db, blobs/
  int64_t max_upload_bytes = int64_t{512} << 20;
  extract::ExtractionRunnerOptions extraction;     // worker path and limits
};

// The files part of assistd: FileStore + extraction workers + FileService.
// Deleting a file detaches it from vector stores through the retrieval
// service's stub (an UNIMPLEMENTED or absent retrieval is logged, not an
// error). `channels` must outlive the module.
absl::StatusOr<std::unique_ptr<HostedService>> NewFilesModule(
    FilesModuleOptions options, ChannelRegistry* channels);

}  // namespace assistd::files

#endif  // ASSISTD_SERVICES_FILES_FILES_MODULE_H_
