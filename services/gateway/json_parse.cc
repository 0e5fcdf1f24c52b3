// FromJson: request JSON (body or query) -> request message, by reflection,
// with the special cases of json_special_cases.h. Errors are built by
// json_errors.h (OpenAI's wording; the JSON path as the `param` payload).

#include "services/gateway/json_mapping.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "services/gateway/json_errors.h"
#include "services/gateway/json_special_cases.h"

namespace assistd::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::OneofDescriptor;
using google::protobuf::Reflection;
using json = nlohmann::json;
using json_internal::EnumJsonValues;
using json_internal::EnumValueFromJson;
using json_internal::FindOneof;
using json_internal::IndexPath;
using json_internal::InvalidType;
using json_internal::InvalidUnionType;
using json_internal::InvalidValue;
using json_internal::IsEmbeddedJson;
using json_internal::IsListWrapper;
using json_internal::IsMapWrapper;
using json_internal::IsPathParam;
using json_internal::IsTransportKey;
using json_internal::JoinPath;
using json_internal::MissingParameter;
using json_internal::OneofStyle;
using json_internal::StyleOf;
using json_internal::UnrecognizedArgument;

absl::Status ParseMessage(const json& j, Message* m, const std::string& path);
absl::Status ParseField(const json& j, Message* m, const FieldDescriptor* f,
                        const std::string& path);

// Query strings carry numbers as text; only the page size comes from one.
bool AcceptsNumericString(const FieldDescriptor* f) {
  return f->full_name() == "assistd.v1.PageRequest.limit";
}

absl::StatusOr<int64_t> ReadInteger(const json& j, const FieldDescriptor* f,
                                    const std::string& path) {
  int64_t v = 0;
  if (j.is_number_integer() && !j.is_number_unsigned()) {
    v = j.get<int64_t>();
  } else if (j.is_number_unsigned() &&
             j.get<uint64_t>() <= uint64_t{std::numeric_limits<int64_t>::max()}) {
    v = static_cast<int64_t>(j.get<uint64_t>());
  } else if (j.is_number_float() && std::trunc(j.get<double>()) == j.get<double>() &&
             std::fabs(j.get<double>()) < 9.2e18) {
    v = static_cast<int64_t>(j.get<double>());  // e.g. 256.0
  } else if (!(j.is_string() && AcceptsNumericString(f) &&
               absl::SimpleAtoi(j.get<std::string>(), &v))) {
    return InvalidType(path, "an integer");
  }
  const bool is32 = f->cpp_type() == FieldDescriptor::CPPTYPE_INT32;
  if (is32 &&
      (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())) {
    return InvalidType(path, "an integer");
  }
  return v;
}

absl::StatusOr<const EnumValueDescriptor*> ReadEnum(const json& j, const EnumDescriptor* type,
                                                    const std::string& path) {
  const std::vector<std::string> supported = EnumJsonValues(type);
  if (!j.is_string()) return InvalidUnionType(path, supported);
  const std::string text = j.get<std::string>();
  const EnumValueDescriptor* value = EnumValueFromJson(type, text);
  if (value == nullptr) return InvalidValue(path, text, supported);
  return value;
}

// Rule 7: `parameters` / `schema` arrive as JSON objects and are stored
// serialized in `<key>_json`.
absl::StatusOr<std::string> ReadString(const json& j, const FieldDescriptor* f,
                                       const std::string& path) {
  if (IsEmbeddedJson(f)) {
    if (!j.is_object()) return InvalidType(path, "an object");
    return j.dump();
  }
  if (!j.is_string()) return InvalidType(path, "a string");
  return j.get<std::string>();
}

