# The collector suites (tests/test_objects.c, test_heap_failures.c, test_oracle.c, test_triggers.c,
# test_deep.c): each program takes an allocator name and runs every collector over it,
# so ctest has one entry per (suite, allocator). jemalloc and mimalloc entries
# re-execute themselves with the library preloaded (hl_allocator_prepare_process). The
# allocators are the registry's (tests/registries.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/registries.cmake)
foreach(suite objects heap_failures oracle triggers deep)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/test_${suite}.c)
    add_executable(test_${suite} ${CMAKE_CURRENT_LIST_DIR}/test_${suite}.c)
    target_link_libraries(test_${suite} PRIVATE hl_collectors hl_allocators Threads::Threads)
    foreach(alloc ${HEAPLAB_ALLOCATOR_NAMES})
      add_test(NAME collectors.${suite}.${alloc} COMMAND test_${suite} ${alloc})
      set_tests_properties(collectors.${suite}.${alloc} PROPERTIES LABELS collectors TIMEOUT 600)
    endforeach()
  endif()
endforeach()

# boehm's rows report boehm's own figures (tests/boehm_figures.py): allocs, frees and
# resident from boehm's counting and libgc, the same whatever --allocator; --heap-limit
# fails in Boehm's heap.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
foreach(group figures heap_limit)
  add_test(NAME collectors.boehm_${group}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/boehm_figures.py ${HEAPLAB_EXE}
            ${CMAKE_CURRENT_BINARY_DIR}/boehm-figures-work ${group})
  set_tests_properties(collectors.boehm_${group} PROPERTIES LABELS collectors TIMEOUT 300)
endforeach()

# The pause log (collectors/pause_log.h), fed events directly.
add_executable(test_pause_log ${CMAKE_CURRENT_LIST_DIR}/test_pause_log.c)
target_link_libraries(test_pause_log PRIVATE hl_collectors)
add_test(NAME collectors.pause_log COMMAND test_pause_log)
set_tests_properties(collectors.pause_log PROPERTIES LABELS collectors TIMEOUT 60)

# The same suites with mark_sweep sweeping lazily (--sweep lazy; HEAPLAB_TEST_SWEEP=lazy,
# read by tests/test_collectors.h), on the system malloc and the pool allocator.
foreach(suite objects heap_failures oracle triggers deep)
  foreach(alloc libc pool)
    add_test(NAME collectors.${suite}.${alloc}.lazy_sweep COMMAND test_${suite} ${alloc} mark_sweep)
    set_tests_properties(collectors.${suite}.${alloc}.lazy_sweep PROPERTIES LABELS collectors
      TIMEOUT 600 ENVIRONMENT HEAPLAB_TEST_SWEEP=lazy)
  endforeach()
endforeach()
