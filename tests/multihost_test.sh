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
if ! command -v ip >/dev/null; then
    # iproute2 is not part of a minimal Debian; install it here rather than for every build.
    echo "installing iproute2"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends iproute2 >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends iproute2 >/dev/null; } ||
        skip "iproute2 (the ip command) is missing and could not be installed"
fi

tag=mpirl$$ # unique names: namespaces mpirl<pid>-{sw,h0,h1,h2}, veths m<pid>{h,s}<i>
subnet=10.213.7
hosts=3
tmp=$(mktemp -d /tmp/mpirl-multihost-XXXXXX)
namespaces=()
cleanup() {
    local ns i
    for ns in ${namespaces[@]+"${namespaces[@]}"}; do
        # whatever still runs in a namespace (a daemon of an aborted run) goes with it
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    for ((i = 0; i < hosts; i++)); do # a veth left in this namespace by a failed setup
        ip link del "m$$h$i" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- the network: a bridge in the switch namespace, one veth pair per host ---
sw=$tag-sw
ip netns add "$sw" 2>"$tmp/err" || skip "ip netns add refused: $(cat "$tmp/err")"
namespaces+=("$sw")
ip -n "$sw" link set lo up
ip -n "$sw" link add br0 type bridge 2>"$tmp/err" || skip "no bridge device: $(cat "$tmp/err")"
ip -n "$sw" link set br0 up
for ((i = 0; i < hosts; i++)); do
    ns=$tag-h$i
    ip netns add "$ns"
    namespaces+=("$ns")
    ip -n "$ns" link set lo up
    ip link add "m$$h$i" type veth peer name "m$$s$i" 2>"$tmp/err" ||
        skip "no veth pairs: $(cat "$tmp/err")"
    ip link set "m$$h$i" netns "$ns"
    ip link set "m$$s$i" netns "$sw"
    ip -n "$sw" link set "m$$s$i" master br0 up
    ip -n "$ns" addr add "$subnet.$((i + 1))/24" dev "m$$h$i"
    ip -n "$ns" link set "m$$h$i" up
    echo "$subnet.$((i + 1)) slots=1" >>"$tmp/hostfile"
done
echo "hosts: $(tr '\n' ' ' <"$tmp/hostfile")"

# --- the launcher agent: `agent HOST COMMAND...` runs COMMAND in HOST's namespace ---
cat >"$tmp/agent" <<EOF
#!/bin/sh
host=\$1
shift
case "\$host" in
$(for ((i = 0; i < hosts; i++)); do echo "$subnet.$((i + 1))) ns=$tag-h$i ;;"; done)
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
mpi_args+=" --mca btl_tcp_if_include $subnet.0/24 --mca oob_tcp_if_include $subnet.0/24"
mpi_args+=" --mca mpi_yield_when_idle 1"
run=$tmp/run
rc=0
MPIRL_BIN=$tmp/rank MPIRL_HOSTFILE=$tmp/hostfile MPIRL_NP=$hosts MPIRL_BIND=none \
    MPIRL_MPIRUN_ARGS=$mpi_args \
    timeout -k 10 240 ip netns exec "$tag-h0" "$train_sh" \
    --env CartPole-v1 --algo ppo --mode sync --steps 100000 --seed 1 --quiet --out "$run" ||
    rc=$?
[ $rc -eq 0 ] || fail "mpirun across $hosts namespaces exited $rc"
echo "ok: the run exited 0"

# --- every rank in its own host's namespace ---
for ((i = 0; i < hosts; i++)); do
    want=$(ip netns exec "$tag-h$i" readlink /proc/self/ns/net)
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
    read -r rx tx < <(awk '{ print $1, $9 }' <(ip netns exec "$tag-h$i" \
        sh -c "grep 'm$$h$i:' /proc/net/dev | cut -d: -f2"))
    echo "host $i: $rx bytes received, $tx sent"
    [ "$rx" -gt 10000000 ] && [ "$tx" -gt 10000000 ] ||
        fail "host $i's veth carried less than 10 MB each way"
done
echo "ok: the ranks talked over TCP across the veths"
