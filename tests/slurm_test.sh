#!/usr/bin/env bash
# slurm_test.sh - cluster/single-node.sbatch submitted to a real Slurm (suite slow).
#   usage: slurm_test.sh MPIRL SINGLE_NODE_SBATCH
# Installs Debian's Slurm (slurmctld, slurmd, slurm-client) and munge when missing,
# then starts a private munged, slurmctld and slurmd on this machine from files it
# generates in a temporary directory: its own munge key and socket, a slurm.conf with
# this machine as the only node (its real CPUs and memory, from `slurmd -C`), its own
# ports, state and spool directories. Nothing under /etc is read or changed.
# It submits the batch script twice with `sbatch --ntasks=2` (learner + one actor), as a
# user would, once with the default launcher (mpirun) and once with
# MPIRL_LAUNCHER=srun (srun --mpi=pmix), and checks for each job:
#   - Slurm reports it COMPLETED with exit code 0;
#   - the run directory is runs/mpirl-<job id>, its metrics.csv reached the requested
#     steps and a return_mean of at least 100 (a random policy scores about 22), and the
#     final checkpoint exists;
#   - the job's output shows rank 0 (the learner) bound to a core of its own and rank 1
#     to another (mpirun: cores 0 and 1 from --report-bindings; srun: one-core masks
#     from --cpu-bind=verbose).
# When the checkout has the study tool (scripts/study), it then submits a two-cell study
# (PPO sync and async) with cluster/submit-study: both array tasks and the report job
# must complete, each cell be done, and report.md and the plots exist.
# Needs root (skipped otherwise); stops every daemon it started and removes its files
# on exit, also on failure (MPIRL_TEST_KEEP=1 keeps the files, to look into a failure).
set -euo pipefail
mpirl=$(realpath "$1")
script=$(realpath "$2")
root=$(dirname "$(dirname "$script")")

skip() {
    echo "SKIP: $*"
    exit 77
}
fail() {
    echo "FAILED: $*"
    exit 1
}

[ "$(id -u)" -eq 0 ] || skip "running Slurm's daemons needs root"
# The jobs run as root, which Open MPI refuses without these.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
command -v apt-get >/dev/null || skip "installing Slurm needs Debian's apt-get"

