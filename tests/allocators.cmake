# The allocator conformance suite (tests/test_allocators.c), once per backend. The
# backends are read from the registry itself (tests/registries.cmake), so a new backend
# (one file plus one line in allocators/registry.c) is tested without touching this file.
include(${CMAKE_CURRENT_LIST_DIR}/registries.cmake)
add_executable(test_allocators ${CMAKE_CURRENT_LIST_DIR}/test_allocators.c
               ${CMAKE_CURRENT_LIST_DIR}/test_allocator_promises.c)
target_link_libraries(test_allocators PRIVATE hl_allocators)
# A family (preload:PATH) by its bare name: test_allocators runs the suite on the
# family's example, a Debian malloc given by its full path (the build's choice).
foreach(name ${HEAPLAB_ALLOCATOR_NAMES} ${HEAPLAB_ALLOCATOR_FAMILIES})
  add_test(NAME allocators.${name} COMMAND test_allocators ${name})
  set_tests_properties(allocators.${name} PROPERTIES LABELS allocators TIMEOUT 300)
endforeach()

# The Google Benchmark C binding (bench/harness/gbench.cc): counters with every flag,
# skip_with_error and the repetition aggregates, read back through hl_bench_run.
add_executable(test_gbench ${CMAKE_CURRENT_LIST_DIR}/test_gbench.c)
target_link_libraries(test_gbench PRIVATE hl_gbench m)
add_test(NAME gbench.binding COMMAND test_gbench)
set_tests_properties(gbench.binding PROPERTIES LABELS allocators TIMEOUT 120)
