# `heaplab run --trace FILE.json` (docs/traces.md): the listener driven directly
# (tests/test_trace.c: phase names, nesting, the bound and the truncation it records) and
# the command end to end for every collector (tests/trace_check.py: the file loads, slices
# nest, timestamps never go backwards, the collections are the --pauses rows), plus bad
# output paths.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_executable(test_trace ${CMAKE_CURRENT_SOURCE_DIR}/test_trace.c)
target_link_libraries(test_trace PRIVATE hl_bench)
add_test(NAME trace.listener COMMAND test_trace ${CMAKE_CURRENT_BINARY_DIR}/trace-work)
set_tests_properties(trace.listener PROPERTIES LABELS trace)
foreach(group collectors bad)
  add_test(NAME trace.${group}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/trace_check.py ${HEAPLAB_EXE}
            ${group})
  set_tests_properties(trace.${group} PROPERTIES LABELS trace TIMEOUT 300)
endforeach()
