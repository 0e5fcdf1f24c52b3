// Upload cost through the real FileService over a real socket: throughput
// and the server's peak memory, for a given file size. Run it at two sizes
// in separate processes; streaming means peak memory does not grow with the
// size.
//
//   build/bench/upload_bench --mb=16 ; build/bench/upload_bench --mb=512
//
// The server runs in this process (so the figure covers server and client),
// the data dir under --dir (default /tmp).

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "assistd/v1/files.grpc.pb.h"
#include "services/assistd/server.h"

ABSL_FLAG(int, mb, 64, "Size of the uploaded file, MiB.");
ABSL_FLAG(std::string, dir, "/tmp", "Where the temporary data dir goes.");

namespace {

// Peak resident set size of this process so far, in KiB (VmHWM).
long PeakRssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string data = absl::StrCat(absl::GetFlag(FLAGS_dir), "/assistd_upload_bench_", getpid());
  assistd::ServerOptions o;
  o.data_dir = data;
  o.grpc_addr = "127.0.0.1:0";
  o.services = {assistd::ServiceId::kFiles};
  o.files.max_upload_bytes = int64_t{4} << 30;
  o.files.extraction.worker_path = ASSISTD_WORKER;
  auto server = assistd::AssistdServer::Start(o);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  auto stub = assistd::v1::FileService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*server)->grpc_port()), grpc::InsecureChannelCredentials()));
  const long rss_before = PeakRssKb();
  const int64_t total = int64_t{absl::GetFlag(FLAGS_mb)} << 20;
  const absl::Time start = absl::Now();
  grpc::ClientContext ctx;
  assistd::v1::File file;
  auto writer = stub->Upload(&ctx, &file);
  assistd::v1::UploadRequest req;
  req.mutable_header()->set_filename("big.bin");
  req.mutable_header()->set_purpose("assistants");
  writer->Write(req);
  std::string chunk(1 << 20, 'x');
  for (int64_t sent = 0; sent < total; sent += chunk.size()) {
    chunk[0] = static_cast<char>(sent >> 20);  // not one repeated block
    req.set_chunk(chunk);
    writer->Write(req);
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf("upload %d MiB: %s, %.2f s, %.0f MiB/s, peak RSS %ld MiB (before upload %ld MiB)\n",
              absl::GetFlag(FLAGS_mb), s.ok() ? "ok" : s.error_message().c_str(), seconds,
              absl::GetFlag(FLAGS_mb) / seconds, PeakRssKb() / 1024, rss_before / 1024);
  (*server)->Shutdown(absl::Seconds(1));
  server->reset();
  std::filesystem::remove_all(data);
  return s.ok() ? 0 : 1;
}
