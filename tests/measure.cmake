# What a run measures (tests/measure_check.py): the reclamation inside the clock
# (gc_time_ns), the warm allocator (minor faults per iteration), bump's rewind (its
# resident figure stays flat across iterations), the pause figures (those of the
# pauses inside the clock, as run --pauses lists them).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
# Under AddressSanitizer, malloc is ASan's, which quarantines freed blocks: libc's (and
# pool's pass-through) blocks are fresh memory every iteration, so there the warm group
# checks the faults of bump only.
if(HEAPLAB_SANITIZE)
  set(HEAPLAB_MEASURE_SANITIZED --sanitized)
else()
  set(HEAPLAB_MEASURE_SANITIZED)
endif()
foreach(group clock warm rewind pauses)
  add_test(NAME measure.${group}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/measure_check.py ${HEAPLAB_EXE}
            ${group} ${HEAPLAB_MEASURE_SANITIZED})
  set_tests_properties(measure.${group} PROPERTIES LABELS measure TIMEOUT 300)
endforeach()
