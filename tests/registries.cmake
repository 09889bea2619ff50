# The names in the three registries, for the tests that add one ctest entry per name:
# read from the X(<name>) lines of allocators/registry.c, collectors/registry.c and
# bench/workloads/registry.c, so a new allocator, collector or workload (one file plus
# one line there) gets its entries without touching any tests/ file. Sets
#   HEAPLAB_ALLOCATOR_NAMES, HEAPLAB_COLLECTOR_NAMES, HEAPLAB_WORKLOAD_NAMES
# in registry order, and HEAPLAB_ALLOCATOR_FAMILIES: the F(<name>) lines of
# allocators/registry.c, backends spelled <name>:<parameter> (preload:PATH), which are not
# runnable by their bare name and so are not in HEAPLAB_ALLOCATOR_NAMES. Any
# tests/<area>.cmake includes this file; it runs once.
#
# The test that the reading is right: registry.names (tests/test_registry.c) is given
# these lists and checks them against the compiled tables, entry for entry.
include_guard(GLOBAL)

set(_hl_registry_root ${CMAKE_CURRENT_LIST_DIR}/..)

# _hl_registry_names(OUT FILE [LETTER]): the X(<name>) lines of FILE (or LETTER's);
# OUT_ALL: the X and F lines, in order (what the compiled table holds).
function(_hl_registry_names out file)
  set(letter X)
  if(ARGC GREATER 2)
    set(letter ${ARGV2})
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  # Read whole: the X(...) lines end in a backslash, which a CMake list would take as
  # an escape.
  file(READ ${file} text)
  string(REGEX MATCHALL "\n[ \t]*[XF]\\([a-z0-9_]+\\)" lines "${text}")
  set(names "")
  set(all "")
  foreach(line ${lines})
    string(REGEX REPLACE ".*([XF])\\(([a-z0-9_]+)\\)" "\\1" kind "${line}")
    string(REGEX REPLACE ".*[XF]\\(([a-z0-9_]+)\\)" "\\1" name "${line}")
    list(APPEND all ${name})
    if(kind STREQUAL letter)
      list(APPEND names ${name})
    endif()
  endforeach()
  if(NOT all)
    message(FATAL_ERROR "tests/registries.cmake: no X(<name>) line in ${file}")
  endif()
  set(${out} ${names} PARENT_SCOPE)
  set(${out}_ALL ${all} PARENT_SCOPE)
endfunction()

_hl_registry_names(HEAPLAB_ALLOCATOR_NAMES ${_hl_registry_root}/allocators/registry.c)
_hl_registry_names(HEAPLAB_ALLOCATOR_FAMILIES ${_hl_registry_root}/allocators/registry.c F)
_hl_registry_names(HEAPLAB_COLLECTOR_NAMES ${_hl_registry_root}/collectors/registry.c)
_hl_registry_names(HEAPLAB_WORKLOAD_NAMES ${_hl_registry_root}/bench/workloads/registry.c)

# The registries as a program sees them, and their properties for the Python drivers
# (`test_registry --print`: one line per allocator, collector and workload variant).
add_executable(test_registry ${CMAKE_CURRENT_LIST_DIR}/test_registry.c)
target_link_libraries(test_registry PRIVATE hl_bench)
set(HEAPLAB_REGISTRY_EXE $<TARGET_FILE:test_registry>)

string(REPLACE ";" "," _hl_registry_allocators "${HEAPLAB_ALLOCATOR_NAMES_ALL}")
string(REPLACE ";" "," _hl_registry_collectors "${HEAPLAB_COLLECTOR_NAMES}")
string(REPLACE ";" "," _hl_registry_workloads "${HEAPLAB_WORKLOAD_NAMES}")
add_test(NAME registry.names
  COMMAND test_registry --expect ${_hl_registry_allocators} ${_hl_registry_collectors}
          ${_hl_registry_workloads})
set_tests_properties(registry.names PROPERTIES LABELS registry TIMEOUT 60)
