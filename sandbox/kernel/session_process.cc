#include "sandbox/kernel/session_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/utf8.h"
#include "sandbox/kernel/protocol.h"

namespace assistd::sandbox {
namespace {

constexpr size_t kReadChunk = 64 << 10;
// Per poll round, so one flooding stream cannot starve the others.
constexpr size_t kMaxReadPerRound = 1 << 20;
// After the kernel is done: what may still be drained (a background writer
// could go on forever).
constexpr size_t kMaxFinalDrain = 4 << 20;

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

int MillisUntil(absl::Time deadline) {
  const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
  return static_cast<int>(std::clamp<int64_t>(ms, 0, 1 << 30));
}

bool WriteAll(int fd, absl::string_view data, absl::Time deadline) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    pollfd p{fd, POLLOUT, 0};
    if (absl::Now() > deadline || (poll(&p, 1, MillisUntil(deadline)) < 0 && errno != EINTR)) {
      return false;
    }
  }
  return true;
}

// Length of the incomplete UTF-8 sequence at the end of `s` (0 if none).
size_t IncompleteTail(absl::string_view s) {
  for (size_t k = 1; k <= std::min<size_t>(3, s.size()); ++k) {
    const auto c = static_cast<unsigned char>(s[s.size() - k]);
    if ((c & 0xC0) == 0x80) continue;
    if (c < 0xC2 || c > 0xF4) return 0;  // not a lead byte: invalid on its own
    const size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    return k < need ? k : 0;
  }
  return 0;
}

}  // namespace

std::string SanitizeUtf8(absl::string_view bytes, std::string* carry, bool final) {
  std::string in = *carry;
  in.append(bytes.data(), bytes.size());
  carry->clear();
  if (!final) {
    const size_t tail = IncompleteTail(in);
    carry->assign(in, in.size() - tail, tail);
    in.resize(in.size() - tail);
  }
  std::string out;
  out.reserve(in.size());
  for (size_t pos = 0; pos < in.size();) {
    const Utf8Char c = DecodeUtf8At(in, pos);
    if (c.valid) {
      out.append(in, pos, c.length);
    } else {
      AppendUtf8(kReplacementChar, &out);
    }
    pos += c.length;
  }
  return out;
}

struct SessionProcess::Run {
  const ExecuteLimits* limits;
  ExecuteSink* sink;
  const std::function<void()>* interrupt;
  ExecuteOutcome out;
  int64_t output_bytes = 0;
  bool marker_sent = false;
  int images = 0;
  std::string carry[2];
  bool open[2] = {true, true};  // stdout, stderr pipes not at EOF

  // Forwards to the sink unless it has stopped listening; a sink that
  // stops triggers the interrupt, as a cancelled call must.
  template <typename F>
  void Emit(F f) {
    if (out.cancelled) return;
    if (!f()) {
      out.cancelled = true;
      if (!out.interrupted) {
        out.interrupted = true;
        (*interrupt)();
      }
    }
  }
};

SessionProcess::SessionProcess(pid_t pid, int control_fd, int stdout_fd, int stderr_fd)
    : pid_(pid), control_fd_(control_fd), stdout_fd_(stdout_fd), stderr_fd_(stderr_fd) {
  SetNonBlocking(control_fd_);
  SetNonBlocking(stdout_fd_);
  SetNonBlocking(stderr_fd_);
}

bool SessionProcess::Dead() const {
  pollfd p{control_fd_, POLLIN, 0};
  if (poll(&p, 1, 0) != 1) return false;
  if (p.revents & (POLLHUP | POLLERR)) return true;
  // Readable while idle: EOF (or a stray frame, which is a broken kernel).
  char c;
  const ssize_t n = recv(control_fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n > 0);
}

SessionProcess::~SessionProcess() {
  close(control_fd_);
  close(stdout_fd_);
  close(stderr_fd_);
}

