#include "cli/proto_json.h"

#include <google/protobuf/descriptor.h>

#include <string>

#include "common/proto_json_values.h"

namespace assistd::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// One value of `f` (element `index` if repeated, else -1); null for
// *_UNSPECIFIED (the caller omits it).
nlohmann::json ScalarToJson(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return ProtoToJson(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
  }
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM &&
      (rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f)) == 0) {
    return nullptr;
  }
  return ScalarFieldToJson(m, f, index);
}

// A map field: entries are messages with fields "key" and "value".
nlohmann::json MapToJson(const Message& m, const FieldDescriptor* f) {
  nlohmann::json out = nlohmann::json::object();
  const Reflection* r = m.GetReflection();
  for (int i = 0; i < r->FieldSize(m, f); ++i) {
    const Message& entry = r->GetRepeatedMessage(m, f, i);
    const FieldDescriptor* key = entry.GetDescriptor()->FindFieldByName("key");
    const FieldDescriptor* value = entry.GetDescriptor()->FindFieldByName("value");
    out[entry.GetReflection()->GetString(entry, key)] = ScalarToJson(entry, value, -1);
  }
  return out;
}

nlohmann::json FieldToJson(const Message& m, const FieldDescriptor* f) {
  if (f->is_map()) return MapToJson(m, f);
  if (!f->is_repeated()) return ScalarToJson(m, f, -1);
  nlohmann::json out = nlohmann::json::array();
  for (int i = 0; i < m.GetReflection()->FieldSize(m, f); ++i) {
    out.push_back(ScalarToJson(m, f, i));
  }
  return out;
}

// Set oneof members and present optional/message fields; every other
// singular field only when it has presence.
bool ShouldWrite(const Message& m, const FieldDescriptor* f) {
  if (f->is_repeated()) return true;
  if (f->has_presence()) return m.GetReflection()->HasField(m, f);
  return true;
}

}  // namespace

nlohmann::json ProtoToJson(const Message& message) {
  const Descriptor* d = message.GetDescriptor();
  if (d->field_count() == 1 && d->field(0)->is_repeated()) {
    return FieldToJson(message, d->field(0));
  }
  nlohmann::json out = nlohmann::json::object();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (!ShouldWrite(message, f)) continue;
    nlohmann::json value = FieldToJson(message, f);
    if (value.is_null()) continue;
    if (d->full_name() == "assistd.v1.AttributeValue") return value;
    if (f->real_containing_oneof() != nullptr && d->real_oneof_decl_count() == 1 &&
        d->FindFieldByName("type") == nullptr) {
      out["type"] = f->name();
    }
    out[f->name()] = std::move(value);
  }
  return out;
}

}  // namespace assistd::cli