// Sets (singular) or appends (repeated) one non-message value of `f`.
absl::Status ParseScalar(const json& j, Message* m, const FieldDescriptor* f,
                         const std::string& path) {
  const Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      ASSIGN_OR_RETURN(int64_t v, ReadInteger(j, f, path));
      rep ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      ASSIGN_OR_RETURN(int64_t v, ReadInteger(j, f, path));
      rep ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
      if (!j.is_number()) return InvalidType(path, "a number");
      rep ? r->AddDouble(m, f, j.get<double>()) : r->SetDouble(m, f, j.get<double>());
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_BOOL:
      if (!j.is_boolean()) return InvalidType(path, "a boolean");
      rep ? r->AddBool(m, f, j.get<bool>()) : r->SetBool(m, f, j.get<bool>());
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_ENUM: {
      ASSIGN_OR_RETURN(const EnumValueDescriptor* v, ReadEnum(j, f->enum_type(), path));
      rep ? r->AddEnum(m, f, v) : r->SetEnum(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      ASSIGN_OR_RETURN(std::string v, ReadString(j, f, path));
      rep ? r->AddString(m, f, std::move(v)) : r->SetString(m, f, std::move(v));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return ParseMessage(j, rep ? r->AddMessage(m, f) : r->MutableMessage(m, f), path);
    default:  // unsigned and float fields: none in the API
      return absl::InternalError("unsupported field type: " + f->full_name());
  }
}

absl::Status ParseMap(const json& j, Message* m, const FieldDescriptor* f,
                      const std::string& path) {
  if (!j.is_object()) return InvalidType(path, "an object");
  const FieldDescriptor* key = f->message_type()->FindFieldByName("key");
  const FieldDescriptor* value = f->message_type()->FindFieldByName("value");
  for (const auto& [k, v] : j.items()) {
    Message* entry = m->GetReflection()->AddMessage(m, f);
    entry->GetReflection()->SetString(entry, key, k);
    RETURN_IF_ERROR(ParseScalar(v, entry, value, JoinPath(path, k)));
  }
  return absl::OkStatus();
}

absl::Status ParseField(const json& j, Message* m, const FieldDescriptor* f,
                        const std::string& path) {
  if (f->is_map()) return ParseMap(j, m, f, path);
  if (!f->is_repeated()) return ParseScalar(j, m, f, path);
  // `include[]=x` in a query string may arrive as one bare string.
  if (f->name() == "include" && j.is_string()) return ParseScalar(j, m, f, path);
  if (!j.is_array()) return InvalidType(path, "an array");
  for (size_t i = 0; i < j.size(); ++i) {
    RETURN_IF_ERROR(ParseScalar(j[i], m, f, IndexPath(path, i)));
  }
  return absl::OkStatus();
}

// The JSON kind a member of a bare-key or whole-value oneof is written as.
const char* KindOf(const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
    case FieldDescriptor::CPPTYPE_ENUM:
      return "a string";
    case FieldDescriptor::CPPTYPE_BOOL:
      return "a boolean";
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return IsListWrapper(f->message_type()) ? "an array" : "an object";
    default:
      return "a number";
  }
}

const char* KindOf(const json& j) {
  if (j.is_string()) return "a string";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return "null";
}

// A union told apart by JSON kind (string-or-array `content`, `query`, a
// filter `value`, AttributeValue, ToolChoice): the member whose kind
// matches `j`.
absl::Status ParseBareOneof(const json& j, Message* m, const OneofDescriptor* o,
                            const std::string& path) {
  std::vector<std::string> kinds;
  for (int i = 0; i < o->field_count(); ++i) {
    const FieldDescriptor* f = o->field(i);
    if (std::string(KindOf(f)) == KindOf(j)) return ParseField(j, m, f, path);
    kinds.push_back(KindOf(f));
  }
  std::string expected = kinds.back();
  kinds.pop_back();
  if (!kinds.empty()) expected = absl::StrJoin(kinds, ", ") + " or " + expected;
  return InvalidType(path, expected);
}

