#include "services/gateway/multipart.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace assistd::gateway {
namespace {

constexpr size_t kMaxHeaderBlock = 16 << 10;
// RFC 2046 allows whitespace ("transport padding") after a delimiter.
constexpr size_t kMaxPadding = 256;

absl::Status Malformed(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("The multipart/form-data body is malformed: ", why, "."));
}

// `value` of `key=value` or `key="value"` in a header's parameters (`key`
// lowercase), or nullopt.
std::optional<std::string> Param(absl::string_view header, absl::string_view key) {
  std::vector<absl::string_view> parts = absl::StrSplit(header, ';');
  for (size_t i = 1; i < parts.size(); ++i) {
    absl::string_view p = absl::StripAsciiWhitespace(parts[i]);
    const size_t eq = p.find('=');
    if (eq == absl::string_view::npos) continue;
    if (absl::AsciiStrToLower(absl::StripAsciiWhitespace(p.substr(0, eq))) != key) continue;
    absl::string_view v = absl::StripAsciiWhitespace(p.substr(eq + 1));
    if (v.size() < 2 || v.front() != '"') return std::string(v);
    // A quoted string may hold ';': read it from the raw header (`v` points
    // into it).
    const size_t start = static_cast<size_t>(v.data() - header.data());
    std::string out;
    for (size_t j = start + 1; j < header.size() && header[j] != '"'; ++j) {
      if (header[j] == '\\' && j + 1 < header.size()) ++j;
      out.push_back(header[j]);
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::string> MultipartBoundary(absl::string_view content_type) {
  const std::string lower = absl::AsciiStrToLower(content_type);
  if (!absl::StartsWith(absl::StripLeadingAsciiWhitespace(lower), "multipart/form-data")) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid Content-Type header (", content_type,
                     "), expected multipart/form-data. (HINT: If you're using curl, you can "
                     "pass -F 'file=@<path>' -F 'purpose=assistants'.)"));
  }
  std::optional<std::string> boundary = Param(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) {
    return absl::InvalidArgumentError(
        "Invalid Content-Type header: multipart/form-data needs a boundary of 1 to 70 "
        "characters.");
  }
  return *boundary;
}

MultipartParser::MultipartParser(std::string boundary, OnPart on_part, OnData on_data)
    : delimiter_(absl::StrCat("\r\n--", boundary)),
      on_part_(std::move(on_part)),
      on_data_(std::move(on_data)),
      // The first delimiter has no CRLF before it: supply one.
      buffer_("\r\n") {}

absl::Status MultipartParser::Feed(absl::string_view bytes) {
  if (state_ == State::kDone) return absl::OkStatus();  // the epilogue
  buffer_.append(bytes.data(), bytes.size());
  bool progressed = true;
  while (progressed && state_ != State::kDone) {
    progressed = false;
    if (absl::Status s = Step(&progressed); !s.ok()) return s;
    if (stopped_) return absl::CancelledError("stopped reading the form");
  }
  return absl::OkStatus();
}

absl::Status MultipartParser::Finish() {
  if (state_ == State::kDone) return absl::OkStatus();
  return Malformed("it ends before its closing boundary");
}

absl::Status MultipartParser::Step(bool* progressed) {
  switch (state_) {
    case State::kPreamble:
    case State::kData: {
      const size_t at = buffer_.find(delimiter_);
      if (at == std::string::npos) {
        // Keep what could be the start of a delimiter.
        const size_t keep = delimiter_.size() - 1;
        if (buffer_.size() > keep) *progressed = EmitData(buffer_.size() - keep);
        return absl::OkStatus();
      }
      EmitData(at);
      if (stopped_) return absl::OkStatus();
      buffer_.erase(0, delimiter_.size());
      state_ = State::kAfterBoundary;
      *progressed = true;
      return absl::OkStatus();
    }
    case State::kAfterBoundary: {
      if (buffer_.size() < 2) return absl::OkStatus();
      if (absl::StartsWith(buffer_, "--")) {  // the close delimiter
        state_ = State::kDone;
        buffer_.clear();
        return absl::OkStatus();
      }
      const size_t eol = buffer_.find("\r\n");
      if (eol == std::string::npos) {
        if (buffer_.size() > kMaxPadding) return Malformed("a boundary line is too long");
        return absl::OkStatus();
      }
      if (!absl::StripAsciiWhitespace(absl::string_view(buffer_).substr(0, eol)).empty()) {
        return Malformed("text after a boundary");
      }
      buffer_.erase(0, eol + 2);
      state_ = State::kHeaders;
      *progressed = true;
      return absl::OkStatus();
    }
    case State::kHeaders: {
      // A part without headers starts with the blank line at once.
      const size_t end = absl::StartsWith(buffer_, "\r\n") ? 0 : buffer_.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (buffer_.size() > kMaxHeaderBlock) return Malformed("part headers are too large");
        return absl::OkStatus();
      }
      const std::string block = buffer_.substr(0, end);
      // Its data starts right after the blank line (an empty part's
      // delimiter, with its CRLF, follows at once).
      buffer_.erase(0, end == 0 ? 2 : end + 4);
      state_ = State::kData;
      *progressed = true;
      return ParseHeaders(block);
    }
    case State::kDone:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status MultipartParser::ParseHeaders(absl::string_view block) {
  MultipartPart part;
  bool disposition = false;
  for (absl::string_view line : absl::StrSplit(block, "\r\n", absl::SkipEmpty())) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) return Malformed("a part header without ':'");
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (name == "content-disposition") {
      disposition = true;
      part.name = Param(value, "name").value_or("");
      part.filename = Param(value, "filename").value_or("");
    } else if (name == "content-type") {
      part.content_type = std::string(value);
    }
  }
  if (!disposition || part.name.empty()) {
    return Malformed("a part without a Content-Disposition name");
  }
  if (!on_part_(part)) stopped_ = true;
  return absl::OkStatus();
}

bool MultipartParser::EmitData(size_t n) {
  if (n == 0) return false;
  if (state_ == State::kData && !on_data_(absl::string_view(buffer_.data(), n))) {
    stopped_ = true;
  }
  buffer_.erase(0, n);  // the preamble is dropped
  return true;
}

}  // namespace assistd::gateway
