# The micro-benchmark programs (bench/micro) run small: the collectors' full collection
# of a 2^20 dead tree on the allocator HEAPLAB_MICRO_ALLOCATOR names, and the allocator
# churn benchmark (tests/micro_check.py).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME micro.programs
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/micro_check.py ${CMAKE_BINARY_DIR})
set_tests_properties(micro.programs PROPERTIES LABELS micro TIMEOUT 300)
