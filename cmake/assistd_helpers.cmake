# assistd_test(NAME <name> LABEL unit|integration SRCS <files...> DEPS <libs...>)
# One executable per test file, registered with CTest under its label.
function(assistd_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SRCS;DEPS" ${ARGN})
  if(NOT T_LABEL MATCHES "^(unit|integration|security|conformance)$")
    message(FATAL_ERROR "assistd_test(${T_NAME}): LABEL must be unit, integration, security or conformance")
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SRCS})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} assistd_test_util GTest::gmock_main)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT})
endfunction()

# assistd_proto_library(NAME <name> ROOT <import root> PROTOS <relative paths...>
#                       [DEPS <other *_proto libs...>] [GRPC])
# Generates with a plain custom command running protoc (and grpc_cpp_plugin
# with mocks when GRPC is given): CMake 3.25's protobuf_generate is
# unreliable here. Makes <name>_proto (messages) and, with GRPC, <name>_grpc
# (stubs, services and mocks).
function(assistd_proto_library)
  cmake_parse_arguments(P "GRPC" "NAME;ROOT" "PROTOS;DEPS" ${ARGN})
  set(out_dir ${CMAKE_BINARY_DIR}/gen)
  set(msg_srcs)
  set(grpc_srcs)
  set(abs_protos)
  foreach(proto ${P_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" base ${proto})
    list(APPEND msg_srcs ${out_dir}/${base}.pb.cc ${out_dir}/${base}.pb.h)
    if(P_GRPC)
      list(APPEND grpc_srcs ${out_dir}/${base}.grpc.pb.cc ${out_dir}/${base}.grpc.pb.h
                            ${out_dir}/${base}_mock.grpc.pb.h)
    endif()
    list(APPEND abs_protos ${P_ROOT}/${proto})
  endforeach()
  set(grpc_args)
  if(P_GRPC)
    set(grpc_args --grpc_out=generate_mock_code=true:${out_dir}
                  --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>)
  endif()
  add_custom_command(
    OUTPUT ${msg_srcs} ${grpc_srcs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    COMMAND protobuf::protoc -I${P_ROOT} --cpp_out=${out_dir} ${grpc_args} ${P_PROTOS}
    DEPENDS ${abs_protos} protobuf::protoc
    WORKING_DIRECTORY ${P_ROOT}
    COMMENT "protoc ${P_NAME}"
    VERBATIM)
  add_library(${P_NAME}_proto ${msg_srcs})
  target_include_directories(${P_NAME}_proto PUBLIC ${out_dir})
  target_link_libraries(${P_NAME}_proto PUBLIC ${P_DEPS} protobuf::libprotobuf)
  # Generated code is not ours to warn about.
  target_compile_options(${P_NAME}_proto PRIVATE -w)
  if(P_GRPC)
    add_library(${P_NAME}_grpc ${grpc_srcs})
    target_link_libraries(${P_NAME}_grpc PUBLIC ${P_NAME}_proto gRPC::grpc++)
    target_compile_options(${P_NAME}_grpc PRIVATE -w)
  endif()
endfunction()
