#include "indexer/attribute_filter.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"

namespace assistd::index {
namespace {

using Op = AttributeFilter::Op;

// The root is at depth 1; each and/or operand is one level deeper.
constexpr int kMaxDepth = 8;

bool IsCompound(Op op) { return op == Op::kAnd || op == Op::kOr; }
bool IsList(Op op) { return op == Op::kIn || op == Op::kNin; }
bool IsOrdering(Op op) {
  return op == Op::kGt || op == Op::kGte || op == Op::kLt || op == Op::kLte;
}

absl::Status Invalid(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("Invalid 'filters': ", why));
}

absl::Status ValidateComparison(const AttributeFilter& f) {
  if (f.key.empty()) return Invalid("a comparison has an empty 'key'.");
  if (IsList(f.op) && f.values.empty()) {
    return Invalid(
        absl::StrCat("'in'/'nin' on key '", f.key, "' needs a non-empty array 'value'."));
  }
  if (IsOrdering(f.op) && std::holds_alternative<bool>(f.value)) {
    return Invalid(absl::StrCat("'gt'/'gte'/'lt'/'lte' on key '", f.key,
                                "' needs a number or string 'value', not a boolean."));
  }
  return absl::OkStatus();
}

// Stops at the depth limit, so hostile nesting cannot exhaust the stack.
absl::Status ValidateAt(const AttributeFilter& f, int depth) {
  if (depth > kMaxDepth) {
    return Invalid(absl::StrCat("nested deeper than ", kMaxDepth, " levels."));
  }
  if (!IsCompound(f.op)) return ValidateComparison(f);
  if (f.operands.empty()) return Invalid("'and'/'or' needs at least one filter in 'filters'.");
  for (const AttributeFilter& operand : f.operands) {
    RETURN_IF_ERROR(ValidateAt(operand, depth + 1));
  }
  return absl::OkStatus();
}

// Same type and same value; a number never equals a string or a boolean.
bool SameValue(const AttributeValue& a, const AttributeValue& b) {
  return a.index() == b.index() && a == b;
}

// <0, 0 or >0 like strcmp, or nullopt when the values cannot be ordered
// (mixed types, booleans).
std::optional<int> Compare(const AttributeValue& attribute, const AttributeValue& value) {
  if (const auto* a = std::get_if<double>(&attribute)) {
    const auto* v = std::get_if<double>(&value);
    if (v == nullptr) return std::nullopt;
    if (*a < *v) return -1;
    if (*a > *v) return 1;
    if (*a == *v) return 0;
    return std::nullopt;  // NaN
  }
  if (const auto* a = std::get_if<std::string>(&attribute)) {
    const auto* v = std::get_if<std::string>(&value);
    if (v == nullptr) return std::nullopt;
    return a->compare(*v);
  }
  return std::nullopt;
}

bool AnyEqual(const AttributeValue& attribute, const std::vector<AttributeValue>& values) {
  for (const AttributeValue& v : values) {
    if (SameValue(attribute, v)) return true;
  }
  return false;
}

bool MatchesComparison(const AttributeFilter& f, const Attributes& attributes) {
  auto it = attributes.find(f.key);
  if (it == attributes.end()) return false;  // like SQL's NULL: no comparison holds
  const AttributeValue& a = it->second;
  switch (f.op) {
    case Op::kEq:
      return SameValue(a, f.value);
    case Op::kNe:
      return !SameValue(a, f.value);
    case Op::kIn:
      return AnyEqual(a, f.values);
    case Op::kNin:
      return !AnyEqual(a, f.values);
    default:
      break;
  }
  std::optional<int> c = Compare(a, f.value);
  if (!c) return false;
  switch (f.op) {
    case Op::kGt:
      return *c > 0;
    case Op::kGte:
      return *c >= 0;
    case Op::kLt:
      return *c < 0;
    case Op::kLte:
      return *c <= 0;
    default:
      return false;
  }
}

}  // namespace

absl::Status ValidateFilter(const AttributeFilter& filter) { return ValidateAt(filter, 1); }

bool MatchesFilter(const AttributeFilter& filter, const Attributes& attributes) {
  if (filter.op == Op::kAnd) {
    for (const AttributeFilter& f : filter.operands) {
      if (!MatchesFilter(f, attributes)) return false;
    }
    return true;
  }
  if (filter.op == Op::kOr) {
    for (const AttributeFilter& f : filter.operands) {
      if (MatchesFilter(f, attributes)) return true;
    }
    return false;
  }
  return MatchesComparison(filter, attributes);
}

}  // namespace assistd::index
