#include "services/gateway/form_upload.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "assistd/v1/files.grpc.pb.h"
#include "common/status_macros.h"
#include "services/gateway/json_errors.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/multipart.h"

namespace assistd::gateway {
namespace {

using json_internal::MissingParameter;
using json_internal::UnrecognizedArgument;

// Bytes per Upload message (FileService accepts up to the gRPC message cap).
constexpr size_t kChunkBytes = size_t{1} << 20;
// A form field other than the file is a short string.
constexpr size_t kMaxFieldBytes = 4096;

// An unlinked temporary file: the bytes of a `file` part that came before
// `purpose`.
class Spool final {
 public:
  static absl::StatusOr<std::unique_ptr<Spool>> Create() {
    const char* dir = getenv("TMPDIR");
    std::string path = absl::StrCat(dir != nullptr && *dir != '\0' ? dir : "/tmp",
                                    "/assistd-upload-XXXXXX");
    const int fd = mkstemp(path.data());
    if (fd < 0) {
      return absl::InternalError(absl::StrCat("cannot create a spool file: ", strerror(errno)));
    }
    unlink(path.c_str());
    return std::unique_ptr<Spool>(new Spool(fd));
  }
  ~Spool() { close(fd_); }

  absl::Status Append(absl::string_view data, size_t max_bytes) {
    size_ += data.size();
    if (size_ > max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("File is too large: the limit is ", max_bytes, " bytes."));
    }
    while (!data.empty()) {
      const ssize_t n = write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return absl::InternalError(absl::StrCat("spool write: ", strerror(errno)));
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  // Calls `fn` with the spooled bytes in order, until it returns false.
  absl::Status Replay(const std::function<bool(absl::string_view)>& fn) {
    if (lseek(fd_, 0, SEEK_SET) < 0) return absl::InternalError("spool seek failed");
    std::string buffer(kChunkBytes, '\0');
    while (true) {
      const ssize_t n = read(fd_, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return absl::InternalError(absl::StrCat("spool read: ", strerror(errno)));
      if (n == 0 || !fn(absl::string_view(buffer.data(), static_cast<size_t>(n)))) break;
    }
    return absl::OkStatus();
  }

 private:
  explicit Spool(int fd) : fd_(fd) {}
  const int fd_;
  size_t size_ = 0;
};

class FormUpload final {
 public:
  FormUpload(const RouteEnv& env, const RequestContext& ctx) : env_(env), ctx_(ctx) {}
  ~FormUpload() {
    if (writer_ != nullptr && !finished_) {
      client_.TryCancel();  // nothing is stored from an aborted upload
      writer_->Finish();
    }
    if (tracked_) env_.streams->Remove(&client_);
  }

  // Reads the form (`boundary` from its Content-Type) and uploads its file.
  absl::StatusOr<v1::File> Run(const std::string& boundary, BodyReader& body);

 private:
  bool OnPart(const MultipartPart& part);
  bool OnData(absl::string_view data);
  // Keeps the first error; returns false to stop reading.
  bool Fail(absl::Status status) {
    if (error_.ok()) error_ = std::move(status);
    return false;
  }
  absl::StatusOr<v1::UploadHeader> Header() const;
  // Starts FileService.Upload and sends the header.
  absl::Status Open();
  // Queues file bytes; sends them in kChunkBytes pieces.
  bool Send(absl::string_view data);
  bool Write(absl::string_view chunk);
  // Sends the rest and returns the stored file.
  absl::StatusOr<v1::File> Finish();
  // Ends the call; its status.
  absl::Status EndCall();

  const RouteEnv& env_;
  const RequestContext& ctx_;
  std::map<std::string, std::string> fields_;
  std::string* field_ = nullptr;  // the field being read, or null
  bool in_file_ = false;
  bool file_seen_ = false;
  std::string filename_;
  std::unique_ptr<Spool> spool_;
  grpc::ClientContext client_;
  bool tracked_ = false;
  std::unique_ptr<grpc::ClientWriter<v1::UploadRequest>> writer_;
  v1::File file_;
  bool finished_ = false;
  std::string pending_;
  int64_t sent_ = 0;  // bytes sent in chunks
  absl::Status error_;
};

absl::StatusOr<v1::File> FormUpload::Run(const std::string& boundary, BodyReader& body) {
  MultipartParser parser(
      boundary, [this](const MultipartPart& part) { return OnPart(part); },
      [this](absl::string_view data) { return OnData(data); });
  absl::Status parsed;
  const absl::Status read = body.ReadStream([&](absl::string_view bytes) {
    parsed = parser.Feed(bytes);
    return parsed.ok();
  });
  if (!error_.ok()) return error_;
  RETURN_IF_ERROR(parsed);
  RETURN_IF_ERROR(read);
  RETURN_IF_ERROR(parser.Finish());
  if (!file_seen_) return MissingParameter("file");
  if (spool_ != nullptr) {
    RETURN_IF_ERROR(Open());
    RETURN_IF_ERROR(spool_->Replay([this](absl::string_view data) { return Send(data); }));
    if (!error_.ok()) return error_;
  }
  return Finish();
}

bool FormUpload::OnPart(const MultipartPart& part) {
  field_ = nullptr;
  in_file_ = false;
  if (part.name == "file") {
    if (file_seen_) return Fail(absl::InvalidArgumentError("Invalid 'file': sent more than once."));
    file_seen_ = in_file_ = true;
    filename_ = part.filename.empty() ? "file" : part.filename;
    if (fields_.count("purpose") > 0) {
      absl::Status opened = Open();
      return opened.ok() || Fail(opened);
    }
    absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Create();
    if (!spool.ok()) return Fail(spool.status());
    spool_ = *std::move(spool);
    return true;
  }
  if (part.name != "purpose" && part.name != "expires_after[anchor]" &&
      part.name != "expires_after[seconds]") {
    return Fail(UnrecognizedArgument(part.name));
  }
  if (fields_.count(part.name) > 0) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("Invalid '", part.name, "': sent more than once.")));
  }
  // Once streaming, the header went out: a later field could not apply.
  if (writer_ != nullptr) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "Invalid '", part.name, "': form fields must come before 'file' when 'purpose' does.")));
  }
  field_ = &fields_[part.name];
  return true;
}

