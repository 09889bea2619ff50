# The names in the three registries, for the tests that add one ctest entry per name:
# read from the X(<name>) lines of allocators/registry.c, collectors/registry.c and
# bench/workloads/registry.c, so a new allocator, collector or workload (one file plus
# one line there) gets its entries without touching any tests/ file. Sets
#   HEAPLAB_ALLOCATOR_NAMES, HEAPLAB_COLLECTOR_NAMES, HEAPLAB_WORKLOAD_NAMES
# in registry order. Any tests/<area>.cmake includes this file; it runs once.
#
# The test that the reading is right: registry.names (tests/test_registry.c) is given
# these lists and checks them against the compiled tables, entry for entry.
include_guard(GLOBAL)

set(_hl_registry_root ${CMAKE_CURRENT_LIST_DIR}/..)

# _hl_registry_names(OUT FILE): the X(<name>) lines of FILE.
function(_hl_registry_names out file)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  # Read whole: the X(...) lines end in a backslash, which a CMake list would take as
  # an escape.
  file(READ ${file} text)
  string(REGEX MATCHALL "\n[ \t]*X\\([a-z0-9_]+\\)" lines "${text}")
  set(names "")
  foreach(line ${lines})
    string(REGEX REPLACE ".*X\\(([a-z0-9_]+)\\)" "\\1" name "${line}")
    list(APPEND names ${name})
  endforeach()
  if(NOT names)
    message(FATAL_ERROR "tests/registries.cmake: no X(<name>) line in ${file}")
  endif()
  set(${out} ${names} PARENT_SCOPE)
endfunction()

_hl_registry_names(HEAPLAB_ALLOCATOR_NAMES ${_hl_registry_root}/allocators/registry.c)
_hl_registry_names(HEAPLAB_COLLECTOR_NAMES ${_hl_registry_root}/collectors/registry.c)
_hl_registry_names(HEAPLAB_WORKLOAD_NAMES ${_hl_registry_root}/bench/workloads/registry.c)

# The registries as a program sees them, and their properties for the Python drivers
# (`test_registry --print`: one line per allocator, collector and workload variant).
add_executable(test_registry ${CMAKE_CURRENT_LIST_DIR}/test_registry.c)
target_link_libraries(test_registry PRIVATE hl_bench)
set(HEAPLAB_REGISTRY_EXE $<TARGET_FILE:test_registry>)

string(REPLACE ";" "," _hl_registry_allocators "${HEAPLAB_ALLOCATOR_NAMES}")
string(REPLACE ";" "," _hl_registry_collectors "${HEAPLAB_COLLECTOR_NAMES}")
string(REPLACE ";" "," _hl_registry_workloads "${HEAPLAB_WORKLOAD_NAMES}")
add_test(NAME registry.names
  COMMAND test_registry --expect ${_hl_registry_allocators} ${_hl_registry_collectors}
          ${_hl_registry_workloads})
set_tests_properties(registry.names PROPERTIES LABELS registry TIMEOUT 60)
