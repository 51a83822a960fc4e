# One static library per folder of src/ (the folders are the architecture, CONVENTIONS.md §1),
# and one test executable per *_test.cc file so that a test only links what it uses; with
# ASSAY_FUZZ, one libFuzzer executable per *_fuzz.cc file.

function(assay_library name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  list(FILTER sources EXCLUDE REGEX "_test\\.cc$|_fuzz\\.cc$|/main\\.cc$")
  if(sources)
    add_library(${name} STATIC ${sources})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  else()  # a folder whose first file has not landed yet
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
  endif()
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  foreach(test_source ${tests})
    get_filename_component(test_name ${test_source} NAME_WE)
    add_executable(${test_name} ${test_source})
    target_link_libraries(${test_name} PRIVATE ${name} GTest::gtest GTest::gmock GTest::gtest_main)
    target_compile_definitions(${test_name} PRIVATE
      ASSAY_SOURCE_DIR="${PROJECT_SOURCE_DIR}" ASSAY_BINARY_DIR="${PROJECT_BINARY_DIR}")
    gtest_discover_tests(${test_name} DISCOVERY_TIMEOUT 60
      PROPERTIES ENVIRONMENT "ASSAY_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  endforeach()
  # With ASSAY_FUZZ, one libFuzzer executable per *_fuzz.cc, linked against this folder's
  # library (which, like all code in that build, has -fsanitize=fuzzer-no-link,address,undefined).
  if(ASSAY_FUZZ)
    file(GLOB fuzzers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_fuzz.cc)
    foreach(fuzz_source ${fuzzers})
      get_filename_component(fuzz_name ${fuzz_source} NAME_WE)
      add_executable(${fuzz_name} ${fuzz_source})
      target_link_libraries(${fuzz_name} PRIVATE ${name})
      target_compile_options(${fuzz_name} PRIVATE -fsanitize=fuzzer,address,undefined)
      target_link_options(${fuzz_name} PRIVATE -fsanitize=fuzzer,address,undefined)
      set_target_properties(${fuzz_name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                            ${PROJECT_BINARY_DIR}/fuzz)
      add_dependencies(fuzzers ${fuzz_name})
    endforeach()
  endif()
endfunction()
