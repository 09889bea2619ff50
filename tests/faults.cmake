# The stress and fault suite (docs/stress.md).
#
# - fuzz.regressions: every input in tests/fuzz/regressions/ replayed through the fuzz
#   target (tests/fuzz/fuzz_heap.c) under every collector, in every build.
# - fuzz_heap: the libFuzzer target itself, only with -DHEAPLAB_FUZZ=ON and clang
#   (scripts/fuzz configures build-fuzz that way and runs it).
# - valgrind.<collector>: every workload variant through `heaplab run` under Valgrind
#   memcheck, release build only (Valgrind and the sanitizers do not mix). The only
#   suppressions (tests/valgrind.supp) are libgc's conservative scans (boehm).

set(_hl_fuzz_dir ${CMAKE_CURRENT_LIST_DIR}/fuzz)

add_executable(fuzz_replay ${_hl_fuzz_dir}/replay.c ${_hl_fuzz_dir}/fuzz_heap.c
               ${_hl_fuzz_dir}/fuzz_oracle.c)
target_link_libraries(fuzz_replay PRIVATE hl_collectors hl_allocators)
add_test(NAME fuzz.regressions COMMAND fuzz_replay ${_hl_fuzz_dir}/regressions)
set_tests_properties(fuzz.regressions PROPERTIES LABELS faults TIMEOUT 300)
# The same inputs with mark_sweep sweeping lazily (HEAPLAB_TEST_SWEEP=lazy, fuzz_heap.c).
add_test(NAME fuzz.regressions.lazy_sweep COMMAND fuzz_replay ${_hl_fuzz_dir}/regressions)
set_tests_properties(fuzz.regressions.lazy_sweep PROPERTIES LABELS faults TIMEOUT 300
  ENVIRONMENT HEAPLAB_TEST_SWEEP=lazy)

option(HEAPLAB_FUZZ "Build the libFuzzer target fuzz_heap (needs clang)" OFF)
if(HEAPLAB_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "HEAPLAB_FUZZ needs clang (-DCMAKE_C_COMPILER=clang); see scripts/fuzz")
  endif()
  # The collector and allocator sources are compiled into the target itself, so that
  # the coverage instrumentation that guides libFuzzer (and ASan + UBSan) reaches them
  # while the flags stay on this one target.
  get_target_property(_hl_fuzz_collectors hl_collectors SOURCES)
  get_target_property(_hl_fuzz_allocators hl_allocators SOURCES)
  add_executable(fuzz_heap ${_hl_fuzz_dir}/fuzz_heap.c ${_hl_fuzz_dir}/fuzz_oracle.c
                 ${_hl_fuzz_collectors} ${_hl_fuzz_allocators})
  target_compile_definitions(fuzz_heap PRIVATE
    $<TARGET_PROPERTY:hl_allocators,COMPILE_DEFINITIONS>)
  set(_hl_fuzz_flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
  target_compile_options(fuzz_heap PRIVATE ${_hl_fuzz_flags} -fno-omit-frame-pointer -g)
  target_link_options(fuzz_heap PRIVATE ${_hl_fuzz_flags})
  # What hl_collectors and hl_allocators link (libgc for boehm, libdl), minus themselves.
  target_include_directories(fuzz_heap PRIVATE ${BDWGC_INCLUDE_DIRS})
  target_link_libraries(fuzz_heap PRIVATE ${BDWGC_LINK_LIBRARIES} ${CMAKE_DL_LIBS} m)
  set_target_properties(fuzz_heap PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
endif()

find_program(HEAPLAB_VALGRIND valgrind)
if(NOT HEAPLAB_SANITIZE AND NOT HEAPLAB_FUZZ)
  if(NOT HEAPLAB_VALGRIND)
    message(FATAL_ERROR "valgrind not found: run scripts/deps")
  endif()
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  # One entry per collector of the registry (tests/registries.cmake), so a new
  # collector is checked without touching this file.
  include(${CMAKE_CURRENT_LIST_DIR}/registries.cmake)
  foreach(collector ${HEAPLAB_COLLECTOR_NAMES})
    add_test(NAME valgrind.${collector}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/valgrind_matrix.py
              ${HEAPLAB_VALGRIND} ${HEAPLAB_EXE} ${collector}
              ${CMAKE_CURRENT_LIST_DIR}/valgrind.supp)
    set_tests_properties(valgrind.${collector} PROPERTIES LABELS faults TIMEOUT 600)
  endforeach()
endif()
