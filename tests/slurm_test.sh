#!/usr/bin/env bash
# slurm_test.sh - cluster's batch scripts submitted to a real Slurm (suite slow).
#   usage: slurm_test.sh MPIRL SINGLE_NODE_SBATCH MULTI_NODE_SBATCH
# Installs Debian's Slurm (slurmctld, slurmd, slurm-client) and munge when missing,
# then starts a private munged, slurmctld and slurmd from files it generates in a
# temporary directory: its own munge key and socket, a slurm.conf, state and spool
# directories. Nothing under /etc is read or changed.
# The cluster has two nodes, n0 and n1, each a network namespace of this machine with
# its own address and host name (as in tests/multihost_test.sh, through tests/netns.sh),
# each with its own slurmd and this machine's CPUs and memory (`slurmd -C`); slurmctld
# runs in n0's namespace. Where the kernel refuses namespaces, the one node is this
# machine itself and the multi-node job is skipped.
# Jobs, submitted as a user would:
#   1. multi-node.sbatch, `sbatch --nodes=2 --ntasks-per-node=2`: mpirun inside the job
#      starts its daemon on n1 through Slurm, and the ranks talk TCP between the nodes;
#   2. single-node.sbatch with a time limit of 1 minute and an endless budget: Slurm
#      sends SIGTERM at the limit, and the job must end TIMEOUT with a checkpoint of the
#      run's last iteration (mpirl writes one on SIGTERM); it runs on one node while the
#      next jobs run on the other;
#   3. single-node.sbatch, `sbatch --ntasks=2` (learner + one actor), launched by mpirun;
#   4. the same with MPIRL_LAUNCHER=srun (srun --mpi=pmix).
# For 1, 3 and 4: Slurm reports it COMPLETED with exit code 0; the run directory is
# runs/mpirl-<job id> with the final checkpoint, and its metrics.csv reached the
# requested steps and a return_mean of at least 100 (a random policy scores about 22);
# the job's output shows the ranks bound to one core each (mpirun: --report-bindings,
# rank 0 alone on core 0; srun: one-core masks from --cpu-bind=verbose). The
# multi-node job must also have placed ranks 2 and 3 on n1, and n1's veth must have
# carried more than 10 MB each way.
# When the checkout has the study tool (scripts/study), it then submits a two-cell study
# (PPO sync and async) with cluster/submit-study: both array tasks and the report job
# must complete, each cell be done, and report.md and the plots exist.
# Needs root (skipped otherwise); stops every daemon it started, deletes its namespaces
# and removes its files on exit, also on failure (MPIRL_TEST_KEEP=1 keeps the files, to
# look into a failure).
set -euo pipefail
mpirl=$(realpath "$1")
script=$(realpath "$2")
multi_script=$(realpath "$3")
root=$(dirname "$(dirname "$script")")
. "$(dirname "${BASH_SOURCE[0]}")/netns.sh"

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
nodes=1
cleanup() {
    set +e
    if [ $started -eq 1 ]; then
        # jobs first (their processes end with them), then the Slurm daemons
        at 0 scancel --quiet --full --signal=KILL --partition=test 2>/dev/null
        for _ in $(seq 50); do
            [ -z "$(at 0 squeue -h 2>/dev/null)" ] && break
            sleep 0.2
        done
        timeout 10 ${at0[@]+"${at0[@]}"} scontrol shutdown >/dev/null 2>&1
    fi
    local f pid
    for f in "$tmp"/slurmd-*.pid "$tmp"/slurmctld.pid "$tmp"/munged.pid; do
        [ -f "$f" ] || continue # whatever is still up after 5 s
        pid=$(cat "$f")
        for _ in $(seq 25); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null
    done
    netns_cleanup
    if [ -n "${MPIRL_TEST_KEEP-}" ]; then
        echo "kept $tmp (MPIRL_TEST_KEEP)"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP # a signal (meson's timeout) also goes through cleanup

# --- the nodes: two namespaces, or this machine alone ---
rc=0
if ! netns_ensure_ip; then
    reason="iproute2 (the ip command) is missing and could not be installed"
else
    netns_hosts "mpirl$$" 2 10.213.8 || rc=$?
    [ $rc -ne 2 ] || fail "setting up the namespaces failed"
    [ $rc -eq 0 ] && nodes=2
    reason=$netns_error
fi
# at NODE COMMAND...: run COMMAND on node NODE (in its network namespace, if any);
# at0: the prefix that does it for node 0, for `timeout`
at() {
    local node=$1
    shift
    if [ $nodes -eq 2 ]; then
        nsenter --net="/run/netns/$(netns_name "$node")" "$@"
    else
        "$@"
    fi
}
at0=()
[ $nodes -eq 1 ] || at0=(nsenter --net="/run/netns/$(netns_name 0)")
hardware=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]* //') # CPUs=... RealMemory=...
if [ $nodes -eq 2 ]; then
    # namespaces have ports of their own: Slurm's defaults are free
    ctld_addr=$(netns_addr 0) port=6817
    node_lines="NodeName=n0 NodeAddr=$(netns_addr 0) $hardware
