# The micro-benchmark programs (bench/micro) run small: the collectors' full collection
# of a 2^20 dead tree on the allocator HEAPLAB_MICRO_ALLOCATOR names, and the allocator
# churn benchmark (tests/micro_check.py).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME micro.programs
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/micro_check.py ${CMAKE_BINARY_DIR})
set_tests_properties(micro.programs PROPERTIES LABELS micro TIMEOUT 300)
# scripts/microtable against a stand-in binary whose figures are known
# (tests/microtable_check.py): the settings it passes, each cell's median and spread,
# dashes and left-out rows, and one line with a non-zero exit for each bad case.
add_test(NAME micro.microtable
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/microtable_check.py
          ${CMAKE_SOURCE_DIR}/scripts/microtable ${CMAKE_CURRENT_BINARY_DIR}/microtable_check)
set_tests_properties(micro.microtable PROPERTIES LABELS micro TIMEOUT 60)
