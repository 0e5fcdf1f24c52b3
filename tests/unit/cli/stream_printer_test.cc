#include "cli/stream_printer.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/answer_parts.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace assistd::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A FILE* writing into a string, read back with Take().
class MemoryFile {
 public:
  MemoryFile() : file_(open_memstream(&buffer_, &size_)) {}
  ~MemoryFile() {
    std::fclose(file_);
    std::free(buffer_);
  }
  FILE* get() { return file_; }
  std::string Take() {
    std::fflush(file_);
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  size_t size_ = 0;
  FILE* file_;
};

v1::RunEvent Delta(const std::string& message_id, const std::string& text) {
  v1::RunEvent e;
  e.set_event("thread.message.delta");
  e.mutable_message_delta()->set_id(message_id);
  e.mutable_message_delta()->mutable_delta()->add_content()->mutable_text()->set_value(text);
  return e;
}

v1::RunEvent RunEvent(const std::string& name, v1::RunStatus status) {
  v1::RunEvent e;
  e.set_event(name);
  e.mutable_run()->set_id("run_1");
  e.mutable_run()->set_thread_id("thread_1");
  e.mutable_run()->set_status(status);
  return e;
}

v1::Message CitedMessage() {
  v1::Message m;
  v1::MessageText* text = m.add_content()->mutable_text();
  text->set_value("It makes 42 MW.【0:0†report.pdf】");
  for (int i = 0; i < 2; ++i) {  // the same marker twice counts once
    v1::Annotation* a = text->add_annotations();
    a->set_text("【0:0†report.pdf】");
    a->mutable_file_citation()->set_file_id("file-1");
    a->mutable_file_citation()->set_file_name("report.pdf");
    a->mutable_file_citation()->set_page_number(3);
  }
  v1::Annotation* path = text->add_annotations();
  path->mutable_file_path()->set_file_id("file-out");
  m.add_content()->mutable_image_file()->set_file_id("file-img");
  return m;
}

TEST(RunStreamPrinterTest, PrintsTextAsItArrivesAndCollectsTheRun) {
  MemoryFile text;
  RunStreamPrinter printer(text.get(), nullptr);
  printer.Consume(RunEvent("thread.run.created", v1::RUN_STATUS_QUEUED));
  printer.Consume(Delta("msg_1", "Hello, "));
  EXPECT_EQ(text.Take(), "Hello, ");
  printer.Consume(Delta("msg_1", "world."));
  printer.Consume(Delta("msg_2", "Second."));
  v1::RunEvent completed;
  completed.set_event("thread.message.completed");
  *completed.mutable_message() = CitedMessage();
  printer.Consume(completed);
  printer.Consume(RunEvent("thread.run.completed", v1::RUN_STATUS_COMPLETED));
  printer.EndText();
  EXPECT_EQ(text.Take(), "Hello, world.\nSecond.\n");
  const RunOutcome& o = printer.outcome();
  EXPECT_EQ(o.text, "Hello, world.\nSecond.");  // the line end was only for the terminal
  EXPECT_EQ(o.thread_id, "thread_1");
  EXPECT_EQ(o.run.status(), v1::RUN_STATUS_COMPLETED);
  EXPECT_EQ(o.messages.size(), 1u);
}

TEST(RunStreamPrinterTest, ShowsCompletedCodeInterpreterCallsIndented) {
  MemoryFile tools;
  RunStreamPrinter printer(nullptr, tools.get());
  v1::RunEvent e;
  e.set_event("thread.run.step.completed");
  v1::ToolCall* call =
      e.mutable_run_step()->mutable_step_details()->mutable_tool_calls()->add_tool_calls();
  call->mutable_code_interpreter()->set_input("x = 1\nprint(x)");
  call->mutable_code_interpreter()->add_outputs()->set_logs("1\n");
  call->mutable_code_interpreter()->add_outputs()->mutable_image()->set_file_id("file-img");
  printer.Consume(e);
  EXPECT_EQ(tools.Take(),
            "[code_interpreter]\n    x = 1\n    print(x)\n[output]\n    1\n[image] file-img\n");
  EXPECT_EQ(printer.outcome().tool_calls.size(), 1u);
}

TEST(AnswerPartsTest, ListsEachSourceOnceWithItsPage) {
  const std::vector<v1::Message> messages = {CitedMessage()};
  const std::vector<Source> sources = CollectSources(messages);
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(FormatSources(sources), "\nSources:\n  【0:0†report.pdf】 report.pdf, page 3\n");
  EXPECT_EQ(FormatSources({}), "");
  EXPECT_EQ(FormatSources({{"【1†source】", "file-9", "", 0}}),
            "\nSources:\n  【1†source】 file-9\n");
}

TEST(AnswerPartsTest, AnswerTextJoinsTheMessages) {
  const std::vector<v1::Message> messages = {CitedMessage(), CitedMessage()};
  EXPECT_EQ(AnswerText(messages),
            "It makes 42 MW.【0:0†report.pdf】\nIt makes 42 MW.【0:0†report.pdf】");
}

TEST(AnswerPartsTest, FindsTheFilesAnAnswerHandsBack) {
  const std::vector<v1::Message> messages = {CitedMessage(), CitedMessage()};
  EXPECT_THAT(OutputFileIds(messages), ElementsAre("file-out", "file-img"));
}

}  // namespace
}  // namespace assistd::cli
