// Time from `assistctl ask --file manual.pdf "question"` to the first answer
// token with the built-in model (issue 7 target: <= 2 s on 2 cores).
//
// Starts the real assistd binary (all services, a fresh data dir, port 0)
// and makes a 20-page PDF (bench/equipment_manual.h) per run, each of a
// different revision so no cache serves it. Each run then does over gRPC
// what `assistctl ask` does: upload the file, create a vector store with
// it, poll GetVectorStore until nothing is in progress (assistctl polls
// every 200 ms), create an assistant (assistd-extractive, file_search over
// the store) and CreateThreadAndRunStream. Measured from the start of the
// upload to the first thread.message.delta, split into upload, indexing,
// assistant creation and run-to-first-token.
//
//   build/bench/ask_latency [--runs=5] [--poll_interval=200ms] [--words_per_page=350]
//   build/bench/ask_latency --save_pdf=manual.pdf   # only write the manual

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "assistd/v1/assistants.grpc.pb.h"
#include "assistd/v1/files.grpc.pb.h"
#include "assistd/v1/runs.grpc.pb.h"
#include "assistd/v1/vector_stores.grpc.pb.h"
#include "bench/equipment_manual.h"
#include "common/status_macros.h"
#include "services/common/grpc_status.h"
#include "tests/util/assistd_process.h"
#include "tests/util/pdf_fixtures.h"
#include "tests/util/temp_dir.h"

ABSL_FLAG(int, runs, 5, "Questions asked, each about a newly uploaded manual.");
ABSL_FLAG(absl::Duration, poll_interval, absl::Milliseconds(200),
          "Pause between GetVectorStore polls while indexing (assistctl ask: 200ms).");
ABSL_FLAG(int, words_per_page, 350, "Words per page of the generated manual.");
ABSL_FLAG(std::string, save_pdf, "",
          "Only write the manual (revision 1) to this path and exit, e.g. to time the real "
          "`assistctl ask` with it.");
ABSL_FLAG(bool, show_answers, false, "Print each answer with its citations' pages.");

namespace assistd::bench {
namespace {

using testing::Subprocess;
using testing::TempDir;

constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kCallTimeout = absl::Seconds(60);

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + kCallTimeout));
  return ctx;
}

absl::Status Check(const grpc::Status& status, absl::string_view what) {
  absl::Status s = FromGrpcStatus(status);
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
}

struct Timing {
  absl::Duration upload, indexing, assistant, run_to_token, to_token, run_to_done;
  bool answered = false;  // the answer holds the expected phrase
  int cited_page = 0;     // page of the answer's first citation
};

// Does what `assistctl ask --file <pdf> "<question>"` does, timing each step.
class Asker {
 public:
  explicit Asker(const std::shared_ptr<grpc::Channel>& channel)
      : files_(v1::FileService::NewStub(channel)),
        stores_(v1::VectorStoreService::NewStub(channel)),
        assistants_(v1::AssistantService::NewStub(channel)),
        runs_(v1::RunService::NewStub(channel)) {}

  absl::StatusOr<Timing> Ask(const std::string& pdf_path, const ManualQuestion& q) {
    Timing t;
    const absl::Time start = absl::Now();
    ASSIGN_OR_RETURN(v1::File file, Upload(pdf_path));
    const absl::Time uploaded = absl::Now();
    ASSIGN_OR_RETURN(std::string store_id, IndexInNewStore(file.id()));
    const absl::Time indexed = absl::Now();
    ASSIGN_OR_RETURN(std::string assistant_id, CreateAssistant(store_id));
    const absl::Time created = absl::Now();
    absl::Time first_token, done;
    RETURN_IF_ERROR(Run(assistant_id, q, &first_token, &done, &t));
    t.upload = uploaded - start;
    t.indexing = indexed - uploaded;
    t.assistant = created - indexed;
    t.run_to_token = first_token - created;
    t.run_to_done = done - created;
    t.to_token = first_token - start;
    return t;
  }

 private:
  absl::StatusOr<v1::File> Upload(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes(std::istreambuf_iterator<char>(in), {});
    v1::File file;
    auto ctx = Ctx();
    auto writer = files_->Upload(ctx.get(), &file);
    v1::UploadRequest header;
    header.mutable_header()->set_filename("manual.pdf");
    header.mutable_header()->set_purpose("assistants");
    v1::UploadRequest chunk;
    chunk.set_chunk(bytes);
    if (writer->Write(header) && writer->Write(chunk)) writer->WritesDone();
    RETURN_IF_ERROR(Check(writer->Finish(), "upload"));
    return file;
  }

