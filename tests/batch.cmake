# heaplab batch, plot, compare and the report (issue 5): bench/report/results.c and
# bench/harness/timeline.c as C unit tests, the commands end to end at a tiny size through
# tests/batch_check.py (python3 standard library; Google Benchmark's compare.py runs
# under Debian's /usr/bin/python3). The reference tests run the CPython reference rows
# with the python3 first on PATH, as the batch does.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(HL_TEST_PYTHON ${Python3_EXECUTABLE})
else()
  set(HL_TEST_PYTHON python3)
endif()
set(HL_BATCH_WORK ${CMAKE_CURRENT_BINARY_DIR}/batch-work)

add_executable(test_results ${CMAKE_CURRENT_SOURCE_DIR}/test_results.c)
target_link_libraries(test_results PRIVATE hl_bench)
add_test(NAME results COMMAND test_results ${HL_BATCH_WORK}/results)

add_test(NAME results_json
  COMMAND ${HL_TEST_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/batch_check.py
          ${HEAPLAB_EXE} ${HL_BATCH_WORK}/results results-json)
set_tests_properties(results_json PROPERTIES DEPENDS results)

add_executable(test_timeline ${CMAKE_CURRENT_SOURCE_DIR}/test_timeline.c)
target_link_libraries(test_timeline PRIVATE hl_bench)
add_test(NAME timeline COMMAND test_timeline ${HL_BATCH_WORK}/timeline)

foreach(check folder compare resume timeout crash bad-args report
              reference reference-resume reference-faults reference-none reformatted
              reference-variants invocations colours charts)
  add_test(NAME batch_${check}
    COMMAND ${HL_TEST_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/batch_check.py
            ${HEAPLAB_EXE} ${HL_BATCH_WORK}/${check} ${check})
  set_tests_properties(batch_${check} PROPERTIES TIMEOUT 300)
endforeach()
# the time limit and the interrupt are timing-sensitive: not next to each other
set_tests_properties(batch_timeout batch_resume batch_crash batch_reference-resume
  batch_reference-faults PROPERTIES RESOURCE_LOCK heaplab_batch_timing)

# A child's peak RSS is its own: a 300 MiB parent forks and execs a tiny run
# (tests/rss_parent_check.py).
add_test(NAME batch_child_rss
  COMMAND ${HL_TEST_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/rss_parent_check.py
          ${HEAPLAB_EXE} ${HL_BATCH_WORK}/child_rss)
set_tests_properties(batch_child_rss PROPERTIES TIMEOUT 120)

# The progress line fits the terminal at every width (60, 80, 200 and 1..300), the tally
# line (tests/test_progress.c).
add_executable(test_progress ${CMAKE_CURRENT_SOURCE_DIR}/test_progress.c)
target_link_libraries(test_progress PRIVATE hl_bench)
add_test(NAME batch_progress COMMAND test_progress)

# The confidence intervals of a batch's medians (bench/report/intervals.c).
add_executable(test_intervals ${CMAKE_CURRENT_SOURCE_DIR}/test_intervals.c)
target_link_libraries(test_intervals PRIVATE hl_report)
add_test(NAME batch.intervals COMMAND test_intervals)
set_tests_properties(batch.intervals PROPERTIES LABELS batch TIMEOUT 300)

# Minimum mutator utilization from a pause log (bench/report/mmu.c): hand-made logs with
# answers worked out by hand, and random ones against a brute force (tests/test_mmu.c).
add_executable(test_mmu ${CMAKE_CURRENT_SOURCE_DIR}/test_mmu.c)
target_link_libraries(test_mmu PRIVATE hl_report)
add_test(NAME batch.mmu COMMAND test_mmu)
set_tests_properties(batch.mmu PROPERTIES LABELS batch)
# The batch report's MMU chart recomputed from the runs' pause logs (tests/mmu_check.py).
add_test(NAME batch.mmu_chart
  COMMAND ${HL_TEST_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/mmu_check.py
          ${HEAPLAB_EXE} ${HL_BATCH_WORK}/mmu)
set_tests_properties(batch.mmu_chart PROPERTIES LABELS batch TIMEOUT 300)

# heaplab compare (tests/compare_check.py): hand-made results folders with known shifts
# (baselines, statistics recomputed, verdicts, formats, --fail-if, bad options) and one
# tiny real batch compared end to end.
foreach(check stats matching verdicts outputs fail-if bad end-to-end)
  add_test(NAME compare.${check}
    COMMAND ${HL_TEST_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/compare_check.py
            ${HEAPLAB_EXE} ${HL_BATCH_WORK}/compare-${check} ${check})
  set_tests_properties(compare.${check} PROPERTIES TIMEOUT 300)
endforeach()
# Heap budgets every collector honours, the minimum-heap search and its cache across
# --resume, and a time-space sweep's rows and chart data (tests/minheap_check.py).
add_test(NAME batch.minheap
  COMMAND ${HL_TEST_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/minheap_check.py
          ${HEAPLAB_EXE} ${HL_BATCH_WORK}/minheap)
set_tests_properties(batch.minheap PROPERTIES LABELS batch TIMEOUT 600)
# report.html's CPython table: each claim of docs/cpython_claims.csv recomputed from the
# rows of a small batch of its collectors (tests/claims_check.py).
add_test(NAME batch.cpython_claims
  COMMAND ${HL_TEST_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/claims_check.py
          ${HEAPLAB_EXE} ${CMAKE_SOURCE_DIR} ${HL_BATCH_WORK}/claims)
set_tests_properties(batch.cpython_claims PROPERTIES LABELS batch TIMEOUT 900)
# scripts/allocator-table (docs/allocators.md): pool's ratios on a results.csv whose
# figures are known (tests/allocator_table_check.py).
add_test(NAME batch.allocator_table
  COMMAND ${HL_TEST_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/allocator_table_check.py
          ${CMAKE_SOURCE_DIR}/scripts/allocator-table ${HL_BATCH_WORK}/allocator_table)
set_tests_properties(batch.allocator_table PROPERTIES LABELS batch TIMEOUT 60)
