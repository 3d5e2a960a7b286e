#!/usr/bin/env bash
# ship_test.sh - async with --ship experience end to end (suite mpi): actors send their
# rollouts, the learner computes with V-trace (its formulas: test_vtrace).
#   usage: ship_test.sh MPIRL CKPT_DUMP
# 1. A3C (V-trace's loss) and APPO (ppo) at 3 ranks learn CartPole: a 100-episode mean
#    return of at least 200 within the budget (random play scores about 22); actors.csv
#    counts each actor's rollouts sent in its gradients column;
# 2. APPO at 4 ranks with a straggler, recorded with --record-schedule and replayed: the
#    same metrics rows apart from the time columns and the same final checkpoint;
# 3. a run stopped at half its budget resumes to it;
# 4. refusals, exit 2 with one message: sync mode, an algorithm other than a3c and ppo,
#    a correction of stale gradients, --vtrace-rho-bar without --ship experience.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
dump=$(realpath "$2")
scratch_dir ship
TAP_DIAG=$tmp/err
cd "$tmp" || exit 1
best() { awk -F, 'NR > 1 && $6 != "nan" && $6 + 0 > b { b = $6 + 0 } END { print b + 0 }' "$1"; }
for what in "a3c 300000" "ppo 100000"; do
    set -- $what
    train3 --mode async --ship experience --algo "$1" --steps "$2" --out "$1"
    rc=$?
    b=$(best "$1/metrics.csv")
    check "--ship experience, $1, 3 ranks (exit $rc): best mean return $b within $2 steps" \
        $(ok [ $rc -eq 0 ] && awk -v b="$b" 'BEGIN { exit !(b >= 200) }')
    # every rollout is one batch: rollout x num_envs steps each
    per=$(awk -F, '$1 == "rollout" || $1 == "num_envs" { v[$1] = $2 } END { print v["rollout"] * v["num_envs"] }' \
        FS=' = ' "$1/config")
    sent=$(awk -F, 'NR > 1 { s += $6 } END { print s + 0 }' "$1/actors.csv")
    steps=$(tail -1 "$1/metrics.csv" | cut -d, -f2)
    check "... actors.csv counts the rollouts: $sent of $per steps for $steps steps" \
        $(ok [ "$per" -gt 0 ] && [ $((sent * per)) -eq "$steps" ])
done

same() { # same A B: the same numbers and final state
    cmp -s <(metrics_numbers "$1/metrics.csv") <(metrics_numbers "$2/metrics.csv") &&
        cmp -s <("$dump" "$1/checkpoint.bin") <("$dump" "$2/checkpoint.bin")
}
flags=(--mode async --ship experience --algo ppo --steps 20000 --straggle ranks=1:2x+lognormal:0.3)
train4 "${flags[@]}" --record-schedule true --out rec
rc=$?
train4 "${flags[@]}" --replay-schedule rec/schedule.csv --out rep
rc2=$?
check "APPO at 4 ranks with a straggler, recorded (exit $rc) and replayed (exit $rc2): the same" \
    $(ok [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && same rec rep)

train3 --mode async --ship experience --algo a3c --steps 20000 --out half &&
    train3 --steps 40000 --resume half
rc=$?
last=$(tail -1 half/metrics.csv | cut -d, -f2)
check "stopped at half its budget and resumed (exit $rc): ends at $last steps" \
    $(ok [ $rc -eq 0 ] && [ "$last" -ge 40000 ] &&
        awk -F, 'NR > 2 && $1 != p + 1 { bad = 1 } { p = $1 } END { exit bad }' half/metrics.csv)

train3 --ship experience --out bad
refused_run $? "--ship experience in sync mode" "applies to --mode async"
train3 --ship experience --mode async --algo reinforce --out bad
refused_run $? "--ship experience with reinforce" "a3c or ppo"
train3 --ship experience --mode async --staleness-lr true --out bad
refused_run $? "--ship experience with --staleness-lr" "V-trace corrects"
train3 --mode async --vtrace-rho-bar 2 --out bad
refused_run $? "--vtrace-rho-bar without --ship experience" "apply to --ship experience"
tap_done