// Rule 5: reads `type` and sets the oneof member it names (a member without
// a payload key, e.g. {"type": "code_interpreter"}, is set empty).
absl::StatusOr<const FieldDescriptor*> SelectTaggedMember(const json& j, Message* m,
                                                          const OneofDescriptor* o,
                                                          const std::string& path) {
  const std::string type_path = JoinPath(path, "type");
  auto it = j.find("type");
  if (it == j.end() || it->is_null()) return MissingParameter(type_path);
  std::vector<std::string> names;
  for (int i = 0; i < o->field_count(); ++i) names.push_back(o->field(i)->name());
  const FieldDescriptor* member =
      it->is_string() ? m->GetDescriptor()->FindFieldByName(it->get<std::string>()) : nullptr;
  if (member == nullptr || member->real_containing_oneof() != o) {
    return InvalidUnionType(type_path, names);
  }
  const Reflection* r = m->GetReflection();
  if (member->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    r->MutableMessage(m, member);
  } else if (member->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    r->SetString(m, member, "");
  }
  return member;
}

// The field a JSON key names: as is, `<key>_json` (rule 7), or `include`
// for the query form `include[]`.
const FieldDescriptor* FieldForKey(const Descriptor* d, std::string key) {
  if (absl::EndsWith(key, "[]")) key.resize(key.size() - 2);
  if (const FieldDescriptor* f = d->FindFieldByName(key)) return f;
  const FieldDescriptor* f = d->FindFieldByName(key + "_json");
  return f != nullptr && IsEmbeddedJson(f) ? f : nullptr;
}

bool IsPageRequest(const FieldDescriptor* f) {
  return f->message_type() != nullptr && f->message_type()->full_name() == "assistd.v1.PageRequest";
}

// A query object is flat: limit/order/after/before fill the request's
// nested PageRequest `page`.
Message* PageFor(Message* m, const std::string& key) {
  const FieldDescriptor* page = m->GetDescriptor()->FindFieldByName("page");
  if (page == nullptr || !IsPageRequest(page) ||
      page->message_type()->FindFieldByName(key) == nullptr) {
    return nullptr;
  }
  return m->GetReflection()->MutableMessage(m, page);
}

// `"key": null`: not given, except in update requests, where it clears a
// nullable field (recorded in `clear_fields`; the service validates names).
void ParseNull(Message* m, const FieldDescriptor* f) {
  const FieldDescriptor* clear = m->GetDescriptor()->FindFieldByName("clear_fields");
  if (clear == nullptr || !clear->is_repeated() || !f->has_presence()) return;
  m->GetReflection()->AddString(m, clear, f->name());
}

absl::Status ParseKey(const json& j, const std::string& key, Message* m,
                      const FieldDescriptor* member, const std::string& path) {
  const Descriptor* d = m->GetDescriptor();
  if (IsTransportKey(d, key)) {
    return j.is_boolean() || j.is_null() ? absl::OkStatus() : InvalidType(path, "a boolean");
  }
  const FieldDescriptor* f = FieldForKey(d, key);
  if (f == nullptr) {
    if (Message* page = PageFor(m, key)) return ParseKey(j, key, page, nullptr, path);
    const OneofDescriptor* o = d->FindOneofByName(key);
    if (o != nullptr && StyleOf(o) == OneofStyle::kBareKey) {
      return j.is_null() ? absl::OkStatus() : ParseBareOneof(j, m, o, path);
    }
    return UnrecognizedArgument(path);
  }
  if (IsPathParam(f) || IsPageRequest(f) || f->name() == "clear_fields" ||
      (f->real_containing_oneof() != nullptr && f != member)) {
    return UnrecognizedArgument(path);
  }
  if (j.is_null()) {
    ParseNull(m, f);
    return absl::OkStatus();
  }
  return ParseField(j, m, f, path);
}

absl::Status ParseObject(const json& j, Message* m, const std::string& path) {
  if (!j.is_object()) return InvalidType(path.empty() ? "body" : path, "an object");
  const FieldDescriptor* member = nullptr;
  const OneofDescriptor* tagged = FindOneof(m->GetDescriptor(), OneofStyle::kTagged);
  if (tagged != nullptr) {
    ASSIGN_OR_RETURN(member, SelectTaggedMember(j, m, tagged, path));
  }
  for (const auto& [key, value] : j.items()) {
    if (tagged != nullptr && key == "type") continue;
    RETURN_IF_ERROR(ParseKey(value, key, m, member, JoinPath(path, key)));
  }
  return absl::OkStatus();
}

