#!/usr/bin/env bash
# digest_test.sh - fixed-seed runs against committed digests (suite mpi).
#   usage: digest_test.sh MPIRL CKPT_DUMP DIGESTS [--record]
# Two digests per run: sha256 of metrics.csv without its time columns (sps,
# actor_spread and every column whose name ends in _s) and sha256 of every section of the final checkpoint.bin
# but the configuration's text (ckpt_dump), so that a new configuration key leaves the
# digests as they are while every number still counts.
# They must equal DIGESTS line for line: a restructuring of the training code must not
# change a single bit of what a run computes. --record writes DIGESTS instead (after a
# change that is meant to alter the numbers, and only then).
# The runs are synchronous, or asynchronous with one actor: with more, the order in
# which gradients arrive depends on timing. (A single actor waits for the learner's
# answer before its next gradient, so its run is deterministic.)
set -u
mpirl=$(realpath "$1")
dump=$(realpath "$2")
digests=$3
record=0
[ "${4-}" = --record ] && record=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
tmp=$(mktemp -d /tmp/mpirl-digest-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# name, ranks, flags
runs=(
    "ppo-np1 1 --algo ppo --steps 16384"
    "ppo-kl-np1 1 --algo ppo-kl --steps 16384"
    "a2c-np1 1 --algo a2c --steps 16384"
    "reinforce-np1 1 --algo reinforce --steps 16384"
    "trpo-np1 1 --algo trpo --steps 16384"
    "npg-np1 1 --algo npg --steps 16384"
    "ppo-np3 3 --algo ppo --steps 32768"
    "ppo-kl-np3 3 --algo ppo-kl --steps 32768"
    "a2c-np3 3 --algo a2c --steps 32768"
    "reinforce-np3 3 --algo reinforce --steps 32768"
    "trpo-np3 3 --algo trpo --steps 32768"
    "npg-np3 3 --algo npg --steps 32768"
    "trpo-pendulum-np3 3 --env Pendulum-v1 --algo trpo --steps 32768 --norm-obs --norm-reward"
    "grpo-np3 3 --algo grpo --steps 32768"
    "reinforce-running-np3 3 --algo reinforce --baseline running --steps 32768"
    "rloo-pendulum-np3 3 --env Pendulum-v1 --algo rloo --rloo-clip true --group-size 4 --num-envs 8 --minibatches 8 --steps 32768 --norm-obs"
    "ppo-async-np2 2 --algo ppo --mode async --steps 20000 --anneal-lr true"
    "a3c-np2 2 --algo a3c --mode async --steps 20000"
)

# metrics without the time columns
rows() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = !($i ~ /_s$/ || $i == "sps" || $i == "actor_spread") }
        { out = ""; for (i = 1; i <= NF; i++) if (keep[i]) out = out $i ","; print out }' "$1"
}

out="$tmp/digests"
: >"$out"
for r in "${runs[@]}"; do
    read -r name np flags <<<"$r"
    dir="$tmp/$name"
    mkdir -p "$dir"
    # shellcheck disable=SC2086 # flags are words
    if [ "$np" -eq 1 ]; then
        (cd "$dir" && "$mpirl" train --quiet --out run $flags >log 2>&1)
    else
        (cd "$dir" && mpirun -np "$np" --oversubscribe "$mpirl" train --quiet --out run \
            $flags >log 2>&1)
    fi || {
        echo "FAILED: $name: the run failed:"
        cat "$dir/log"
        echo "$name failed failed" >>"$out"
        continue
    }
    m=$(rows "$dir/run/metrics.csv" | sha256sum | cut -c1-64)
    c=$("$dump" "$dir/run/checkpoint.bin" | sha256sum | cut -c1-64)
    echo "$name $m $c" >>"$out"
done

if [ $record -eq 1 ]; then
    if grep -q " failed failed$" "$out"; then # a failed run is not a digest to keep
        echo "not recorded: $(grep -c " failed failed$" "$out") run(s) failed"
        exit 1
    fi
    cp "$out" "$digests"
    echo "recorded $(wc -l <"$out") digests in $digests"
    exit 0
fi
failures=0
echo "TAP version 13"
echo "1..$(wc -l <"$out")"
i=0
while read -r name m c; do
    i=$((i + 1))
    want=$(awk -v n="$name" '$1 == n { print $2, $3 }' "$digests")
    if [ "$m $c" != "failed failed" ] && [ "$want" = "$m $c" ]; then
        echo "ok $i - $name"
    else
        failures=$((failures + 1))
        echo "not ok $i - $name: metrics $m checkpoint $c, expected ${want:-none}"
    fi
done <"$out"
[ $failures -eq 0 ]