packages=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [[ $status == ii* ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    install() {
        apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 "${missing[@]}"
    }
    install >"/tmp/mpirl-slurm-apt-$$.log" 2>&1 ||
        { apt-get update -q && install; } >>"/tmp/mpirl-slurm-apt-$$.log" 2>&1 || {
        cat "/tmp/mpirl-slurm-apt-$$.log"
        rm -f "/tmp/mpirl-slurm-apt-$$.log"
        fail "could not install ${missing[*]}"
    }
    rm -f "/tmp/mpirl-slurm-apt-$$.log"
fi

# munged insists that everyone may traverse its socket's directory, and that no one
# else may write to its key's.
tmp=$(mktemp -d /tmp/mpirl-slurm-XXXXXX)
chmod 755 "$tmp"
export SLURM_CONF=$tmp/slurm.conf
munge_sock=$tmp/munge.sock
started=0
cleanup() {
    set +e
    if [ $started -eq 1 ]; then
        # jobs first (their processes end with them), then both Slurm daemons
        scancel --quiet --full --signal=KILL --partition=test 2>/dev/null
        for _ in $(seq 50); do
            [ -z "$(squeue -h 2>/dev/null)" ] && break
            sleep 0.2
        done
        timeout 10 scontrol shutdown >/dev/null 2>&1
    fi
    local f pid
    for f in slurmd slurmctld munged; do # whatever is still up after 5 s
        [ -f "$tmp/$f.pid" ] || continue
        pid=$(cat "$tmp/$f.pid")
        for _ in $(seq 25); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null
    done
    if [ -n "${MPIRL_TEST_KEEP-}" ]; then
        echo "kept $tmp (MPIRL_TEST_KEEP)"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

# --- munge: a private key and socket ---
mungekey --create --keyfile="$tmp/munge.key"
munged --socket="$munge_sock" --key-file="$tmp/munge.key" --pid-file="$tmp/munged.pid" \
    --log-file="$tmp/munged.log" --seed-file="$tmp/munged.seed" ||
    fail "munged did not start: $(cat "$tmp/munged.log")"
munge --socket="$munge_sock" --no-input | unmunge --socket="$munge_sock" >/dev/null ||
    fail "munged does not verify its own credentials"

# --- slurm.conf: this machine as the one node of partition "test" ---
# Two free ports next to each other (nothing answers on them).
port=
for ((p = 20000 + $$ % 20000; p < 40000 + $$ % 20000; p += 2)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null &&
        ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null; then
        port=$p
        break
    fi
done
[ -n "$port" ] || fail "no free port pair for slurmctld and slurmd"
node=$(hostname -s)
hardware=$(slurmd -C | head -n 1) # NodeName=... CPUs=... RealMemory=... as detected
mkdir "$tmp/state" "$tmp/spool" "$tmp/job"
cat >"$SLURM_CONF" <<EOF
ClusterName=mpirltest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$munge_sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
# no cgroups: processes tracked by their parentage, tasks bound by sched_setaffinity
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
$hardware NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
echo "slurm.conf: node '$hardware', ports $port and $((port + 1))"

started=1
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(cat "$tmp/slurmctld.log")"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start: $(cat "$tmp/slurmd.log")"
for _ in $(seq 150); do # up to 30 s for the node to register
    [ "$(sinfo -h -n "$node" -o %t 2>/dev/null)" = idle ] && break
    sleep 0.2
done
[ "$(sinfo -h -n "$node" -o %t 2>/dev/null)" = idle ] || {
    tail -n 20 "$tmp/slurmctld.log" "$tmp/slurmd.log"
    fail "node $node did not become idle: $(sinfo 2>&1)"
}
echo "ok: slurmctld and slurmd up, node $node idle"

steps=30000
# submit LAUNCHER: submit the batch script as a user would; prints the job id
submit() {
    (cd "$tmp/job" && MPIRL_LAUNCHER=$1 MPIRL_ROOT=$root MPIRL_BIN=$mpirl \
        sbatch --parsable --ntasks=2 --time=10 --output="$tmp/job/slurm-%j.out" \
        "$script" --steps $steps --seed 1 --quiet)
}
# finish JOB: wait up to 5 minutes for the job to end; prints its state and exit code
finish() {
    local info state
    for _ in $(seq 1500); do
        info=$(scontrol -o show job "$1" 2>/dev/null || true)
        state=$(grep -o 'JobState=[A-Z_]*' <<<"$info" | cut -d= -f2 || true)
        case "$state" in
        '' | PENDING | CONFIGURING | RUNNING | COMPLETING) sleep 0.2 ;;
        *)
            echo "$state $(grep -o 'ExitCode=[0-9:]*' <<<"$info" | cut -d= -f2)"
            return 0
            ;;
        esac
    done
    echo "TIMEOUT(test) -"
}

for launcher in mpirun srun; do
    job=$(submit $launcher) || fail "sbatch refused the script"
    read -r state code < <(finish "$job")
    out=$tmp/job/slurm-$job.out
    echo "--- job $job ($launcher): $state, exit code $code; its output:"
    cat "$out" 2>/dev/null
    echo "---"
    [ "$state" = COMPLETED ] && [ "$code" = 0:0 ] || fail "job $job ($launcher) ended $state, exit code $code"
    run=$tmp/job/runs/mpirl-$job
    [ -f "$run/metrics.csv" ] && [ -f "$run/checkpoint.bin" ] ||
        fail "no metrics.csv or checkpoint.bin in runs/mpirl-$job"
    awk -F, -v steps=$steps 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { last = $col["env_steps"]; ret = $col["return_mean"] }
        END { printf "last row: %d steps, return_mean %g\n", last, ret
              exit !(last >= steps && ret >= 100) }' "$run/metrics.csv" ||
        fail "job $job ($launcher): fewer than $steps steps or return_mean below 100"
    if [ $launcher = mpirun ]; then
        # one core each: the list of cores ends right after the first ("]]:")
        grep -q 'rank 0 bound to socket 0\[core 0\[hwt [0-9-]*\]\]:' "$out" &&
            grep -q 'rank 1 bound to socket 0\[core 1\[hwt [0-9-]*\]\]:' "$out" ||
            fail "job $job: rank 0 not alone on core 0 and rank 1 on core 1"
    else
        grep -q 'srun --mpi=pmix' "$out" || fail "job $job did not launch with srun"
        # --cpu-bind=verbose: "task  0  0 [pid]: mask 0x1 set"; one core per task
        m0=$(sed -n 's/.*task  *0  *0 .*mask \(0x[0-9a-f]*\) set.*/\1/p' "$out")
        m1=$(sed -n 's/.*task  *1  *1 .*mask \(0x[0-9a-f]*\) set.*/\1/p' "$out")
        [[ $m0 =~ ^0x[1248]0*$ && $m1 =~ ^0x[1248]0*$ && $m0 != "$m1" ]] ||
            fail "job $job: tasks 0 and 1 not bound to one distinct core each (masks '$m0', '$m1')"
    fi
    echo "ok: job $job ($launcher) completed, learned, in runs/mpirl-$job"
done

# --- a study as an array job, when this checkout has the study tool ---
if [ ! -x "$root/scripts/study" ]; then
    echo "no scripts/study in this checkout: the study array job is not tested"
    exit 0
fi
cat >"$tmp/study.spec" <<EOF
env = CartPole-v1
algos = ppo
modes = sync, async
ranks = 2
seeds = 1
steps = 20000
EOF
submitted=$(MPIRL_BIN=$mpirl "$root/cluster/submit-study" "$tmp/study.spec" "$tmp/study" \
    --time=10 --output="$tmp/job/study-%A_%a.out") || fail "cluster/submit-study failed"
echo "$submitted"
array=$(sed -n 's/^cells: array job \([0-9]*\) .*/\1/p' <<<"$submitted")
report=$(sed -n 's/.*; report: job \([0-9]*\)$/\1/p' <<<"$submitted")
[ -n "$array" ] && [ -n "$report" ] || fail "cluster/submit-study did not print its job ids"
read -r state code < <(finish "$report")
for f in "$tmp"/job/study-*.out; do
    echo "--- $(basename "$f"):"
    cat "$f"
done
echo "---"
for cell in 0 1; do
    read -r cstate ccode < <(finish "${array}_$cell")
    [ "$cstate" = COMPLETED ] && [ "$ccode" = 0:0 ] ||
        fail "array task ${array}_$cell (cell $cell) ended $cstate, exit code $ccode"
done
[ "$state" = COMPLETED ] && [ "$code" = 0:0 ] || fail "report job $report ended $state, exit code $code"
[ "$(ls "$tmp"/study/raw/*/done 2>/dev/null | wc -l)" -eq 2 ] || fail "not both cells are done in $tmp/study/raw"
[ -s "$tmp/study/report.md" ] && ls "$tmp"/study/plots/*.png >/dev/null 2>&1 ||
    fail "no report.md or no plots from the report job"
echo "ok: study array job $array (2 cells) and report job $report completed; report.md and plots written"
