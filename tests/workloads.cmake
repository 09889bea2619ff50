# The workloads (bench/workloads/): in-process checks per allocator
# (tests/test_workloads.c), and every variant x collector through `heaplab run` per
# allocator (tests/workloads_matrix.py), one ctest entry per allocator so they run in
# parallel.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(_hl_workload_allocators ${HEAPLAB_ALLOCATOR_NAMES}) # from tests/allocators.cmake
if(NOT _hl_workload_allocators)
  set(_hl_workload_allocators libc jemalloc mimalloc pool bump)
endif()

add_executable(test_workloads ${CMAKE_CURRENT_LIST_DIR}/test_workloads.c)
target_link_libraries(test_workloads PRIVATE hl_bench)

# The collectors issue's three strategies over every allocator.
foreach(name ${_hl_workload_allocators})
  add_test(NAME workloads.inprocess.${name}
    COMMAND test_workloads ${name} refcount rc_cycle mark_sweep)
  set_tests_properties(workloads.inprocess.${name} PROPERTIES LABELS workloads TIMEOUT 300)
  add_test(NAME workloads.matrix.${name}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/workloads_matrix.py
            ${HEAPLAB_EXE} ${name})
  set_tests_properties(workloads.matrix.${name} PROPERTIES LABELS workloads TIMEOUT 300)
endforeach()

# boehm (conservative; its objects come from libgc, so libc only): the cyclic variants
# accept what a conservative collector may retain (reported as its leak) but nothing
# beyond the dropped structure (bench/workloads/cyclic_graph.c).
add_test(NAME workloads.inprocess.boehm COMMAND test_workloads libc boehm)
set_tests_properties(workloads.inprocess.boehm PROPERTIES LABELS workloads TIMEOUT 300)
