#include "cli/indexing.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "cli/progress.h"
#include "cli/proto_json.h"
#include "common/status_macros.h"

namespace assistd::cli {
namespace {

std::string FileLabel(const Client& client, const std::string& file_id) {
  v1::GetFileRequest req;
  req.set_file_id(file_id);
  absl::StatusOr<v1::File> file =
      client.Call(client.files(), &v1::FileService::Stub::GetFile, req, "get file");
  return file.ok() ? absl::StrCat(file->filename(), " (", file_id, ")") : file_id;
}

std::string DescribeFailure(const Client& client, const v1::VectorStoreFile& f) {
  const nlohmann::json error = ProtoToJson(f.last_error());
  return absl::StrCat(FileLabel(client, f.id()), ": ", error.value("code", "error"), ": ",
                      error.value("message", ""));
}

// Reports the store's failed files: an error for watched ones, a note for
// the rest.
absl::Status CheckFailures(const Client& client, const std::string& store_id,
                           const std::set<std::string>& watched) {
  v1::ListVectorStoreFilesRequest req;
  req.set_vector_store_id(store_id);
  req.set_filter(v1::VECTOR_STORE_FILE_STATUS_FAILED);
  req.mutable_page()->set_limit(100);
  ASSIGN_OR_RETURN(v1::ListVectorStoreFilesResponse failed,
                   client.Call(client.stores(), &v1::VectorStoreService::Stub::ListVectorStoreFiles,
                               req, absl::StrCat("list failed files of ", store_id)));
  std::vector<std::string> errors;
  int others = 0;
  for (const v1::VectorStoreFile& f : failed.data()) {
    if (watched.count(f.id()) > 0) {
      errors.push_back(DescribeFailure(client, f));
    } else {
      ++others;
    }
  }
  if (others > 0) {
    std::fprintf(stderr, "note: %d earlier file(s) of %s failed to index\n", others,
                 store_id.c_str());
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("indexing failed: ", absl::StrJoin(errors, "; ")));
}

}  // namespace

absl::StatusOr<v1::VectorStore> WaitForIndexing(const Client& client, const std::string& store_id,
                                                const std::set<std::string>& watched,
                                                const IndexingOptions& options) {
  ProgressBar progress = ProgressBar::OnStderr("indexing", "files");
  v1::GetVectorStoreRequest req;
  req.set_vector_store_id(store_id);
  v1::VectorStore store;
  // Small files index in tens of milliseconds: poll fast, then back off.
  absl::Duration pause = absl::Milliseconds(10);
  while (true) {
    absl::StatusOr<v1::VectorStore> got =
        client.Call(client.stores(), &v1::VectorStoreService::Stub::GetVectorStore, req,
                    absl::StrCat("get vector store ", store_id));
    if (!got.ok()) {
      progress.Finish();
      return got.status();
    }
    store = *std::move(got);
    const v1::FileCounts& counts = store.file_counts();
    if (options.show_progress)
      progress.Update(counts.total() - counts.in_progress(), counts.total());
    if (counts.in_progress() == 0) break;
    if (options.interrupt != nullptr && options.interrupt->interrupted()) {
      progress.Finish();
      return absl::CancelledError(absl::StrCat("interrupted while indexing ", store_id));
    }
    absl::SleepFor(pause);
    pause = std::min(pause * 2, options.poll_interval);
  }
  progress.Finish();
  if (store.file_counts().failed() > 0) RETURN_IF_ERROR(CheckFailures(client, store_id, watched));
  return store;
}

}  // namespace assistd::cli
