#ifndef ASSISTD_INDEXER_ATTRIBUTE_FILTER_H_
#define ASSISTD_INDEXER_ATTRIBUTE_FILTER_H_

// Vector-store search filters over file attributes (OpenAI's
// ComparisonFilter / CompoundFilter).

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "common/metadata.h"

namespace assistd::index {

using Attributes = std::map<std::string, AttributeValue>;

struct AttributeFilter {
  enum class Op { kEq, kNe, kGt, kGte, kLt, kLte, kIn, kNin, kAnd, kOr };
  Op op = Op::kEq;
  // Comparisons: the attribute key and the value (a list for in / nin).
  std::string key;
  AttributeValue value;
  std::vector<AttributeValue> values;
  // and / or: the operands.
  std::vector<AttributeFilter> operands;
};

// InvalidArgument naming the problem: an empty key, and/or without
// operands, in/nin without values, gt/gte/lt/lte on a boolean, nesting
// deeper than 8.
absl::Status ValidateFilter(const AttributeFilter& filter);

// Whether `attributes` pass. A comparison on a missing key is false, ne and
// nin included (as NULL in SQL): a file without the attribute never matches
// a comparison on it. eq/ne compare same-typed values (a number
// never equals a string). gt/gte/lt/lte compare numbers with numbers and
// strings with strings (lexicographically); mixed types are false.
bool MatchesFilter(const AttributeFilter& filter, const Attributes& attributes);

}  // namespace assistd::index

#endif  // ASSISTD_INDEXER_ATTRIBUTE_FILTER_H_
