#ifndef ASSISTD_SERVICES_ORCHESTRATOR_MODEL_SSE_PARSER_H_
#define ASSISTD_SERVICES_ORCHESTRATOR_MODEL_SSE_PARSER_H_

// An incremental parser for text/event-stream bodies (the WHATWG
// server-sent events format as model servers use it): bytes go in as they
// arrive, split anywhere, and each event's `data` comes out once its
// terminating blank line has arrived.

#include <functional>
#include <string>

#include "absl/strings/string_view.h"

namespace assistd::model {

// Not thread-safe; one parser per response body.
class SseParser {
 public:
  // Called with the data of each event ("data:" lines joined by "\n"; one
  // optional space after the colon is dropped). Events without data lines
  // (comments, "event:"/"id:"/"retry:" only) are skipped. Returning false
  // stops parsing: Feed() and Finish() then return false.
  using EventHandler = std::function<bool(absl::string_view data)>;

  explicit SseParser(EventHandler on_event) : on_event_(std::move(on_event)) {}

  // Consumes `bytes`, which may end anywhere (mid-line, between "\r" and
  // "\n"). Lines end with "\n", "\r\n" or "\r". False once the handler
  // returned false.
  bool Feed(absl::string_view bytes);
  // The body ended: dispatches an event left without its final blank line.
  bool Finish();

 private:
  bool EndLine();
  bool Dispatch();

  EventHandler on_event_;
  std::string line_;       // the current, unfinished line
  std::string data_;       // data of the current event so far
  bool has_data_ = false;  // the current event has a data line
  bool after_cr_ = false;  // the last byte was "\r" (a "\n" may follow)
  bool stopped_ = false;
};

}  // namespace assistd::model

#endif  // ASSISTD_SERVICES_ORCHESTRATOR_MODEL_SSE_PARSER_H_
