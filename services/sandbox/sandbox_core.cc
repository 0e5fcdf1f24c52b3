#include "services/sandbox/sandbox_core.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"

namespace assistd::sandbox {
namespace {

absl::Status NonNegative(const std::optional<int64_t>& v, absl::string_view field) {
  if (v.has_value() && *v < 0) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid '", field, "': must not be negative."));
  }
  return absl::OkStatus();
}

// Checks the declared size when the upload is committed.
class CheckedWriter final : public sandbox::SessionDisk::Writer {
 public:
  CheckedWriter(std::unique_ptr<sandbox::SessionDisk::Writer> inner, std::optional<int64_t> declared)
      : inner_(std::move(inner)), declared_(declared) {}
  absl::Status Append(absl::string_view data) override {
    written_ += static_cast<int64_t>(data.size());
    return inner_->Append(data);
  }
  absl::StatusOr<sandbox::SessionFileInfo> Commit() override {
    if (declared_.has_value() && *declared_ != written_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Invalid 'header.bytes': declared ", *declared_, " bytes, received ", written_, "."));
    }
    return inner_->Commit();
  }

 private:
  std::unique_ptr<sandbox::SessionDisk::Writer> inner_;
  const std::optional<int64_t> declared_;
  int64_t written_ = 0;
};

}  // namespace

absl::StatusOr<sandbox::SessionInfo> SandboxCore::CreateSession(const std::string& project,
                                                                const CreateParams& p) {
  RETURN_IF_ERROR(NonNegative(p.idle_timeout_seconds, "idle_timeout_seconds"));
  RETURN_IF_ERROR(NonNegative(p.memory_limit_bytes, "memory_limit_bytes"));
  RETURN_IF_ERROR(NonNegative(p.disk_limit_bytes, "disk_limit_bytes"));
  sandbox::SessionLimits limits = pool_->options().default_limits;
  if (p.idle_timeout_seconds) limits.idle_timeout = absl::Seconds(*p.idle_timeout_seconds);
  if (p.memory_limit_bytes) limits.memory_bytes = *p.memory_limit_bytes;
  if (p.disk_limit_bytes) limits.disk_bytes = *p.disk_limit_bytes;
  // A session needs some memory and disk to start at all.
  limits.memory_bytes = std::max<int64_t>(limits.memory_bytes, 64 << 20);
  limits.disk_bytes = std::max<int64_t>(limits.disk_bytes, 1 << 20);
  ASSIGN_OR_RETURN(auto session, pool_->CreateSession(project, p.thread_id, limits));
  return session->info();
}

absl::StatusOr<sandbox::SessionInfo> SandboxCore::GetSession(const std::string& project,
                                                             const std::string& id) {
  ASSIGN_OR_RETURN(auto session, pool_->Find(project, id));
  return session->info();
}

absl::StatusOr<sandbox::SessionInfo> SandboxCore::CloseSession(const std::string& project,
                                                               const std::string& id) {
  ASSIGN_OR_RETURN(auto session, pool_->Find(project, id));
  return session->Close();
}

absl::StatusOr<sandbox::ExecuteReport> SandboxCore::Execute(const std::string& project,
                                                            const std::string& id,
                                                            absl::string_view code,
                                                            int64_t timeout_ms,
                                                            sandbox::ExecuteSink* sink) {
  if (code.empty()) return absl::InvalidArgumentError("Invalid 'code': must not be empty.");
  if (static_cast<int64_t>(code.size()) > kMaxCodeBytes) {
    return absl::ResourceExhaustedError("'code' is larger than 1 MiB");
  }
  const absl::Duration max = pool_->options().max_timeout;
  if (timeout_ms < 0 || absl::Milliseconds(timeout_ms) > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid 'timeout_ms': must be between 0 and ", absl::ToInt64Milliseconds(max), "."));
  }
  const absl::Duration timeout =
      timeout_ms == 0 ? pool_->options().default_timeout : absl::Milliseconds(timeout_ms);
  ASSIGN_OR_RETURN(auto session, pool_->Find(project, id));
  const absl::Time start = absl::Now();
  absl::StatusOr<sandbox::ExecuteReport> report = session->Execute(code, timeout, sink);
  metrics::SandboxExecuteFinished(absl::Now() - start);
  return report;
}

absl::StatusOr<std::unique_ptr<sandbox::SessionDisk::Writer>> SandboxCore::BeginPut(
    const std::string& project, const std::string& id, absl::string_view path,
    std::optional<int64_t> declared_bytes) {
  RETURN_IF_ERROR(NonNegative(declared_bytes, "header.bytes"));
  RETURN_IF_ERROR(sandbox::ValidateSessionPath(path, "header.path"));
  ASSIGN_OR_RETURN(auto session, pool_->Find(project, id));
  // The disk's own size cap (ENOSPC) bounds the file; this bounds a single
  // upload by the largest disk a session may have.
  ASSIGN_OR_RETURN(auto writer,
                   session->BeginWrite(path, pool_->options().max_limits.disk_bytes));
  return std::unique_ptr<sandbox::SessionDisk::Writer>(
      new CheckedWriter(std::move(writer), declared_bytes));
}

absl::StatusOr<std::unique_ptr<sandbox::OpenSessionFile>> SandboxCore::OpenFile(
    const std::string& project, const std::string& id, absl::string_view path) {
  RETURN_IF_ERROR(sandbox::ValidateSessionPath(path, "path"));
  ASSIGN_OR_RETURN(auto session, pool_->Find(project, id));
  return session->OpenFile(path);
}

absl::StatusOr<FilePage> SandboxCore::ListFiles(const std::string& project,
                                                const std::string& id, const PageParams& page) {
  ASSIGN_OR_RETURN(auto session, pool_->Find(project, id));
  ASSIGN_OR_RETURN(std::vector<sandbox::SessionFileInfo> files, session->ListFiles());
  return PageOfFiles(std::move(files), page);
}

FilePage PageOfFiles(std::vector<sandbox::SessionFileInfo> files, const PageParams& page) {
  if (page.order == SortOrder::kDesc) std::reverse(files.begin(), files.end());
  // "x comes before y in the list's order".
  auto before = [&](const std::string& x, const std::string& y) {
    return page.order == SortOrder::kAsc ? x < y : x > y;
  };
  std::vector<sandbox::SessionFileInfo> in_range;
  for (auto& f : files) {
    if (!page.after.empty() && !before(page.after, f.path)) continue;
    if (!page.before.empty() && !before(f.path, page.before)) continue;
    in_range.push_back(std::move(f));
  }
  FilePage out;
  const size_t limit = static_cast<size_t>(page.limit);
  out.has_more = in_range.size() > limit;
  if (out.has_more && !page.before.empty() && page.after.empty()) {
    // Walking back from `before`: the page nearest to the cursor.
    in_range.erase(in_range.begin(), in_range.end() - static_cast<ptrdiff_t>(limit));
  } else if (out.has_more) {
    in_range.resize(limit);
  }
  out.data = std::move(in_range);
  return out;
}

}  // namespace assistd::sandbox