// A search filter has no wrapper: its `type` picks comparison or compound.
absl::Status ParseFilter(const json& j, Message* m, const std::string& path) {
  if (!j.is_object()) return InvalidType(path, "an object");
  const Descriptor* d = m->GetDescriptor();
  const FieldDescriptor* comparison = d->FindFieldByName("comparison");
  const FieldDescriptor* compound = d->FindFieldByName("compound");
  auto it = j.find("type");
  if (it == j.end() || it->is_null()) return MissingParameter(JoinPath(path, "type"));
  const EnumDescriptor* compound_types =
      compound->message_type()->FindFieldByName("type")->enum_type();
  const EnumDescriptor* comparison_types =
      comparison->message_type()->FindFieldByName("type")->enum_type();
  const std::string type = it->is_string() ? it->get<std::string>() : "";
  const bool is_compound = EnumValueFromJson(compound_types, type) != nullptr;
  if (it->is_string() && !is_compound && EnumValueFromJson(comparison_types, type) == nullptr) {
    std::vector<std::string> supported = EnumJsonValues(comparison_types);
    for (std::string& v : EnumJsonValues(compound_types)) supported.push_back(std::move(v));
    return InvalidValue(JoinPath(path, "type"), type, supported);
  }
  Message* target = m->GetReflection()->MutableMessage(m, is_compound ? compound : comparison);
  return ParseObject(j, target, path);
}

absl::Status ParseMessage(const json& j, Message* m, const std::string& path) {
  const Descriptor* d = m->GetDescriptor();
  if (IsListWrapper(d) || IsMapWrapper(d)) return ParseField(j, m, d->field(0), path);
  if (d->full_name() == "assistd.v1.Filter") return ParseFilter(j, m, path);
  if (d->full_name() == "assistd.v1.ResponseFormat" && j.is_string()) {
    if (j.get<std::string>() != "auto") {
      return InvalidValue(path, j.get<std::string>(), {"auto"});
    }
    m->GetReflection()->MutableMessage(m, d->FindFieldByName("auto"));
    return absl::OkStatus();
  }
  if (const OneofDescriptor* o = FindOneof(d, OneofStyle::kWholeValue)) {
    return ParseBareOneof(j, m, o, path);
  }
  return ParseObject(j, m, path);
}

// Parsing recurses once per JSON level; bound the depth first (iteratively)
// so that no input can exhaust the stack. Search filters, the deepest
// legitimate shape, nest at most 8 levels (about 20 JSON levels).
constexpr int kMaxJsonDepth = 64;

bool NestsTooDeep(const json& root) {
  std::vector<std::pair<const json*, int>> stack = {{&root, 1}};
  while (!stack.empty()) {
    const auto [value, depth] = stack.back();
    stack.pop_back();
    if (!value->is_structured()) continue;
    if (depth > kMaxJsonDepth) return true;
    for (const json& child : *value) stack.emplace_back(&child, depth + 1);
  }
  return false;
}

}  // namespace

absl::Status FromJson(const json& body, Message* message, const std::string& prefix) {
  if (body.is_null()) return absl::OkStatus();  // an empty body
  if (NestsTooDeep(body)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Request JSON nests deeper than ", kMaxJsonDepth, " levels."));
  }
  const Descriptor* d = message->GetDescriptor();
  if (d->full_name() == "assistd.v1.CreateMessageRequest") {
    // The body is the MessageCreate; thread_id comes from the path.
    Message* created =
        message->GetReflection()->MutableMessage(message, d->FindFieldByName("message"));
    return ParseMessage(body, created, prefix);
  }
  return ParseMessage(body, message, prefix);
}

}  // namespace assistd::gateway
