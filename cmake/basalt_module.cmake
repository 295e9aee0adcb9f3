# basalt_module(NAME SOURCES ... DEPS ...): one static library per module, named basalt_<NAME>,
# whose public include root is src/ so that headers are included as "<module>/<file>.hpp".
function(basalt_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(basalt_${name} STATIC ${ARG_SOURCES})
  target_include_directories(basalt_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(basalt_${name} PUBLIC ${ARG_DEPS})
endfunction()

# basalt_test(NAME SOURCES ... DEPS ...): a GoogleTest binary registered with CTest.
function(basalt_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    BASALT_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    BASALT_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
endfunction()
