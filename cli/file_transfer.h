#ifndef ASSISTD_CLI_FILE_TRANSFER_H_
#define ASSISTD_CLI_FILE_TRANSFER_H_

// Moving file bytes between disk and FileService.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "assistd/v1/files.pb.h"
#include "cli/client.h"
#include "cli/interrupt.h"

namespace assistd::cli {

// Uploads the file at `path` (named by its last path component) with
// `purpose`, streamed in 1 MiB chunks with its size declared up front.
// NotFound/PermissionDenied (naming the path) if it cannot be read; the
// server's errors as CallError("upload <path>"). `interrupt` (may be null)
// aborts the upload.
absl::StatusOr<v1::File> UploadFile(const Client& client, const std::string& path,
                                    absl::string_view purpose,
                                    InterruptWatcher* interrupt = nullptr);

// Writes the bytes of file `file_id` to `path` ("-" = stdout), through a
// temporary file renamed into place once complete. Returns the number of
// bytes written.
absl::StatusOr<int64_t> DownloadFile(const Client& client, const std::string& file_id,
                                     const std::string& path);

// A safe local name for a stored file: its filename without any directory
// part, or the file id when that is empty, "." or "..".
std::string LocalName(const v1::File& file);

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_FILE_TRANSFER_H_
