#include "indexer/extract/document_codec.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace assistd::extract {
namespace {

constexpr absl::string_view kMagic = "AXT1";
constexpr uint8_t kKindDocument = 0;
constexpr uint8_t kKindError = 1;

void PutU8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutBytes(std::string* out, absl::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

// Reads from a buffer, failing with DataLoss instead of running past it.
class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  absl::StatusOr<uint8_t> U8() {
    if (in_.size() < 1) return Truncated();
    uint8_t v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return v;
  }
  absl::StatusOr<uint32_t> U32() {
    if (in_.size() < 4) return Truncated();
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(in_[i])} << (8 * i);
    in_.remove_prefix(4);
    return v;
  }
  absl::StatusOr<absl::string_view> Bytes() {
    ASSIGN_OR_RETURN(uint32_t n, U32());
    if (in_.size() < n) return Truncated();
    absl::string_view v = in_.substr(0, n);
    in_.remove_prefix(n);
    return v;
  }
  absl::StatusOr<absl::string_view> Raw(size_t n) {
    if (in_.size() < n) return Truncated();
    absl::string_view v = in_.substr(0, n);
    in_.remove_prefix(n);
    return v;
  }
  bool done() const { return in_.empty(); }

 private:
  static absl::Status Truncated() {
    return absl::DataLossError("extraction result is truncated");
  }
  absl::string_view in_;
};

absl::StatusOr<Document> DecodeDocument(Reader& r) {
  Document doc;
  ASSIGN_OR_RETURN(uint8_t format, r.U8());
  if (format > static_cast<uint8_t>(Format::kPptx)) {
    return absl::DataLossError(absl::StrCat("extraction result has unknown format ", format));
  }
  doc.format = static_cast<Format>(format);
  ASSIGN_OR_RETURN(uint32_t count, r.U32());
  for (uint32_t i = 0; i < count; ++i) {
    TextPage page;
    ASSIGN_OR_RETURN(uint32_t number, r.U32());
    ASSIGN_OR_RETURN(uint8_t has_text, r.U8());
    ASSIGN_OR_RETURN(absl::string_view text, r.Bytes());
    page.number = static_cast<int>(number);
    page.has_text_layer = has_text != 0;
    page.text = std::string(text);
    doc.pages.push_back(std::move(page));
  }
  return doc;
}

}  // namespace

std::string EncodeResult(const absl::StatusOr<Document>& result) {
  std::string out(kMagic);
  if (!result.ok()) {
    PutU8(&out, kKindError);
    PutU32(&out, static_cast<uint32_t>(result.status().code()));
    PutBytes(&out, result.status().message());
    return out;
  }
  PutU8(&out, kKindDocument);
  PutU8(&out, static_cast<uint8_t>(result->format));
  PutU32(&out, static_cast<uint32_t>(result->pages.size()));
  for (const TextPage& page : result->pages) {
    PutU32(&out, static_cast<uint32_t>(page.number));
    PutU8(&out, page.has_text_layer ? 1 : 0);
    PutBytes(&out, page.text);
  }
  return out;
}

absl::StatusOr<Document> DecodeResult(absl::string_view bytes) {
  Reader r(bytes);
  ASSIGN_OR_RETURN(absl::string_view magic, r.Raw(kMagic.size()));
  if (magic != kMagic) return absl::DataLossError("not an extraction result");
  ASSIGN_OR_RETURN(uint8_t kind, r.U8());
  absl::StatusOr<Document> result;
  if (kind == kKindDocument) {
    result = DecodeDocument(r);
    if (!result.ok()) return result.status();
  } else if (kind == kKindError) {
    ASSIGN_OR_RETURN(uint32_t code, r.U32());
    ASSIGN_OR_RETURN(absl::string_view message, r.Bytes());
    if (code == 0 || code > 16) {
      return absl::DataLossError(absl::StrCat("extraction result has bad code ", code));
    }
    result = absl::Status(static_cast<absl::StatusCode>(code), message);
  } else {
    return absl::DataLossError(absl::StrCat("extraction result has unknown kind ", kind));
  }
  if (!r.done()) return absl::DataLossError("extraction result has trailing bytes");
  return result;
}

}  // namespace assistd::extract