  absl::StatusOr<std::string> IndexInNewStore(const std::string& file_id) {
    v1::CreateVectorStoreRequest req;
    req.set_name("assistctl ask");
    req.add_file_ids(file_id);
    v1::VectorStore store;
    RETURN_IF_ERROR(Check(stores_->CreateVectorStore(Ctx().get(), req, &store), "create store"));
    v1::GetVectorStoreRequest get;
    get.set_vector_store_id(store.id());
    while (true) {  // as cli/indexing.cc WaitForIndexing
      RETURN_IF_ERROR(Check(stores_->GetVectorStore(Ctx().get(), get, &store), "get store"));
      if (store.file_counts().in_progress() == 0) break;
      absl::SleepFor(absl::GetFlag(FLAGS_poll_interval));
    }
    if (store.file_counts().completed() != 1) {
      return absl::InternalError(absl::StrCat("indexing failed: ", store.DebugString()));
    }
    return store.id();
  }

  absl::StatusOr<std::string> CreateAssistant(const std::string& store_id) {
    v1::CreateAssistantRequest req;
    req.set_model("assistd-extractive");
    req.set_name("assistctl ask");
    req.add_tools()->mutable_file_search();
    req.mutable_tool_resources()->mutable_file_search()->add_vector_store_ids(store_id);
    v1::Assistant a;
    RETURN_IF_ERROR(Check(assistants_->CreateAssistant(Ctx().get(), req, &a), "assistant"));
    return a.id();
  }

  // Creates the thread and run, reads the whole stream and records when
  // the first thread.message.delta came, when the stream ended, and how
  // the answer looks (in `t`).
  absl::Status Run(const std::string& assistant_id, const ManualQuestion& q,
                   absl::Time* first_token, absl::Time* done, Timing* t) {
    v1::CreateThreadAndRunRequest req;
    req.set_assistant_id(assistant_id);
    v1::MessageCreate* m = req.mutable_thread()->add_messages();
    m->set_role(v1::MESSAGE_ROLE_USER);
    m->set_text(q.question);
    auto ctx = Ctx();
    auto reader = runs_->CreateThreadAndRunStream(ctx.get(), req);
    v1::RunEvent e;
    std::string last_run_event;
    *first_token = absl::InfiniteFuture();
    while (reader->Read(&e)) {
      if (e.event() == "thread.message.delta" && *first_token == absl::InfiniteFuture()) {
        *first_token = absl::Now();
      }
      if (e.has_run()) last_run_event = e.event();
      if (e.event() == "thread.message.completed") Inspect(e.message(), q, t);
    }
    *done = absl::Now();
    RETURN_IF_ERROR(Check(reader->Finish(), "run stream"));
    if (last_run_event != "thread.run.completed") {
      return absl::InternalError(absl::StrCat("the run ended with ", last_run_event));
    }
    if (*first_token == absl::InfiniteFuture()) return absl::InternalError("no message delta");
    return absl::OkStatus();
  }

  static void Inspect(const v1::Message& message, const ManualQuestion& q, Timing* t) {
    if (message.content_size() == 0) return;
    const v1::MessageText& text = message.content(0).text();
    t->answered = absl::StrContains(text.value(), q.answer_phrase);
    std::string pages;
    for (const v1::Annotation& a : text.annotations()) {
      if (!a.has_file_citation()) continue;
      if (t->cited_page == 0) t->cited_page = a.file_citation().page_number();
      absl::StrAppend(&pages, " ", a.file_citation().page_number());
    }
    if (absl::GetFlag(FLAGS_show_answers)) {
      std::printf("%s\n%s\n[cited pages:%s]\n", q.question.c_str(), text.value().c_str(),
                  pages.c_str());
    }
  }

  std::unique_ptr<v1::FileService::Stub> files_;
  std::unique_ptr<v1::VectorStoreService::Stub> stores_;
  std::unique_ptr<v1::AssistantService::Stub> assistants_;
  std::unique_ptr<v1::RunService::Stub> runs_;
};

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

