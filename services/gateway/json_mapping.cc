// ToJson: the generic reflection walker (rules 1-8 of common.proto) plus the
// few message-level special cases; field-level cases are in
// json_special_cases.cc. FromJson lives in json_parse.cc.

#include "services/gateway/json_mapping.h"

#include "google/protobuf/descriptor.h"
#include "services/gateway/json_special_cases.h"

namespace assistd::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::OneofDescriptor;
using google::protobuf::Reflection;
using json = nlohmann::json;
using json_internal::FindOneof;
using json_internal::IsEmbeddedJson;
using json_internal::IsExtension;
using json_internal::IsListResponse;
using json_internal::IsListWrapper;
using json_internal::IsMapWrapper;
using json_internal::JsonKey;
using json_internal::OmitWhenEmpty;
using json_internal::OneofStyle;
using json_internal::StyleOf;
using json_internal::Unset;
using json_internal::WhenUnset;

// Rule 7: a `*_json` field holds serialized JSON. A value that does not
// parse is written as the string it is (never fails).
json EmbeddedJson(const std::string& text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return text;
  return parsed;
}

// One value of `field` (element `index` if repeated, else -1).
json ValueToJson(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return ToJson(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
  }
  if (IsEmbeddedJson(f)) return EmbeddedJson(rep ? r->GetRepeatedString(m, f, index)
                                                 : r->GetString(m, f));
  return ScalarFieldToJson(m, f, index);
}

json RepeatedToJson(const Message& m, const FieldDescriptor* f) {
  json out = json::array();
  const int size = m.GetReflection()->FieldSize(m, f);
  for (int i = 0; i < size; ++i) out.push_back(ValueToJson(m, f, i));
  return out;
}

// Map entries are messages with fields `key` (string) and `value`.
json MapToJson(const Message& m, const FieldDescriptor* f) {
  json out = json::object();
  const Reflection* r = m.GetReflection();
  const FieldDescriptor* key = f->message_type()->FindFieldByName("key");
  const FieldDescriptor* value = f->message_type()->FindFieldByName("value");
  for (int i = 0; i < r->FieldSize(m, f); ++i) {
    const Message& entry = r->GetRepeatedMessage(m, f, i);
    out[entry.GetReflection()->GetString(entry, key)] = ValueToJson(entry, value, -1);
  }
  return out;
}

// Writes a field that is not part of a real oneof, or leaves the key out.
void WriteField(const Message& m, const FieldDescriptor* f, json* out) {
  const Reflection* r = m.GetReflection();
  if (f->is_map()) {
    (*out)[f->name()] = MapToJson(m, f);
  } else if (f->is_repeated()) {
    if (r->FieldSize(m, f) == 0 && OmitWhenEmpty(f)) return;
    (*out)[f->name()] = RepeatedToJson(m, f);
  } else if (f->has_presence() && !r->HasField(m, f)) {
    switch (WhenUnset(f)) {
      case Unset::kNull:
        (*out)[JsonKey(f)] = nullptr;
        break;
      case Unset::kOmit:
        break;
      case Unset::kDefault:
        (*out)[JsonKey(f)] = ToJson(r->GetMessage(m, f));
        break;
    }
  } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM && r->GetEnumValue(m, f) == 0) {
    // Rule 4: *_UNSPECIFIED means absent.
  } else {
    (*out)[JsonKey(f)] = ValueToJson(m, f, -1);
  }
}

// Rule 5, and the bare-key unions (MessageCreate.content, search query,
// filter value).
void WriteOneof(const Message& m, const OneofDescriptor* o, json* out) {
  const FieldDescriptor* member = m.GetReflection()->GetOneofFieldDescriptor(m, o);
  if (member == nullptr) return;
  if (StyleOf(o) == OneofStyle::kBareKey) {
    (*out)[o->name()] = ValueToJson(m, member, -1);
    return;
  }
  (*out)["type"] = member->name();
  const bool empty_payload = member->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                             member->message_type()->field_count() == 0;
  if (!empty_payload) (*out)[member->name()] = ValueToJson(m, member, -1);
}

// The list envelope: {"object": "list", data, first_id, last_id, has_more};
// first_id/last_id are null for an empty page.
void FinishListEnvelope(json* out) {
  (*out)["object"] = "list";
  for (const char* key : {"first_id", "last_id"}) {
    if (out->contains(key) && (*out)[key] == "") (*out)[key] = nullptr;
  }
}

// RunEvent: the JSON of its `data` member. `done` is the string "[DONE]"
// (SSE data written raw, unquoted); `error` is wrapped as {"error": {...}}
// so both SDKs raise.
json RunEventToJson(const Message& m, const OneofDescriptor* data) {
  const FieldDescriptor* member = m.GetReflection()->GetOneofFieldDescriptor(m, data);
  if (member == nullptr) return nullptr;
  if (member->name() == "done") return "[DONE]";
  json value = ValueToJson(m, member, -1);
  if (member->name() == "error") return json{{"error", std::move(value)}};
  return value;
}

// Messages that are not JSON objects, or null when they have no value.
bool SpecialToJson(const Message& m, json* out) {
  const Descriptor* d = m.GetDescriptor();
  if (IsListWrapper(d)) {
    *out = RepeatedToJson(m, d->field(0));
  } else if (IsMapWrapper(d)) {
    *out = MapToJson(m, d->field(0));
  } else if (d->full_name() == "assistd.v1.ResponseFormat" &&
             m.GetReflection()->HasField(m, d->FindFieldByName("auto"))) {
    *out = "auto";  // a bare string, not {"type": "auto"}
  } else if (const OneofDescriptor* o = FindOneof(d, OneofStyle::kWholeValue)) {
    if (d->full_name() == "assistd.v1.RunEvent") {
      *out = RunEventToJson(m, o);
    } else {
      const FieldDescriptor* member = m.GetReflection()->GetOneofFieldDescriptor(m, o);
      *out = member == nullptr ? json(nullptr) : ValueToJson(m, member, -1);
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace

json ToJson(const Message& message) {
  json out;
  if (SpecialToJson(message, &out)) return out;
  out = json::object();
  const Descriptor* d = message.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (IsExtension(f) || f->real_containing_oneof() != nullptr) continue;
    WriteField(message, f, &out);
  }
  for (int i = 0; i < d->real_oneof_decl_count(); ++i) {
    WriteOneof(message, d->oneof_decl(i), &out);
  }
  if (IsListResponse(d)) FinishListEnvelope(&out);
  return out;
}

}  // namespace assistd::gateway
