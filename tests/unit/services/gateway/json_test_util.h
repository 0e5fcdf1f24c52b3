#ifndef ASSISTD_TESTS_UNIT_SERVICES_GATEWAY_JSON_TEST_UTIL_H_
#define ASSISTD_TESTS_UNIT_SERVICES_GATEWAY_JSON_TEST_UTIL_H_

// Helpers for the json_mapping tests: protos from text format, JSON from
// raw strings.

#include <string>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace assistd::gateway::testing {

// Parses `text` (protobuf text format) into a T; fails the test if invalid.
template <typename T>
T FromText(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

inline nlohmann::json J(const std::string& text) { return nlohmann::json::parse(text); }

}  // namespace assistd::gateway::testing

#endif  // ASSISTD_TESTS_UNIT_SERVICES_GATEWAY_JSON_TEST_UTIL_H_
