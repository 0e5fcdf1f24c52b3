#include "cli/proto_json.h"

#include <google/protobuf/descriptor.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace assistd::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// "VectorStoreFileStatus" -> "VECTOR_STORE_FILE_STATUS_".
std::string EnumPrefix(const std::string& type_name) {
  std::string prefix;
  for (size_t i = 0; i < type_name.size(); ++i) {
    const char c = type_name[i];
    if (i > 0 && absl::ascii_isupper(c)) prefix += '_';
    prefix += absl::ascii_toupper(c);
  }
  return prefix + "_";
}

// Null for *_UNSPECIFIED (the caller omits it).
nlohmann::json EnumToJson(const EnumValueDescriptor* value) {
  if (value->number() == 0) return nullptr;
  std::string name = value->name();
  const std::string prefix = EnumPrefix(value->type()->name());
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return absl::AsciiStrToLower(name);
}

nlohmann::json ScalarToJson(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
    case FieldDescriptor::CPPTYPE_UINT32:
      return rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
    case FieldDescriptor::CPPTYPE_UINT64:
      return rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f);
    case FieldDescriptor::CPPTYPE_BOOL:
      return rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f);
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumToJson(rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f));
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string s = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      if (f->type() == FieldDescriptor::TYPE_BYTES) return absl::Base64Escape(s);
      return s;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return ProtoToJson(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
  }
  return nullptr;
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
