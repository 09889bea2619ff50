#!/usr/bin/env bash
# scale.slurm: a real single-node Slurm on this machine runs a 3-shard heaplab batch and
# its merge through scripts/slurm/submit; the merged folder must equal the same batch
# run locally (the same configurations and statuses, one host).
#
#   tests/slurm_check.sh HEAPLAB WORKDIR
#
# Everything it starts is its own: a munge key, munged on its own socket, slurmctld and
# slurmd with a one-node slurm.conf in WORKDIR (proctrack/linuxproc, task/none, free
# ports), all stopped on exit (trap), with any job left over. Needs root (SlurmUser=root)
# and Debian's munge, slurmctld, slurmd and slurm-client (scripts/deps test); when the
# daemons cannot start it FAILS with one line, never skips.
set -uo pipefail
heaplab=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$2
root=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "FAIL: scale.slurm: $*" >&2; exit 1; }
for tool in munged slurmctld slurmd sbatch squeue sinfo scontrol scancel python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps test installs munge and slurm-wlm)"
done
[ "$(id -u)" -eq 0 ] || fail "the one-node Slurm needs root (SlurmUser=root), running as $(id -un)"

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
chmod 700 "$work"
mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/log"
chmod 700 "$work/munge"
export SLURM_CONF=$work/slurm.conf
pids=()
# slurmstepd processes that this test did not find when it began
step_daemons() {
  local comm p
  for comm in /proc/[0-9]*/comm; do
    p=${comm#/proc/}; p=${p%/comm}
    [ "$(cat "$comm" 2>/dev/null)" = slurmstepd ] && echo "$p"
  done
}
steps_before=" $(step_daemons | tr '\n' ' ') "
step_daemons_now() {
  local p
  for p in $(step_daemons); do
    [[ $steps_before == *" $p "* ]] || echo "$p"
  done
}
stop_all() {
  # jobs first (their processes belong to slurmstepd), then the daemons, by pid
  scancel --quiet --full $(squeue -h -o %i 2>/dev/null) 2>/dev/null
  for _ in $(seq 20); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.5; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null
  done
  # our step daemons (slurmstepd, one per job step, not there before this test) end a
  # moment after their job: wait for them, then end them
  for _ in $(seq 40); do
    left=$(step_daemons_now)
    [ -z "$left" ] && break
    sleep 0.25
  done
  for p in $left; do kill -9 "$p" 2>/dev/null; done
  # a job step that outlived its daemons: any process that runs with this SLURM_CONF
  for env in /proc/[0-9]*/environ; do
    p=${env#/proc/}; p=${p%/environ}
    [ "$p" = $$ ] && continue
    if tr '\0' '\n' < "$env" 2>/dev/null | grep -qx "SLURM_CONF=$SLURM_CONF"; then
      kill -9 "$p" 2>/dev/null
    fi
  done
}
trap stop_all EXIT

# munge: a key of our own, munged on its own socket
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket=$work/munge/munge.socket
munged --foreground --force --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" \
  --seed-file="$work/munge/munged.seed" >"$work/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 40); do [ -S "$socket" ] && break; sleep 0.25; done
[ -S "$socket" ] || fail "munged did not start: $(tail -n 1 "$work/log/munged.out" "$work/log/munged.log" 2>/dev/null | tr '\n' ' ')"

# slurm.conf: one node (this machine), one partition, ports nobody uses
read -r ctld_port node_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
host=$(hostname -s)
cat > "$SLURM_CONF" <<EOF
ClusterName=heaplabtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmctldPort=$ctld_port
SlurmdPort=$node_port
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=$host CPUs=2 RealMemory=512 State=UNKNOWN
PartitionName=heaplab Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 60); do
  state=$(sinfo -h -n "$host" -o %t 2>/dev/null | head -n 1)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || fail "the node did not become idle (sinfo: '${state:-no answer}'): $(tail -n 1 "$work/log/slurmctld.log" "$work/log/slurmd.log" 2>/dev/null | tr '\n' ' ')"

# the batch: a few configurations, tiny, two invocations each
args=(--allocators libc,pool --collectors refcount,rc_cycle
      --workloads large_list/range,recursion/sum,cyclic_graph/pairs --sizes 1000
      --repetitions 2 --samples 1 --reference none --timelines none)
submitted=$("$root/scripts/slurm/submit" --shards 3 --shared --max-concurrent 2 --heaplab "$heaplab" \
  --out "$work/out" -- "${args[@]}" 2>"$work/log/submit.err") ||
  fail "submit exited non-zero: $(tail -n 1 "$work/log/submit.err")"
