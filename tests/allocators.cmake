# The allocator conformance suite (tests/test_allocators.c), once per backend. The
# backends are read from the registry table itself, so a new backend (one file plus one
# line in allocators/registry.c) is tested without touching this file.
add_executable(test_allocators ${CMAKE_CURRENT_LIST_DIR}/test_allocators.c)
target_link_libraries(test_allocators PRIVATE hl_allocators)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/../allocators/registry.c)
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/../allocators/registry.c _hl_registry_lines
  REGEX "^[ \t]*&hl_[a-z0-9_]+_allocator,")
set(HEAPLAB_ALLOCATOR_NAMES "")
foreach(line ${_hl_registry_lines})
  string(REGEX REPLACE "^[ \t]*&hl_([a-z0-9_]+)_allocator,.*" "\\1" name "${line}")
  list(APPEND HEAPLAB_ALLOCATOR_NAMES ${name})
endforeach()
list(LENGTH HEAPLAB_ALLOCATOR_NAMES _hl_count)
if(_hl_count LESS 5)
  message(FATAL_ERROR "tests/allocators.cmake: found only '${HEAPLAB_ALLOCATOR_NAMES}' in allocators/registry.c")
endif()
foreach(name ${HEAPLAB_ALLOCATOR_NAMES})
  add_test(NAME allocators.${name} COMMAND test_allocators ${name})
  set_tests_properties(allocators.${name} PROPERTIES LABELS allocators TIMEOUT 300)
endforeach()

# The Google Benchmark C binding (bench/harness/gbench.cc): counters with every flag,
# skip_with_error and the repetition aggregates, read back through hl_bench_run.
add_executable(test_gbench ${CMAKE_CURRENT_LIST_DIR}/test_gbench.c)
target_link_libraries(test_gbench PRIVATE hl_gbench m)
add_test(NAME gbench.binding COMMAND test_gbench)
set_tests_properties(gbench.binding PROPERTIES LABELS allocators TIMEOUT 120)