absl::Duration Median(const std::vector<Timing>& runs, absl::Duration Timing::*field) {
  std::vector<absl::Duration> v;
  for (const Timing& t : runs) v.push_back(t.*field);
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void PrintRow(const std::string& label, const Timing& t, const std::string& note) {
  std::printf("%-8s %9.1f %9.1f %10.1f %13.1f %12.1f %12.1f  %s\n", label.c_str(), Ms(t.upload),
              Ms(t.indexing), Ms(t.assistant), Ms(t.run_to_token), Ms(t.to_token),
              Ms(t.run_to_done), note.c_str());
}

// Writes the manual of revision `revision` as a PDF and says how big it is.
absl::StatusOr<std::string> WriteManual(const TempDir& dir, int revision) {
  const std::vector<std::string> pages =
      EquipmentManualPages(revision, absl::GetFlag(FLAGS_words_per_page));
  const std::string path = dir.File(absl::StrCat("manual-", revision, ".pdf"));
  RETURN_IF_ERROR(testing::WriteTextPdf(path, pages));
  if (revision == 1) {
    size_t words = 0;
    for (const std::string& p : pages) {
      const std::vector<absl::string_view> w =
          absl::StrSplit(p, absl::ByAnyChar(" \n"), absl::SkipEmpty());
      words += w.size();
    }
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::printf("manual.pdf: %zu pages, %zu words, %lld bytes\n", pages.size(), words,
                static_cast<long long>(in.tellg()));
  }
  return path;
}

absl::Status Main() {
  if (const std::string out = absl::GetFlag(FLAGS_save_pdf); !out.empty()) {
    return testing::WriteTextPdf(out, EquipmentManualPages(1, absl::GetFlag(FLAGS_words_per_page)));
  }
  if (absl::GetFlag(FLAGS_runs) < 1) return absl::InvalidArgumentError("--runs must be >= 1");
  TempDir dir;
  testing::AssistdProcess::Options options;
  options.timeout = kStartTimeout;
  options.await_sandbox = true;  // the zygote's start-up must not overlap the first run
  ASSIGN_OR_RETURN(auto server,
                   testing::AssistdProcess::Start(
                       {ASSISTD_BINARY, "--grpc_addr=127.0.0.1:0", "--data_dir=" + dir.File("data")},
                       options));
  std::printf("assistd on %s\n", server->address().c_str());
  Asker asker(grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));
  const auto& questions = EquipmentManualQuestions();
  std::vector<std::string> pdfs;
  for (int i = 0; i < absl::GetFlag(FLAGS_runs); ++i) {
    ASSIGN_OR_RETURN(pdfs.emplace_back(), WriteManual(dir, i + 1));
  }
  std::vector<Timing> runs;
  std::printf("%-8s %9s %9s %10s %13s %12s %12s  %s\n", "ms", "upload", "indexing", "assistant",
              "run->token", "TO TOKEN", "run->done", "question: answer");
  for (int i = 0; i < static_cast<int>(pdfs.size()); ++i) {
    const ManualQuestion& q = questions[i % questions.size()];
    ASSIGN_OR_RETURN(Timing t, asker.Ask(pdfs[i], q));
    PrintRow(absl::StrCat(i + 1), t,
             absl::StrFormat("%s: %s, cites p.%d (expected %d)", q.question,
                             t.answered ? "answered" : "PHRASE MISSING", t.cited_page, q.page));
    runs.push_back(t);
  }
  Timing median;
  median.upload = Median(runs, &Timing::upload);
  median.indexing = Median(runs, &Timing::indexing);
  median.assistant = Median(runs, &Timing::assistant);
  median.run_to_token = Median(runs, &Timing::run_to_token);
  median.to_token = Median(runs, &Timing::to_token);
  median.run_to_done = Median(runs, &Timing::run_to_done);
  int answered = 0;
  for (const Timing& t : runs) answered += t.answered;
  PrintRow("median", median,
           absl::StrFormat("target <= 2 s: %s; %d/%zu answers quote the expected fact",
                           median.to_token <= absl::Seconds(2) ? "met" : "NOT met", answered,
                           runs.size()));
  return absl::OkStatus();
}

}  // namespace
}  // namespace assistd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Status s = assistd::bench::Main();
  if (!s.ok()) {
    std::fprintf(stderr, "ask_latency: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