echo "$submitted"
array=$(sed -n 's/^shards: job \([0-9]*\) .*/\1/p' <<<"$submitted")
merge=$(sed -n 's/^merge: job \([0-9]*\) .*/\1/p' <<<"$submitted")
[ -n "$array" ] && [ -n "$merge" ] || fail "submit printed no job ids: $submitted"
grep -q '^shards: job [0-9]* (array 0-2%2:' <<<"$submitted" || fail "submit did not ask for --array=0-2%2: $submitted"
# the merge job's final state (it runs after the array)
wait_job() {
  local job=$1 state=""
  for _ in $(seq 240); do
    state=$(scontrol show job "$job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1)
    case "$state" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
    sleep 0.5
  done
  echo "$state"
}
merge_state=$(wait_job "$merge")
scontrol show job "$array" > "$work/log/array.txt" 2>&1
tasks=$(grep -c 'JobState=COMPLETED' "$work/log/array.txt")
[ "$tasks" -eq 3 ] || fail "$tasks of the 3 array tasks completed: $(grep -o 'ArrayTaskId=[0-9]* \|JobState=[A-Z_]*' "$work/log/array.txt" | tr '\n' ' ') (logs: $work/out/logs)"
[ "$merge_state" = COMPLETED ] || fail "the merge job ended ${merge_state:-nowhere}: $(tail -n 1 "$work/out/logs/merge.out" 2>/dev/null)"
[ -f "$work/out/merged/report.html" ] || fail "the merge job left no $work/out/merged/report.html"

# the same batch, run here, must have the same configurations and statuses
"$heaplab" batch --out "$work/local" "${args[@]}" >/dev/null 2>"$work/log/local.err" ||
  fail "the local batch exited non-zero: $(tail -n 1 "$work/log/local.err")"
python3 - "$work/out/merged" "$work/local" "$host" <<'PY' || exit 1
import csv, json, os, socket, sys
merged, local, host = sys.argv[1:]
def rows(d):
    with open(os.path.join(d, "results.csv"), newline="") as f:
        return list(csv.DictReader(f))
def key(r):
    return (r["workload"], r["size"], r["allocator"], r["collector"])
m, l = rows(merged), rows(local)
def fail(msg):
    print("FAIL: scale.slurm: " + msg, file=sys.stderr)
    sys.exit(1)
if {key(r): r["status"] for r in m} != {key(r): r["status"] for r in l} or len(m) != len(l):
    fail("the merged folder's configurations or statuses differ from the local run's")
hosts = {r["host"] for r in m}
if hosts != {socket.gethostname()}:
    fail("the merged rows name hosts %r, want one: %s" % (hosts, socket.gethostname()))
man = json.load(open(os.path.join(merged, "manifest.json")))
if sorted(s["index"] for s in man["shards"]) != [0, 1, 2] or len(man["hosts"]) != 1:
    fail("the merged manifest lists shards %r and hosts %r" % (man["shards"], man["hosts"]))
print("scale.slurm: %d configurations through a 3-task array and its merge job on %s, "
      "the same as the local run" % (len(m), socket.gethostname()))
PY

# --resume OUT: a shard whose folder is gone is submitted again, alone, then the merge
rm -rf "$work/out/shards/1"
again=$("$root/scripts/slurm/submit" --resume "$work/out" --shared --heaplab "$heaplab" \
  2>>"$work/log/submit.err") || fail "submit --resume exited non-zero: $(tail -n 1 "$work/log/submit.err")"
echo "$again"
grep -q '^shards: job [0-9]* (array 1:' <<<"$again" || fail "submit --resume did not resubmit shard 1 alone: $again"
merge=$(sed -n 's/^merge: job \([0-9]*\) .*/\1/p' <<<"$again")
merge_state=$(wait_job "$merge")
[ "$merge_state" = COMPLETED ] || fail "the merge job after --resume ended ${merge_state:-nowhere}: $(tail -n 1 "$work/out/logs/merge.out" 2>/dev/null)"
cmp -s <(cut -d, -f2-5 "$work/out/merged/results.csv" | sort) <(cut -d, -f2-5 "$work/local/results.csv" | sort) ||
  fail "the merged folder after --resume holds other configurations than the local run"
echo "scale.slurm: --resume resubmitted shard 1 alone and merged again"
