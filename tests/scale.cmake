# Scale out (issue 15): batch --shard I/N, heaplab merge, and a real single-node Slurm.
#   scale.shard          the shards partition the batch by cell; host on every row; resume
#   scale.merge          merge of the shards = the batch run locally; compare and hosts
#   scale.merge_refusals merge refuses mismatched, overlapping and incomplete sets
#   scale.slurm          munged, slurmctld and slurmd started here; scripts/slurm/submit
#                        runs a 3-shard array and its merge job (label slurm)
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(HL_SCALE_PYTHON ${Python3_EXECUTABLE})
else()
  set(HL_SCALE_PYTHON python3)
endif()
set(HL_SCALE_WORK ${CMAKE_CURRENT_BINARY_DIR}/scale-work)
foreach(check shard merge refusals)
  set(name scale.${check})
  if(check STREQUAL "refusals")
    set(name scale.merge_refusals)
  endif()
  add_test(NAME ${name}
    COMMAND ${HL_SCALE_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/shard_check.py
            ${HEAPLAB_EXE} ${HL_SCALE_WORK}/${check} ${check})
  set_tests_properties(${name} PROPERTIES LABELS scale TIMEOUT 300)
endforeach()

# The real Slurm: needs root and Debian's munge and slurm-wlm (scripts/deps test); it
# fails, never skips, when the daemons cannot start. One at a time (its own daemons,
# ports and folder per build tree; the lock keeps two builds from racing for the CPUs).
add_test(NAME scale.slurm
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm_check.sh ${HEAPLAB_EXE} ${HL_SCALE_WORK}/slurm)
set_tests_properties(scale.slurm PROPERTIES LABELS "scale;slurm" TIMEOUT 180
  RESOURCE_LOCK heaplab_slurm)
