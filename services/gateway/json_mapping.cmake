# OpenAI JSON <-> assistd protos for the REST gateway (json_mapping.h).
# Included once, by whichever of services/gateway/CMakeLists.txt or
# tests/CMakeLists.txt comes first:
#   if(NOT TARGET assistd_gateway_json)
#     include(${PROJECT_SOURCE_DIR}/services/gateway/json_mapping.cmake)
#   endif()
add_library(assistd_gateway_json
  ${CMAKE_CURRENT_LIST_DIR}/json_errors.cc
  ${CMAKE_CURRENT_LIST_DIR}/json_mapping.cc
  ${CMAKE_CURRENT_LIST_DIR}/json_parse.cc
  ${CMAKE_CURRENT_LIST_DIR}/json_special_cases.cc)
target_link_libraries(assistd_gateway_json PUBLIC
  assistd_proto nlohmann_json::nlohmann_json absl::status absl::statusor absl::strings
  absl::cord)