NodeName=n1 NodeAddr=$(netns_addr 1) $hardware"
    node_names=n0,n1
else
    echo "one node only, no multi-node job: $reason"
    # two free ports next to each other (nothing answers on them)
    ctld_addr=127.0.0.1 port=
    for ((p = 20000 + $$ % 20000; p < 40000 + $$ % 20000; p += 2)); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null &&
            ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null; then
            port=$p
            break
        fi
    done
    [ -n "$port" ] || fail "no free port pair for slurmctld and slurmd"
    node_names=$(hostname -s)
    node_lines="NodeName=$node_names NodeAddr=127.0.0.1 $hardware"
fi

# --- munge: a private key and socket ---
mungekey --create --keyfile="$tmp/munge.key"
munged --socket="$munge_sock" --key-file="$tmp/munge.key" --pid-file="$tmp/munged.pid" \
    --log-file="$tmp/munged.log" --seed-file="$tmp/munged.seed" ||
    fail "munged did not start: $(cat "$tmp/munged.log")"
munge --socket="$munge_sock" --no-input | unmunge --socket="$munge_sock" >/dev/null ||
    fail "munged does not verify its own credentials"

# --- slurm.conf (%n: the node's name) ---
mkdir "$tmp/state" "$tmp/job"
cat >"$SLURM_CONF" <<EOF
ClusterName=mpirltest
SlurmctldHost=$(hostname -s)($ctld_addr)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$munge_sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool-%n
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd-%n.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd-%n.log
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
KillWait=10
$node_lines
PartitionName=test Nodes=$node_names Default=YES MaxTime=INFINITE State=UP
EOF
echo "slurm.conf: nodes $node_names ($hardware), slurmctld at $ctld_addr:$port"

started=1
logs() { tail -n 20 "$tmp"/slurm*.log; }
at 0 slurmctld -f "$SLURM_CONF" || { logs; fail "slurmctld did not start"; }
if [ $nodes -eq 2 ]; then
    for i in 0 1; do # each slurmd, and so its jobs, with host name n<i>
        at $i unshare --uts sh -c "hostname n$i && exec slurmd -f '$SLURM_CONF' -N n$i" ||
            { logs; fail "slurmd of n$i did not start"; }
    done
else
    slurmd -f "$SLURM_CONF" || { logs; fail "slurmd did not start"; }
fi
idle() { [ "$(at 0 sinfo -h -o %t 2>/dev/null | sort -u)" = idle ]; }
for _ in $(seq 150); do # up to 30 s for the nodes to register
    idle && break
    sleep 0.2
done
idle || { logs; fail "nodes not idle: $(at 0 sinfo 2>&1)"; }
echo "ok: slurmctld and $nodes slurmd up, nodes $node_names idle"

