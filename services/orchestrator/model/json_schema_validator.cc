#include "services/orchestrator/model/json_schema_validator.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace assistd::model {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxProblems = 5;
constexpr size_t kMaxQuoted = 80;

std::string Quote(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > kMaxQuoted)
    text = absl::StrCat(text.substr(0, kMaxQuoted), "...");
  return text;
}

const char* TypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "array";
    default:
      return "object";
  }
}

bool HasType(const Json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    const double d = value.get<double>();
    return d == static_cast<double>(static_cast<long long>(d));
  }
  return true;  // an unknown type name constrains nothing we understand
}

class Validator {
 public:
  void Check(const Json& value, const Json& schema, const std::string& path) {
    if (!schema.is_object() || problems_.size() >= kMaxProblems) return;
    if (!CheckType(value, schema, path)) return;
    CheckEnum(value, schema, path);
    if (value.is_object()) CheckObject(value, schema, path);
    if (value.is_array()) CheckArray(value, schema, path);
  }

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void Add(const std::string& path, absl::string_view problem) {
    if (problems_.size() < kMaxProblems)
      problems_.push_back(absl::StrCat(path, ": ", problem));
  }

  // False when the type is wrong (nothing below it is worth checking).
  bool CheckType(const Json& value, const Json& schema,
                 const std::string& path) {
    const auto type = schema.find("type");
    if (type == schema.end()) return true;
    std::vector<std::string> allowed;
    if (type->is_string()) allowed.push_back(type->get<std::string>());
    if (type->is_array()) {
      for (const Json& t : *type) {
        if (t.is_string()) allowed.push_back(t.get<std::string>());
      }
    }
    if (allowed.empty()) return true;
    for (const std::string& t : allowed) {
      if (HasType(value, t)) return true;
    }
    Add(path, absl::StrCat("expected ", absl::StrJoin(allowed, " or "),
                           ", got ", TypeName(value)));
    return false;
  }

  void CheckEnum(const Json& value, const Json& schema,
                 const std::string& path) {
    const auto options = schema.find("enum");
    if (options != schema.end() && options->is_array()) {
      for (const Json& option : *options) {
        if (option == value) return;
      }
      Add(path, absl::StrCat(Quote(value), " is not one of ", Quote(*options)));
    }
    const auto constant = schema.find("const");
    if (constant != schema.end() && *constant != value) {
      Add(path,
          absl::StrCat("expected ", Quote(*constant), ", got ", Quote(value)));
    }
  }

  void CheckObject(const Json& value, const Json& schema,
                   const std::string& path) {
    const auto required = schema.find("required");
    if (required != schema.end() && required->is_array()) {
      for (const Json& name : *required) {
        if (name.is_string() && !value.contains(name.get<std::string>())) {
          Add(path, absl::StrCat("missing required property \"",
                                 name.get<std::string>(), "\""));
        }
      }
    }
    const auto properties = schema.find("properties");
    const bool has_properties =
        properties != schema.end() && properties->is_object();
    const auto additional = schema.find("additionalProperties");
    for (const auto& [key, member] : value.items()) {
      const std::string member_path = absl::StrCat(path, ".", key);
      if (has_properties && properties->contains(key)) {
        Check(member, (*properties)[key], member_path);
      } else if (additional != schema.end() && additional->is_boolean() &&
                 !additional->get<bool>()) {
        Add(path, absl::StrCat("unexpected property \"", key, "\""));
      } else if (additional != schema.end() && additional->is_object()) {
        Check(member, *additional, member_path);
      }
    }
  }

  void CheckArray(const Json& value, const Json& schema,
                  const std::string& path) {
    const auto items = schema.find("items");
    if (items == schema.end() || !items->is_object()) return;
    for (size_t i = 0; i < value.size(); ++i) {
      Check(value[i], *items, absl::StrCat(path, "[", i, "]"));
    }
  }

  std::vector<std::string> problems_;
};

}  // namespace

absl::Status ValidateJsonAgainstSchema(absl::string_view instance_json,
                                       absl::string_view schema_json) {
  const Json instance =
      Json::parse(instance_json.begin(), instance_json.end(), nullptr, false);
  if (instance.is_discarded()) {
    return absl::InvalidArgumentError("arguments are not valid JSON");
  }
  if (schema_json.empty()) return absl::OkStatus();
  const Json schema =
      Json::parse(schema_json.begin(), schema_json.end(), nullptr, false);
  if (!schema.is_object()) {
    return absl::InvalidArgumentError("the JSON schema is not a JSON object");
  }
  Validator validator;
  validator.Check(instance, schema, "$");
  if (validator.problems().empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(validator.problems(), "; "));
}

}  // namespace assistd::model
