#ifndef ASSISTD_TESTS_UTIL_METRICS_TEXT_H_
#define ASSISTD_TESTS_UTIL_METRICS_TEXT_H_

#include <map>
#include <string>

#include "absl/strings/string_view.h"

namespace assistd::testing {

// The samples of a Prometheus text exposition, keyed by the series exactly
// as printed before the value: `name{label="value",...}` or `name`.
// Comment lines are skipped; unparsable values are left out.
std::map<std::string, double> ParseMetricsText(absl::string_view text);

// The sample's value, or -1 if the series is absent.
double Sample(const std::map<std::string, double>& samples, const std::string& series);

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_UTIL_METRICS_TEXT_H_
