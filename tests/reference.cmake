# The CPython reference rows (scripts/reference/cpython_workloads.py, docs/reference.md):
# tests/test_reference.py runs every workload variant at tiny sizes and checks the rows,
# the JSON, the error statuses and exit codes, and that the CSV header is the one
# `heaplab run --row` writes. It runs under the python3 CMake finds and again under
# Debian's /usr/bin/python3 when that is another interpreter: the script promises both.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(_hl_reference_args
  ${CMAKE_CURRENT_LIST_DIR}/test_reference.py
  --script ${CMAKE_SOURCE_DIR}/scripts/reference/cpython_workloads.py
  --source-dir ${CMAKE_SOURCE_DIR})
if(TARGET heaplab)
  list(APPEND _hl_reference_args --heaplab $<TARGET_FILE:heaplab>)
endif()

add_test(NAME reference.cpython COMMAND ${Python3_EXECUTABLE} ${_hl_reference_args})
set_tests_properties(reference.cpython PROPERTIES LABELS reference TIMEOUT 300)

set(_hl_system_python /usr/bin/python3)
if(EXISTS ${_hl_system_python})
  get_filename_component(_hl_found_real "${Python3_EXECUTABLE}" REALPATH)
  get_filename_component(_hl_system_real "${_hl_system_python}" REALPATH)
  if(NOT _hl_found_real STREQUAL _hl_system_real)
    add_test(NAME reference.cpython.system COMMAND ${_hl_system_python} ${_hl_reference_args})
    set_tests_properties(reference.cpython.system PROPERTIES LABELS reference TIMEOUT 300)
  endif()
endif()

# rc_cycle's collections per generation are CPython 3.11's on every variant at 10^4 and
# 10^5 (tests/generations_check.py; skipped under another Python version).
if(TARGET heaplab)
  add_test(NAME reference.generations
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/generations_check.py
            $<TARGET_FILE:heaplab> ${CMAKE_SOURCE_DIR}/scripts/reference/cpython_workloads.py)
  set_tests_properties(reference.generations PROPERTIES LABELS reference TIMEOUT 600
                       SKIP_RETURN_CODE 77)
endif()
