#ifndef ASSISTD_TESTS_SECURITY_SANDBOX_FIXTURE_H_
#define ASSISTD_TESTS_SECURITY_SANDBOX_FIXTURE_H_

// A session pool on a temporary state dir, and a sink that records what an
// execution produced, for the sandbox's unit and security tests.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sandbox/session_pool.h"
#include "tests/util/temp_dir.h"

namespace assistd::testing {

// Everything one Execute produced.
struct Recorded {
  std::string stdout_text;
  std::string stderr_text;
  std::vector<std::string> results;
  std::vector<std::string> errors;  // "Ename: evalue"
  std::vector<std::string> tracebacks;
  std::vector<std::pair<std::string, std::string>> images;  // name, data
  std::vector<std::string> files;
  sandbox::ExecuteReport report;
  absl::Status status;
  // The single result, or "" if none.
  std::string result() const { return results.empty() ? "" : results.back(); }
  std::string error() const { return errors.empty() ? "" : errors.back(); }
};

class RecordingSink final : public sandbox::ExecuteSink {
 public:
  explicit RecordingSink(Recorded* out) : out_(out) {}
  bool OnStdout(absl::string_view text) override;
  bool OnStderr(absl::string_view text) override;
  bool OnResult(absl::string_view text) override;
  bool OnError(absl::string_view ename, absl::string_view evalue,
               const std::vector<std::string>& traceback) override;
  bool OnImage(absl::string_view name, absl::string_view mime, absl::string_view data) override;
  bool OnFile(absl::string_view path, int64_t bytes, absl::string_view sha256,
              int64_t modified_at) override;
  // Stop listening after this many stdout events (-1: never).
  int cancel_after_stdout = -1;

 private:
  Recorded* const out_;
};

// True if this host can run the namespace jail (user namespaces as root);
// sets *why otherwise.
bool HostSupportsJail(std::string* why);

// Options for a small pool under `dir`.
sandbox::SessionPoolOptions TestPoolOptions(const TempDir& dir);

// A pool plus helpers. Skips (GTEST_SKIP in the caller via ok()) when the
// host lacks namespaces.
class SandboxHarness {
 public:
  static absl::StatusOr<std::unique_ptr<SandboxHarness>> Create(
      sandbox::SessionPoolOptions options);
  static absl::StatusOr<std::unique_ptr<SandboxHarness>> Create();

  sandbox::SessionPool* pool() { return pool_.get(); }
  const TempDir& dir() const { return *dir_; }
  absl::StatusOr<std::shared_ptr<sandbox::Session>> NewSession(const std::string& owner = "p");
  Recorded Run(sandbox::Session* s, const std::string& code,
               absl::Duration timeout = absl::Seconds(20));

 private:
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<sandbox::SessionPool> pool_;
};

// Pids of the session's processes still alive (cgroup listing plus PID 1).
std::vector<pid_t> SurvivingPids(sandbox::Session* s, pid_t pid1);
// True if no process with this pid exists (or it is a zombie of ours).
bool ProcessGone(pid_t pid);

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_SECURITY_SANDBOX_FIXTURE_H_
