# The workloads (bench/workloads/): in-process checks per allocator
# (tests/test_workloads.c), and every variant x collector through `heaplab run` per
# allocator (tests/workloads_matrix.py), one ctest entry per allocator so they run in
# parallel. The allocators are the registry's (tests/registries.cmake); both programs
# take every collector and workload variant from the registries themselves (a collector
# that brings its own allocator, boehm, runs under the registry's first allocator only,
# as a batch runs it), so a new allocator, collector or workload is covered without
# touching this file.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
include(${CMAKE_CURRENT_LIST_DIR}/registries.cmake)

add_executable(test_workloads ${CMAKE_CURRENT_LIST_DIR}/test_workloads.c)
target_link_libraries(test_workloads PRIVATE hl_bench)

foreach(name ${HEAPLAB_ALLOCATOR_NAMES})
  add_test(NAME workloads.inprocess.${name} COMMAND test_workloads ${name})
  set_tests_properties(workloads.inprocess.${name} PROPERTIES LABELS workloads TIMEOUT 300)
  add_test(NAME workloads.matrix.${name}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/workloads_matrix.py
            ${HEAPLAB_EXE} ${name} ${HEAPLAB_REGISTRY_EXE})
  set_tests_properties(workloads.matrix.${name} PROPERTIES LABELS workloads TIMEOUT 300)
endforeach()

# The reclaim checks can fail: every cyclic_graph, cycle_churn and growing_heap variant
# under every cycle-reclaiming collector, and every gcbench and gc_traversal variant under
# every collector that does not count references, fails (exit 1, status failed) when the
# heap never collects (HEAPLAB_TEST_NO_COLLECT=1), and passes without it
# (tests/no_collect_test.py).
add_test(NAME workloads.no_collect
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/no_collect_test.py
          ${HEAPLAB_EXE} ${HEAPLAB_REGISTRY_EXE})
set_tests_properties(workloads.no_collect PROPERTIES LABELS workloads TIMEOUT 300)

# The in-process workload checks with mark_sweep sweeping lazily (HEAPLAB_TEST_SWEEP=lazy).
add_test(NAME workloads.inprocess.libc.lazy_sweep COMMAND test_workloads libc mark_sweep)
set_tests_properties(workloads.inprocess.libc.lazy_sweep PROPERTIES LABELS workloads TIMEOUT 300
  ENVIRONMENT HEAPLAB_TEST_SWEEP=lazy)
