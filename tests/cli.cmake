# The heaplab command line driven from outside (tests/cli_test.py), one ctest entry
# per group so they run in parallel: help and list, bad command lines (exit 2, one
# line), MemoryError/RecursionError as results (exits 3 and 4), a 256 KiB C stack,
# depth 10^6 with the default settings, and the JSON/row/timeline outputs.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
# Depth 10^6 runs in the sanitizer build too: it takes about 1.5-3 s there per
# collector, well inside the budget.
foreach(group help bad errors stack deep json)
  add_test(NAME cli.${group}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/cli_test.py ${HEAPLAB_EXE}
            ${group})
  set_tests_properties(cli.${group} PROPERTIES LABELS cli TIMEOUT 300)
endforeach()
# preload:PATH given a Debian malloc by its full path (the build's tcmalloc library).
add_test(NAME cli.preload
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/cli_test.py ${HEAPLAB_EXE} preload
          ${HEAPLAB_TCMALLOC_SO})
set_tests_properties(cli.preload PROPERTIES LABELS cli TIMEOUT 300)

# Exits and streams as CI sees them (tests/exits_check.py): batch exit codes and the
# tally, --benchmark_* flags checked up front, stdout carrying only a machine format,
# --version, -h everywhere, "did you mean", the progress line under a pseudo-terminal.
foreach(group batch flags stdout version help didyoumean pty)
  add_test(NAME exits.${group}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/exits_check.py ${HEAPLAB_EXE}
            ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/exits-work/${group} ${group})
  set_tests_properties(exits.${group} PROPERTIES LABELS cli TIMEOUT 300)
endforeach()
# the hang's time limit is timing-sensitive (tests/stress.cmake's lock)
set_tests_properties(exits.batch exits.pty PROPERTIES RESOURCE_LOCK heaplab_batch_timing)