steps=30000
# submit SCRIPT [sbatch options]: submit SCRIPT as a user would; prints the job id
submit() {
    local sbatch_script=$1
    shift
    (cd "$tmp/job" && MPIRL_ROOT=$root MPIRL_BIN=$mpirl at 0 sbatch --parsable --time=10 \
        --output="$tmp/job/slurm-%j.out" "$@" "$sbatch_script" --steps $steps --seed 1 --quiet)
}
# finish JOB: wait up to 5 minutes for the job to end; prints its state and exit code
finish() {
    local info state
    for _ in $(seq 1500); do
        info=$(at 0 scontrol -o show job "$1" 2>/dev/null || true)
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
# check_job JOB WHAT: the job completed, its run reached the steps and learned
check_job() {
    local job=$1 what=$2 state code run
    read -r state code < <(finish "$job")
    echo "--- job $job ($what): $state, exit code $code; its output:"
    cat "$tmp/job/slurm-$job.out" 2>/dev/null
    echo "---"
    [ "$state" = COMPLETED ] && [ "$code" = 0:0 ] || fail "job $job ($what) ended $state, exit code $code"
    run=$tmp/job/runs/mpirl-$job
    [ -f "$run/metrics.csv" ] && [ -f "$run/checkpoint.bin" ] ||
        fail "no metrics.csv or checkpoint.bin in runs/mpirl-$job"
    awk -F, -v steps=$steps 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { last = $col["env_steps"]; ret = $col["return_mean"] }
        END { printf "last row: %d steps, return_mean %g\n", last, ret
              exit !(last >= steps && ret >= 100) }' "$run/metrics.csv" ||
        fail "job $job ($what): fewer than $steps steps or return_mean below 100"
}
# bound OUT RANK CORE [HOST]: mpirun's --report-bindings shows RANK bound to CORE alone
# (the list of cores ends right after it: "]]:"), on HOST if given
bound() {
    grep -q "^\[${4:-[^:]*}:[0-9]*\] MCW rank $2 bound to socket 0\[core $3\[hwt [0-9-]*\]\]:" "$1"
}

# --- 1: two nodes ---
if [ $nodes -eq 2 ]; then
    read -r rx0 tx0 < <(netns_veth_bytes 1)
    # Both nodes are this machine's two cores: waiting ranks yield them rather than spin.
    job=$(OMPI_MCA_mpi_yield_when_idle=1 submit "$multi_script" --nodes=2 --ntasks-per-node=2) ||
        fail "sbatch refused the multi-node script"
    check_job "$job" "two nodes, mpirun"
    out=$tmp/job/slurm-$job.out
    bound "$out" 0 0 n0 && bound "$out" 1 1 n0 && bound "$out" 2 0 n1 && bound "$out" 3 1 n1 ||
        fail "job $job: ranks 0, 1 not on n0's cores 0, 1 and ranks 2, 3 on n1's"
    read -r rx tx < <(netns_veth_bytes 1)
    echo "n1's veth during the job: $((rx - rx0)) bytes received, $((tx - tx0)) sent"
    [ $((rx - rx0)) -gt 10000000 ] && [ $((tx - tx0)) -gt 10000000 ] ||
        fail "job $job: less than 10 MB each way between the nodes"
    echo "ok: job $job (two nodes) completed and learned, ranks 2 and 3 on n1, over TCP"
fi


# --- 2: the time limit, on one node while the next jobs run on the other ---
# Slurm sends SIGTERM to every process of the job at its time limit (here 1 minute, then
# KillWait=10 s before SIGKILL): mpirl must write a checkpoint of its last iteration.
tl_job=$(cd "$tmp/job" && MPIRL_ROOT=$root MPIRL_BIN=$mpirl at 0 sbatch --parsable --ntasks=2 \
    --time=1 --output="$tmp/job/slurm-%j.out" "$script" --steps 1e9 --seed 1 --quiet \
    --checkpoint-every 0) || fail "sbatch refused the script"

# --- 3, 4: one node, launched by mpirun and by srun ---
for launcher in mpirun srun; do
    job=$(MPIRL_LAUNCHER=$launcher submit "$script" --ntasks=2) || fail "sbatch refused the script"
    check_job "$job" "single node, $launcher"
    out=$tmp/job/slurm-$job.out
    if [ $launcher = mpirun ]; then
        bound "$out" 0 0 && bound "$out" 1 1 ||
            fail "job $job: rank 0 not alone on core 0 and rank 1 on core 1"
    else
        grep -q 'srun --mpi=pmix' "$out" || fail "job $job did not launch with srun"
        # --cpu-bind=verbose: "task  0  0 [pid]: mask 0x1 set"; one core per task
        m0=$(sed -n 's/.*task  *0  *0 .*mask \(0x[0-9a-f]*\) set.*/\1/p' "$out")
        m1=$(sed -n 's/.*task  *1  *1 .*mask \(0x[0-9a-f]*\) set.*/\1/p' "$out")
        [[ $m0 =~ ^0x[1248]0*$ && $m1 =~ ^0x[1248]0*$ && $m0 != "$m1" ]] ||
            fail "job $job: tasks 0 and 1 not bound to one distinct core each (masks '$m0', '$m1')"
    fi
    echo "ok: job $job (single node, $launcher) completed and learned, ranks on a core each"
done


# --- a study as an array job, when this checkout has the study tool ---
study() {
    cat >"$tmp/study.spec" <<EOF
env = CartPole-v1
algos = ppo
modes = sync, async
ranks = 2
seeds = 1
steps = 20000
EOF
    submitted=$(MPIRL_BIN=$mpirl at 0 "$root/cluster/submit-study" "$tmp/study.spec" "$tmp/study" \
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
}
if [ -x "$root/scripts/study" ]; then
    study
else
    echo "no scripts/study in this checkout: the study array job is not tested"
fi

# --- 2, continued: the job that ran into its time limit ---
read -r state code < <(finish "$tl_job")
echo "--- job $tl_job (time limit): $state, exit code $code; its output:"
cat "$tmp/job/slurm-$tl_job.out" 2>/dev/null
echo "---"
[ "$state" = TIMEOUT ] || fail "job $tl_job ended $state, not TIMEOUT"
run=$tmp/job/runs/mpirl-$tl_job
last=$(tail -n 1 "$run/metrics.csv" 2>/dev/null | cut -d, -f1)
[ -n "$last" ] && [ -f "$run/checkpoint-$last.bin" ] ||
    fail "job $tl_job: no checkpoint of its last iteration (${last:-none}) after the time limit"
echo "ok: job $tl_job stopped at its time limit with a checkpoint of its last iteration ($last)"
