#ifndef ASSISTD_SERVICES_GATEWAY_MULTIPART_H_
#define ASSISTD_SERVICES_GATEWAY_MULTIPART_H_

// A streaming multipart/form-data parser (RFC 7578 / RFC 2046): bytes go in
// as they arrive, in pieces of any size, and come out as part headers and
// part data without the body ever being held whole. Written here because
// cpp-httplib 0.11's parser refuses a body that ends at the close delimiter
// without a CRLF, which RFC 2046 allows and Node 18's fetch (Debian 12's
// openai-node) sends.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/gateway/http_message.h"

namespace assistd::gateway {

// The boundary of a `multipart/form-data; boundary=...` Content-Type
// (quoted or not). InvalidArgument when the type is another one or the
// boundary is missing or longer than 70 characters.
absl::StatusOr<std::string> MultipartBoundary(absl::string_view content_type);

class MultipartParser {
 public:
  using OnPart = std::function<bool(const MultipartPart&)>;
  using OnData = std::function<bool(absl::string_view)>;

  // `on_part` is called at the start of each part, then `on_data` with its
  // bytes in order; either returning false stops the parser (Feed returns
  // Cancelled).
  MultipartParser(std::string boundary, OnPart on_part, OnData on_data);

  // The next bytes of the body. InvalidArgument for a malformed body.
  absl::Status Feed(absl::string_view bytes);
  // The body ended: InvalidArgument unless the close delimiter was seen.
  absl::Status Finish();

 private:
  enum class State { kPreamble, kAfterBoundary, kHeaders, kData, kDone };

  absl::Status Step(bool* progressed);
  absl::Status ParseHeaders(absl::string_view block);
  bool EmitData(size_t n);

  const std::string delimiter_;  // "\r\n--" + boundary
  const OnPart on_part_;
  const OnData on_data_;
  State state_ = State::kPreamble;
  // Bytes not yet consumed; never more than one delimiter (plus a header
  // block) beyond what was emitted.
  std::string buffer_;
  bool stopped_ = false;
};

}  // namespace assistd::gateway

#endif  // ASSISTD_SERVICES_GATEWAY_MULTIPART_H_
