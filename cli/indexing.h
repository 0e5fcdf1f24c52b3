#ifndef ASSISTD_CLI_INDEXING_H_
#define ASSISTD_CLI_INDEXING_H_

// Waiting for a vector store to finish ingesting its files.

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "assistd/v1/vector_stores.pb.h"
#include "cli/client.h"
#include "cli/interrupt.h"

namespace assistd::cli {

struct IndexingOptions {
  // Time between two GetVectorStore polls.
  // The longest pause between polls (they start at 10 ms and double).
  absl::Duration poll_interval = absl::Milliseconds(200);
  // Show "indexing 2/3 files [...]" on stderr.
  bool show_progress = true;
  // Stops the wait (Cancelled) when interrupted; may be null.
  InterruptWatcher* interrupt = nullptr;
};

// Polls the store until none of its files is in_progress and returns it.
// If any of `watched` (file ids) failed: FailedPrecondition "indexing
// failed: <name> (<id>): <code>: <message>" listing each. Other failed
// files only get a note on stderr. The server's errors as CallError.
absl::StatusOr<v1::VectorStore> WaitForIndexing(const Client& client, const std::string& store_id,
                                                const std::set<std::string>& watched,
                                                const IndexingOptions& options);

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_INDEXING_H_
