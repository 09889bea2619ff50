# The architecture of the sources: tests/include_graph.py reads the include
# graph of allocators/, collectors/ and bench/ and fails on an include of a higher room
# (allocators 0, collectors 1, bench/workloads 2, bench/report 3, bench/harness 4,
# bench/batch 5, bench/cli and bench/micro 6), on a file or module include cycle, on
# an include that resolves to no file and on a file under bench/ outside the rooms.
# The self-test runs the checker on small broken trees: it shows the check can fail.
# Python 3 standard library only; nothing to build.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(HL_ARCH_PYTHON ${Python3_EXECUTABLE})
else()
  set(HL_ARCH_PYTHON python3)
endif()

add_test(NAME architecture.include_graph
  COMMAND ${HL_ARCH_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/include_graph.py ${CMAKE_SOURCE_DIR})
add_test(NAME architecture.include_graph_self_test
  COMMAND ${HL_ARCH_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/include_graph.py --self-test)
set_tests_properties(architecture.include_graph architecture.include_graph_self_test
  PROPERTIES LABELS architecture TIMEOUT 60)
