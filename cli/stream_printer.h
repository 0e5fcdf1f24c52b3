#ifndef ASSISTD_CLI_STREAM_PRINTER_H_
#define ASSISTD_CLI_STREAM_PRINTER_H_

// Turns the events of a run stream (RunService.*Stream) into output as they
// arrive: message text deltas on one stream (the answer), completed
// code_interpreter calls on another, and a summary of what the run did.

#include <cstdio>
#include <string>
#include <vector>

#include "assistd/v1/runs.pb.h"
#include "assistd/v1/threads.pb.h"

namespace assistd::cli {

// What a run stream carried.
struct RunOutcome {
  std::string thread_id;
  // The last run object seen; its id is empty if no run event came.
  v1::Run run;
  // Messages as completed or left incomplete, in order.
  std::vector<v1::Message> messages;
  // Tool calls of completed tool_calls steps, in order.
  std::vector<v1::ToolCall> tool_calls;
  // All text deltas; text of different messages separated by "\n".
  std::string text;
  // Message of an `error` event; empty if none came.
  std::string stream_error;
};

// A code_interpreter call for people: the code and each output indented,
//   [code_interpreter]
//       print(1)
//   [output]
//       1
//   [image] file-abc
std::string FormatCodeInterpreterCall(const v1::CodeInterpreterToolCall& call);

// Not thread-safe. The FILE*s must outlive it.
class RunStreamPrinter {
 public:
  // Text deltas go to `text_out` and completed code_interpreter calls to
  // `tool_out`, each flushed at once; either may be null (not shown).
  RunStreamPrinter(FILE* text_out, FILE* tool_out);

  void Consume(const v1::RunEvent& event);
  // Ends the shown text with a newline if it lacks one.
  void EndText();
  const RunOutcome& outcome() const { return outcome_; }

 private:
  void OnDelta(const v1::MessageDelta& delta);
  void OnStepCompleted(const v1::RunStep& step);
  // Appends to outcome_.text and shows it.
  void WriteText(const std::string& text);
  // Shows without recording (line ends for the terminal).
  void Show(const std::string& text);

  FILE* const text_out_;
  FILE* const tool_out_;
  RunOutcome outcome_;
  std::string message_id_;     // the message whose deltas came last
  bool at_line_start_ = true;  // what was shown so far ends with "\n" (or is empty)
};

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_STREAM_PRINTER_H_
