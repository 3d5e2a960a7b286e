#!/usr/bin/env bash
# multihost_test.sh - mpirl training across three "hosts" over TCP (suite cluster).
#   usage: multihost_test.sh MPIRL TRAIN_SH
# Three network namespaces stand for three hosts, each with its own address on a private
# subnet, joined by veth pairs to a bridge in a fourth namespace (the switch). mpirun runs
# in the first one and starts Open MPI's daemons on the others through a launcher agent
# (what ssh is on a cluster) that enters the namespace of the host it is given. The job
# is launched by cluster/train.sh with a hostfile, as on a cluster without Slurm. Open MPI
# is restricted to its TCP transport on that subnet, so every message between ranks
# crosses the veths. Checks:
#   - the run exits 0 (so did every rank) and completes its 100k steps;
#   - PPO learns CartPole: return_mean >= 475 in a row within the budget;
#   - rank r ran in the network namespace of host r (recorded by each rank at start);
#   - each actor host's veth carried more than 10 MB each way (MPI traffic, not a stray
#     connection).
# Needs root and a kernel that allows network namespaces, veths and bridges; otherwise
# it is skipped (exit 77) with the reason. Everything it creates is removed on exit.
set -euo pipefail
mpirl=$(realpath "$1")
train_sh=$(realpath "$2")

skip() {
    echo "SKIP: $*"
    exit 77
}
fail() {
    echo "FAILED: $*"
    exit 1
}

[ "$(id -u)" -eq 0 ] || skip "creating network namespaces needs root"
# The ranks run as root, which Open MPI refuses without these.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
. "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
netns_ensure_ip || skip "iproute2 (the ip command) is missing and could not be installed"

tag=mpirl$$ # unique namespace names: mpirl<pid>-sw, mpirl<pid>-h0, ...
hosts=3
tmp=$(mktemp -d /tmp/mpirl-multihost-XXXXXX)
cleanup() {
    netns_cleanup
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP # a signal (meson's timeout) also goes through cleanup

# --- the network: a bridge in a switch namespace, one veth per host ---
rc=0
netns_hosts "$tag" $hosts 10.213.7 || rc=$?
[ $rc -ne 1 ] || skip "$netns_error"
[ $rc -eq 0 ] || fail "setting up the namespaces failed"
for ((i = 0; i < hosts; i++)); do
    echo "$(netns_addr $i) slots=1" >>"$tmp/hostfile"
done
echo "hosts: $(tr '\n' ' ' <"$tmp/hostfile")"

# --- the launcher agent: `agent HOST COMMAND...` runs COMMAND in HOST's namespace ---
cat >"$tmp/agent" <<EOF
#!/bin/sh
host=\$1
shift
case "\$host" in
$(for ((i = 0; i < hosts; i++)); do echo "$(netns_addr $i)) ns=$(netns_name $i) ;;"; done)
*) echo "agent: unknown host \$host" >&2; exit 255 ;;
esac
exec ip netns exec "\$ns" sh -c "\$*"
EOF
# --- each rank notes its network namespace, then becomes mpirl ---
cat >"$tmp/rank" <<EOF
#!/bin/sh
readlink /proc/self/ns/net >"$tmp/rank-\$OMPI_COMM_WORLD_RANK"
exec "$mpirl" "\$@"
EOF
chmod +x "$tmp/agent" "$tmp/rank"

# The three hosts share this machine's cores: no binding, and ranks yield while they
# wait (Open MPI, seeing one slot per host, would otherwise spin and starve each other).
mpi_args="-q --mca plm rsh --mca plm_rsh_agent $tmp/agent --mca pml ob1 --mca btl tcp,self"
mpi_args+=" --mca btl_tcp_if_include 10.213.7.0/24 --mca oob_tcp_if_include 10.213.7.0/24"
mpi_args+=" --mca mpi_yield_when_idle 1"
run=$tmp/run
rc=0
# in the background, so that a signal to this test is handled at once (cleanup then
# ends whatever runs in the namespaces)
MPIRL_BIN=$tmp/rank MPIRL_HOSTFILE=$tmp/hostfile MPIRL_NP=$hosts MPIRL_BIND=none \
    MPIRL_MPIRUN_ARGS=$mpi_args \
    timeout -k 10 240 ip netns exec "$(netns_name 0)" "$train_sh" \
    --env CartPole-v1 --algo ppo --mode sync --steps 100000 --seed 1 --quiet --out "$run" &
wait $! || rc=$?
[ $rc -eq 0 ] || fail "mpirun across $hosts namespaces exited $rc"
echo "ok: the run exited 0"

# --- every rank in its own host's namespace ---
for ((i = 0; i < hosts; i++)); do
    want=$(ip netns exec "$(netns_name $i)" readlink /proc/self/ns/net)
    [ -f "$tmp/rank-$i" ] || fail "rank $i never started"
    got=$(cat "$tmp/rank-$i")
    [ "$got" = "$want" ] || fail "rank $i ran in $got, not in host $i's namespace $want"
done
echo "ok: rank r ran in host r's namespace, r = 0..$((hosts - 1))"

# --- the run completed and learned ---
metrics=$run/metrics.csv
[ -f "$metrics" ] && [ -f "$run/checkpoint.bin" ] || fail "no metrics.csv or checkpoint.bin in $run"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { steps = $col["env_steps"]; if (steps <= 100000 && $col["return_mean"] > best) best = $col["return_mean"] }
    END { printf "last row at %d steps, best return_mean within 100000 steps: %g\n", steps, best
          exit !(steps >= 100000 && best >= 475) }' "$metrics" ||
    fail "the run did not complete 100000 steps or did not reach return_mean 475"
echo "ok: completed and learned"

# --- the traffic went over the veths ---
for ((i = 1; i < hosts; i++)); do
    read -r rx tx < <(netns_veth_bytes $i)
    echo "host $i: $rx bytes received, $tx sent"
    [ "$rx" -gt 10000000 ] && [ "$tx" -gt 10000000 ] ||
        fail "host $i's veth carried less than 10 MB each way"
done
echo "ok: the ranks talked over TCP across the veths"