bool FormUpload::OnData(absl::string_view data) {
  if (in_file_) {
    if (spool_ == nullptr) return Send(data);
    absl::Status appended = spool_->Append(data, env_.max_spool_bytes);
    return appended.ok() || Fail(appended);
  }
  if (field_ == nullptr) return true;  // preamble
  if (field_->size() + data.size() > kMaxFieldBytes) {
    return Fail(absl::InvalidArgumentError("A form field is longer than 4096 bytes."));
  }
  field_->append(data.data(), data.size());
  return true;
}

absl::StatusOr<v1::UploadHeader> FormUpload::Header() const {
  auto purpose = fields_.find("purpose");
  if (purpose == fields_.end()) return MissingParameter("purpose");
  // Tool outputs are stored by the server only.
  if (purpose->second == "assistants_output") {
    return absl::InvalidArgumentError(
        "Invalid 'purpose': 'assistants_output'. Expected one of 'assistants', 'batch', "
        "'fine-tune', 'vision', 'user_data', 'evals'.");
  }
  nlohmann::json json = {{"purpose", purpose->second}};
  auto anchor = fields_.find("expires_after[anchor]");
  auto seconds = fields_.find("expires_after[seconds]");
  if (anchor != fields_.end() || seconds != fields_.end()) {
    nlohmann::json& expires = json["expires_after"];
    expires = nlohmann::json::object();
    if (anchor != fields_.end()) expires["anchor"] = anchor->second;
    int64_t value = 0;
    if (seconds != fields_.end()) {
      if (absl::SimpleAtoi(seconds->second, &value)) {
        expires["seconds"] = value;
      } else {
        expires["seconds"] = seconds->second;  // FromJson names the type error
      }
    }
  }
  v1::UploadHeader header;
  RETURN_IF_ERROR(FromJson(json, &header));
  header.set_filename(filename_);
  return header;
}

absl::Status FormUpload::Open() {
  ASSIGN_OR_RETURN(v1::UploadHeader header, Header());
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                   env_.channels->ChannelFor(ServiceId::kFiles));
  // No deadline: a large upload may take long; a stalled client is cut off
  // by the HTTP read timeout, which cancels the call.
  PrepareClient(ctx_, absl::ZeroDuration(), &client_);
  if (!env_.streams->Add(&client_)) return absl::UnavailableError("The server is shutting down.");
  tracked_ = true;
  writer_ = v1::FileService::NewStub(channel)->Upload(&client_, &file_);
  header.set_end_marker(true);  // a cut stream must never be stored
  v1::UploadRequest first;
  *first.mutable_header() = std::move(header);
  if (!writer_->Write(first)) return EndCall();
  return absl::OkStatus();
}

bool FormUpload::Send(absl::string_view data) {
  while (!data.empty()) {
    const size_t take = std::min(data.size(), kChunkBytes - pending_.size());
    pending_.append(data.data(), take);
    data.remove_prefix(take);
    if (pending_.size() == kChunkBytes) {
      if (!Write(pending_)) return false;
      pending_.clear();
    }
  }
  return true;
}

bool FormUpload::Write(absl::string_view chunk) {
  v1::UploadRequest message;
  message.set_chunk(std::string(chunk));
  sent_ += static_cast<int64_t>(chunk.size());
  if (writer_->Write(message)) return true;
  // The service ended the call (e.g. the file is too large): its status.
  absl::Status status = EndCall();
  return Fail(status.ok() ? absl::InternalError("The upload ended early.") : status);
}

absl::StatusOr<v1::File> FormUpload::Finish() {
  if (!pending_.empty() && !Write(pending_)) return error_;
  v1::UploadRequest end;
  end.mutable_end()->set_bytes(sent_);
  if (!writer_->Write(end)) {
    absl::Status status = EndCall();
    return status.ok() ? absl::InternalError("The upload ended early.") : status;
  }
  writer_->WritesDone();
  RETURN_IF_ERROR(EndCall());
  return file_;
}

absl::Status FormUpload::EndCall() {
  finished_ = true;
  return FromGrpcStatus(writer_->Finish());
}

}  // namespace

absl::StatusOr<v1::File> UploadForm(const RouteEnv& env, const RequestContext& ctx,
                                    const HttpRequest& request) {
  ASSIGN_OR_RETURN(const std::string boundary,
                   MultipartBoundary(request.Header("content-type")));
  if (request.body_reader == nullptr) return MissingParameter("file");
  FormUpload upload(env, ctx);
  return upload.Run(boundary, *request.body_reader);
}

}  // namespace assistd::gateway
