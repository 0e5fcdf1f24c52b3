#include "cli/file_transfer.h"

#include <cerrno>
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"

namespace assistd::cli {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

// "<what>: <strerror(errno)>".
absl::Status PathError(absl::string_view what) { return absl::ErrnoToStatus(errno, what); }

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

absl::StatusOr<int64_t> FileSize(FILE* f, absl::string_view what) {
  if (std::fseek(f, 0, SEEK_END) != 0) return PathError(what);
  const long size = std::ftell(f);
  if (size < 0 || std::fseek(f, 0, SEEK_SET) != 0) return PathError(what);
  return size;
}

// Writes the header, then the chunks; false once the server stops reading.
bool SendFile(FILE* in, const v1::UploadHeader& header, InterruptWatcher* interrupt,
              grpc::ClientWriter<v1::UploadRequest>* writer) {
  v1::UploadRequest msg;
  *msg.mutable_header() = header;
  if (!writer->Write(msg)) return false;
  std::string buffer(kChunkBytes, '\0');
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), in)) > 0) {
    if (interrupt != nullptr && interrupt->interrupted()) return false;
    msg.set_chunk(buffer.data(), n);
    if (!writer->Write(msg)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<v1::File> UploadFile(const Client& client, const std::string& path,
                                    absl::string_view purpose, InterruptWatcher* interrupt) {
  const std::string what = absl::StrCat("upload ", path);
  FilePtr in(std::fopen(path.c_str(), "rb"));
  if (in == nullptr) return PathError(what);
  v1::UploadHeader header;
  header.set_filename(BaseName(path));
  header.set_purpose(std::string(purpose));
  absl::StatusOr<int64_t> size = FileSize(in.get(), what);
  if (!size.ok()) return size.status();
  header.set_bytes(*size);

  std::unique_ptr<grpc::ClientContext> ctx = client.StreamContext();
  CancelOnInterrupt cancel(interrupt, ctx.get());
  v1::File file;
  std::unique_ptr<grpc::ClientWriter<v1::UploadRequest>> writer =
      client.files().Upload(ctx.get(), &file);
  const bool sent = SendFile(in.get(), header, interrupt, writer.get());
  if (std::ferror(in.get())) {
    const absl::Status error = PathError(what);
    ctx->TryCancel();
    writer->Finish();
    return error;
  }
  if (interrupt != nullptr && interrupt->interrupted()) ctx->TryCancel();
  // After a failed Write, Finish() carries the server's reason.
  if (sent) writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return CallError(status, what);
  return file;
}

absl::StatusOr<int64_t> DownloadFile(const Client& client, const std::string& file_id,
                                     const std::string& path) {
  const bool to_stdout = path == "-";
  const std::string tmp = absl::StrCat(path, ".part");
  FilePtr out(to_stdout ? nullptr : std::fopen(tmp.c_str(), "wb"));
  if (!to_stdout && out == nullptr) return PathError(absl::StrCat("write ", tmp));
  FILE* sink = to_stdout ? stdout : out.get();

  std::unique_ptr<grpc::ClientContext> ctx = client.StreamContext();
  v1::GetFileContentRequest req;
  req.set_file_id(file_id);
  auto reader = client.files().GetFileContent(ctx.get(), req);
  v1::FileChunk chunk;
  int64_t written = 0;
  absl::Status write_error;
  while (reader->Read(&chunk)) {
    if (std::fwrite(chunk.data().data(), 1, chunk.data().size(), sink) != chunk.data().size()) {
      write_error = PathError(absl::StrCat("write ", to_stdout ? "stdout" : tmp));
      ctx->TryCancel();
      break;
    }
    written += chunk.data().size();
  }
  grpc::Status status = reader->Finish();
  if (write_error.ok() && std::fflush(sink) != 0)
    write_error = PathError(absl::StrCat("write ", to_stdout ? "stdout" : tmp));
  if (!write_error.ok()) {
    if (!to_stdout) std::remove(tmp.c_str());
    return write_error;
  }
  if (!status.ok()) {
    if (!to_stdout) std::remove(tmp.c_str());
    return CallError(status, absl::StrCat("download ", file_id));
  }
  if (to_stdout) return written;
  if (std::fclose(out.release()) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return PathError(absl::StrCat("write ", path));
  }
  return written;
}

std::string LocalName(const v1::File& file) {
  const std::string name = BaseName(file.filename());
  if (name.empty() || name == "." || name == "..") return file.id();
  return name;
}

}  // namespace assistd::cli
