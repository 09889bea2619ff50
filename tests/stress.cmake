# The stress and fault suite, part 2 (docs/stress.md; fuzzing and Valgrind are in
# tests/faults.cmake):
#
# - stress.fail_alloc.selftest: the choice of N (every N up to 10,000 attempts, else
#   the first and last 100 plus an even spread of 10,000) on synthetic counts.
# - stress.fail_alloc.<allocator>: allocation-failure injection, SQLite style
#   (tests/test_fail_alloc.c): every workload variant of the registry x every collector
#   that allocates through the hl_allocator (and rc_cycle with small thresholds) at its
#   workload's fail_alloc_size (a few hundred allocation attempts), failing attempt N
#   for every N; memory_error (ok past the count), no crash, 0 live bytes after
#   teardown, LeakSanitizer clean in the sanitizer build. Prints the number of runs.
# - stress.limits: impossible sizes (n = 10^12 under every allocator and collector,
#   [0] * 10**9 under --heap-limit, RLIMIT_AS through ulimit -v) end in a quick
#   MemoryError (tests/stress_test.py; which variants must, and which collectors run
#   under every allocator, it reads from `test_registry --print`). The recursion limits (ulimit -s 256, depth
#   10^6) are cli.stack and cli.deep (tests/cli.cmake).
# - stress.batch_faults, stress.batch_resume: batches under faults (HEAPLAB_TEST_FAULT
#   makes one configuration crash and one hang; SIGINT then --resume).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
include(${CMAKE_CURRENT_LIST_DIR}/registries.cmake)

add_executable(test_fail_alloc ${CMAKE_CURRENT_LIST_DIR}/test_fail_alloc.c)
target_link_libraries(test_fail_alloc PRIVATE hl_bench)
add_test(NAME stress.fail_alloc.selftest COMMAND test_fail_alloc --self-test)
set_tests_properties(stress.fail_alloc.selftest PROPERTIES LABELS stress TIMEOUT 60)
foreach(name ${HEAPLAB_ALLOCATOR_NAMES})
  add_test(NAME stress.fail_alloc.${name} COMMAND test_fail_alloc ${name})
  set_tests_properties(stress.fail_alloc.${name} PROPERTIES LABELS stress TIMEOUT 300)
endforeach()

if(HEAPLAB_SANITIZE)
  set(_hl_stress_flags --sanitize) # no RLIMIT_AS checks: ASan cannot start under ulimit -v
else()
  set(_hl_stress_flags "")
endif()
foreach(group limits batch_faults batch_resume)
  add_test(NAME stress.${group}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/stress_test.py ${HEAPLAB_EXE}
            ${group} ${CMAKE_CURRENT_BINARY_DIR}/stress-work ${_hl_stress_flags}
            --registry ${HEAPLAB_REGISTRY_EXE})
  set_tests_properties(stress.${group} PROPERTIES LABELS stress TIMEOUT 300)
endforeach()
# the hang's time limit and the interrupt are timing-sensitive: not next to each other
# or next to tests/batch.cmake's own timing tests
set_tests_properties(stress.batch_faults stress.batch_resume PROPERTIES
  RESOURCE_LOCK heaplab_batch_timing)

# Hostile folders and faults (tests/hostile_check.py, issue 18): planted links, bad row
# files, a full disk, a killed parent, an empty batch.json, FIFO and device outputs.
foreach(group aborts html smaller concurrent symlinks rows io orphan args outputs)
  add_test(NAME stress.hostile_${group}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/hostile_check.py ${HEAPLAB_EXE}
            ${CMAKE_CURRENT_BINARY_DIR}/hostile-work ${group} ${_hl_stress_flags})
  set_tests_properties(stress.hostile_${group} PROPERTIES LABELS stress TIMEOUT 300
                       SKIP_RETURN_CODE 77)
endforeach()

# The command-line fuzzer (tests/cli_fuzz.py, issue 18): 400 random command lines from
# every subcommand's flag vocabulary with hostile values; a signal, a sanitizer report,
# an exit outside 0..4, a hang or error output without exactly one heaplab: line fails.
add_test(NAME stress.cli_fuzz
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/cli_fuzz.py ${HEAPLAB_EXE}
          ${CMAKE_CURRENT_BINARY_DIR}/cli-fuzz-work --cases 400 --seed 1 --timeout 120)
set_tests_properties(stress.cli_fuzz PROPERTIES LABELS stress TIMEOUT 900)

# Allocation-failure injection with mark_sweep sweeping lazily (HEAPLAB_TEST_SWEEP=lazy).
add_test(NAME stress.fail_alloc.libc.lazy_sweep COMMAND test_fail_alloc libc mark_sweep)
set_tests_properties(stress.fail_alloc.libc.lazy_sweep PROPERTIES LABELS stress TIMEOUT 300
  ENVIRONMENT HEAPLAB_TEST_SWEEP=lazy)