absl::Status SessionProcess::WaitReady(absl::Duration timeout) {
  reader_ = std::make_unique<FrameReader>(4096);
  const absl::Time deadline = absl::Now() + timeout;
  char buf[4096];
  while (true) {
    absl::StatusOr<std::optional<Frame>> frame = reader_->Next();
    if (frame.ok() && frame->has_value() && (*frame)->kind == FrameKind::kReady) break;
    if (!frame.ok() || frame->has_value()) {
      return absl::UnavailableError("the session kernel sent garbage instead of ready");
    }
    pollfd p{control_fd_, POLLIN, 0};
    if (poll(&p, 1, MillisUntil(deadline)) == 0) {
      return absl::DeadlineExceededError("the session kernel did not start in time");
    }
    const ssize_t n = read(control_fd_, buf, sizeof(buf));
    if (n > 0) {
      reader_->Append(absl::string_view(buf, static_cast<size_t>(n)));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      // The jail writes why it failed to stderr before exiting.
      const ssize_t e = read(stderr_fd_, buf, sizeof(buf));
      std::string carry;
      const std::string why =
          e > 0 ? SanitizeUtf8(absl::string_view(buf, static_cast<size_t>(e)), &carry, true) : "";
      return absl::UnavailableError(absl::StrCat(
          "the session process exited before it was ready", why.empty() ? "" : ": ",
          absl::StripTrailingAsciiWhitespace(why)));
    }
  }
  return absl::OkStatus();
}

void SessionProcess::ReadStream(Run* run, int fd, bool final) {
  const int index = fd == stdout_fd_ ? 0 : 1;
  char buf[kReadChunk];
  size_t budget = final ? kMaxFinalDrain : kMaxReadPerRound;
  while (run->open[index] && budget > 0) {
    const ssize_t n = read(fd, buf, std::min(sizeof(buf), budget));
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) run->open[index] = false;
    if (n <= 0) break;
    budget -= static_cast<size_t>(n);
    const int64_t room = std::max<int64_t>(0, run->limits->max_output_bytes - run->output_bytes);
    const size_t take = static_cast<size_t>(std::min<int64_t>(room, n));
    run->output_bytes += static_cast<int64_t>(take);
    std::string text = SanitizeUtf8(absl::string_view(buf, take), &run->carry[index], false);
    if (static_cast<size_t>(n) > take) {
      run->out.truncated = true;
      if (!run->marker_sent) {
        run->marker_sent = true;
        text += SanitizeUtf8("", &run->carry[index], true);
        absl::StrAppend(&text, "\n[output truncated: more than ", run->limits->max_output_bytes,
                        " bytes]\n");
      }
    }
    if (text.empty()) continue;
    run->Emit([&] { return index == 0 ? run->sink->OnStdout(text) : run->sink->OnStderr(text); });
  }
  if (final) {
    const std::string rest = SanitizeUtf8("", &run->carry[index], true);
    if (!rest.empty()) {
      run->Emit([&] { return index == 0 ? run->sink->OnStdout(rest) : run->sink->OnStderr(rest); });
    }
  }
}

