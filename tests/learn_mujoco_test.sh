#!/usr/bin/env bash
# learn_mujoco_test.sh - a MuJoCo learning target in the slow suite: PPO with the
# InvertedPendulum-v4 preset (100k steps) under mpirun -np 3, then the final policy run
# for 100 episodes by `mpirl eval` must average >= 950 (Gymnasium's maximum is 1000; a
# random policy averages about 6). Also: eval of the MuJoCo checkpoint works, and a
# resumed evaluation seed gives the same result twice.
#   usage: learn_mujoco_test.sh MPIRL
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
scratch_dir learn-mujoco
mpirun -np 3 --oversubscribe "$mpirl" train --quiet --env InvertedPendulum-v4 --seed 1 \
    --out "$tmp/run"
check "InvertedPendulum-v4 trains with its preset" $?
ev=$("$mpirl" eval --checkpoint "$tmp/run/checkpoint.bin" --episodes 100 --json)
check "eval of the MuJoCo checkpoint ($ev)" $?
mean=$(printf '%s' "$ev" | sed -n 's/.*"return_mean": *\([-0-9.e+]*\).*/\1/p')
awk -v m="$mean" 'BEGIN { exit !(m >= 950) }'
check "the final policy averages $mean >= 950 over 100 episodes" $?
again=$("$mpirl" eval --checkpoint "$tmp/run/checkpoint.bin" --episodes 100 --json)
[ "$ev" = "$again" ]
check "eval with the same seed gives the same result" $?
tap_done
