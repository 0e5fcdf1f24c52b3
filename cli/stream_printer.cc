#include "cli/stream_printer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace assistd::cli {
namespace {

void AppendIndented(absl::string_view text, std::string* out) {
  text = absl::StripSuffix(text, "\n");
  for (absl::string_view line : absl::StrSplit(text, '\n'))
    absl::StrAppend(out, "    ", line, "\n");
}

}  // namespace

std::string FormatCodeInterpreterCall(const v1::CodeInterpreterToolCall& call) {
  std::string out = "[code_interpreter]\n";
  AppendIndented(call.input(), &out);
  for (const v1::CodeInterpreterOutput& o : call.outputs()) {
    if (o.has_image()) {
      absl::StrAppend(&out, "[image] ", o.image().file_id(), "\n");
    } else if (!o.logs().empty()) {
      absl::StrAppend(&out, "[output]\n");
      AppendIndented(o.logs(), &out);
    }
  }
  for (const v1::CodeInterpreterFile& f : call.files()) {
    absl::StrAppend(&out, "[file] ", f.path(), " ", f.file_id(), "\n");
  }
  return out;
}

RunStreamPrinter::RunStreamPrinter(FILE* text_out, FILE* tool_out)
    : text_out_(text_out), tool_out_(tool_out) {}

void RunStreamPrinter::Consume(const v1::RunEvent& event) {
  const std::string& name = event.event();
  if (event.has_thread()) outcome_.thread_id = event.thread().id();
  if (event.has_run()) {
    outcome_.run = event.run();
    outcome_.thread_id = event.run().thread_id();
  }
  if (event.has_message_delta()) OnDelta(event.message_delta());
  if (event.has_error()) outcome_.stream_error = event.error().message();
  if (name == "thread.message.completed" || name == "thread.message.incomplete") {
    outcome_.messages.push_back(event.message());
  }
  if (name == "thread.run.step.completed") OnStepCompleted(event.run_step());
}

void RunStreamPrinter::OnDelta(const v1::MessageDelta& delta) {
  if (delta.id() != message_id_) {
    if (!outcome_.text.empty() && outcome_.text.back() != '\n') WriteText("\n");
    message_id_ = delta.id();
  }
  for (const v1::MessageContentDelta& part : delta.delta().content()) {
    if (part.has_text() && part.text().has_value()) WriteText(part.text().value());
    if (part.part_case() == v1::MessageContentDelta::kRefusal) WriteText(part.refusal());
  }
}

void RunStreamPrinter::OnStepCompleted(const v1::RunStep& step) {
  if (!step.step_details().has_tool_calls()) return;
  for (const v1::ToolCall& call : step.step_details().tool_calls().tool_calls()) {
    outcome_.tool_calls.push_back(call);
    if (tool_out_ == nullptr || !call.has_code_interpreter()) continue;
    // Keep the answer and the tool output apart on a shared terminal.
    EndText();
    std::fputs(FormatCodeInterpreterCall(call.code_interpreter()).c_str(), tool_out_);
    std::fflush(tool_out_);
  }
}

void RunStreamPrinter::WriteText(const std::string& text) {
  outcome_.text += text;
  Show(text);
}

void RunStreamPrinter::Show(const std::string& text) {
  if (text_out_ == nullptr || text.empty()) return;
  std::fputs(text.c_str(), text_out_);
  std::fflush(text_out_);
  at_line_start_ = text.back() == '\n';
}

void RunStreamPrinter::EndText() {
  if (!at_line_start_) Show("\n");
}

}  // namespace assistd::cli