bool SessionProcess::HandleFrame(Run* run, const Frame& frame) {
  const std::vector<std::string>& f = frame.fields;
  ExecuteSink* sink = run->sink;
  switch (frame.kind) {
    case FrameKind::kResult: {
      if (f.size() != 1) return false;
      std::string carry;
      const std::string text = SanitizeUtf8(
          absl::string_view(f[0]).substr(0, run->limits->max_output_bytes), &carry, true);
      run->Emit([&] { return sink->OnResult(text); });
      return true;
    }
    case FrameKind::kError: {
      if (f.size() < 2) return false;
      std::vector<std::string> tb;
      std::string carry;
      for (size_t i = 2; i < f.size() && i < 202; ++i) tb.push_back(SanitizeUtf8(f[i], &carry, true));
      const std::string ename = SanitizeUtf8(f[0], &carry, true);
      const std::string evalue = SanitizeUtf8(f[1], &carry, true);
      run->Emit([&] { return sink->OnError(ename, evalue, tb); });
      return true;
    }
    case FrameKind::kImage: {
      if (f.size() != 3) return false;
      if (run->images >= run->limits->max_images ||
          static_cast<int64_t>(f[2].size()) > run->limits->max_image_bytes) {
        const std::string note = absl::StrCat("[image dropped: at most ", run->limits->max_images,
                                              " images of ", run->limits->max_image_bytes,
                                              " bytes per execution]\n");
        run->Emit([&] { return sink->OnStderr(note); });
        return true;
      }
      ++run->images;
      std::string carry;
      const std::string name = SanitizeUtf8(absl::string_view(f[0]).substr(0, 255), &carry, true);
      run->Emit([&] { return sink->OnImage(name, "image/png", f[2]); });
      return true;
    }
    case FrameKind::kFile:
      for (const std::string& path : f) {
        if (static_cast<int>(run->out.changed_files.size()) >= run->limits->max_files) break;
        run->out.changed_files.push_back(path);
      }
      return true;
    case FrameKind::kDone:
      run->out.completed = true;
      return true;
    default:
      return false;
  }
}

bool SessionProcess::ReadControl(Run* run) {
  char buf[kReadChunk];
  for (size_t total = 0; total < kMaxReadPerRound;) {
    const ssize_t n = read(control_fd_, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    if (n <= 0) {
      run->out.failure = "the session process exited";
      return false;
    }
    total += static_cast<size_t>(n);
    reader_->Append(absl::string_view(buf, static_cast<size_t>(n)));
  }
  while (!run->out.completed) {
    absl::StatusOr<std::optional<Frame>> frame = reader_->Next();
    if (!frame.ok() || (frame->has_value() && !HandleFrame(run, **frame))) {
      run->out.failure = "the session kernel broke the protocol";
      return false;
    }
    if (!frame->has_value()) break;
  }
  return true;
}

ExecuteOutcome SessionProcess::Execute(absl::string_view code, const ExecuteLimits& limits,
                                       ExecuteSink* sink, const std::function<void()>& interrupt) {
  Run run{&limits, sink, &interrupt};
  reader_ = std::make_unique<FrameReader>(
      static_cast<size_t>(std::max<int64_t>(limits.max_image_bytes, 1 << 20) + (1 << 20)));
  absl::Time deadline = absl::Now() + limits.timeout;
  if (!WriteAll(control_fd_, EncodeFrame(FrameKind::kExecute, {std::string(code)}), deadline)) {
    run.out.died = true;
    run.out.failure = "cannot send the code to the session kernel";
    return run.out;
  }
  while (!run.out.completed && !run.out.died) {
    if (absl::Now() >= deadline) {
      if (run.out.interrupted) break;  // the grace is over: the caller kills
      run.out.timed_out = true;
      run.out.interrupted = true;
      interrupt();
      deadline = absl::Now() + limits.interrupt_grace;
      continue;
    }
    pollfd fds[3] = {{control_fd_, POLLIN, 0},
                     {run.open[0] ? stdout_fd_ : -1, POLLIN, 0},
                     {run.open[1] ? stderr_fd_ : -1, POLLIN, 0}};
    const bool was_cancelled = run.out.cancelled;
    if (poll(fds, 3, MillisUntil(deadline)) <= 0) continue;
    if (fds[1].revents) ReadStream(&run, stdout_fd_, false);
    if (fds[2].revents) ReadStream(&run, stderr_fd_, false);
    if (fds[0].revents && !ReadControl(&run)) run.out.died = true;
    if (run.out.cancelled && !was_cancelled) {
      deadline = std::min(deadline, absl::Now() + limits.interrupt_grace);
    }
  }
  ReadStream(&run, stdout_fd_, true);
  ReadStream(&run, stderr_fd_, true);
  return run.out;
}

}  // namespace assistd::sandbox
