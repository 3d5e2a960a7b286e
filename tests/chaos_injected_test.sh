#!/usr/bin/env bash
# chaos_injected_test.sh - random injected faults against 3-rank runs (suite faults:
# the other half of chaos_test.sh, whose faults are signals; needs a build configured
# with -Dfault_injection=true, fault.h).
#   usage: chaos_injected_test.sh MPIRL [RUNS]
# Each run (sync or async, drawn) gets one fault, drawn from a fixed seed so that a
# failure can be replayed:
#   ckpt-write     the Nth checkpoint write fails (N in 1..4; the learner writes)
#   metrics-write  the Nth metrics row fails half way (N in 2..40: some before the first
#                  checkpoint, which is written every 4 iterations)
#   trainer-alloc  set-up cannot allocate on a random rank
#   restore-alloc  a resume cannot allocate the actor state on a random rank
#   ckpt-link      no numbered copy can be a hard link (copies instead)
# Asserted for each: no rank alive once mpirun has returned, and mpirun returned before
# its 60 s deadline; the exit status is the documented one (1 for a failure while
# running or at set-up, 0 where the fault has a fallback); then the newest checkpoint
# resumes without the fault to the end of the budget, exit 0, with metrics.csv running
# from the first iteration to the last without a gap or a repeat; where there is no
# checkpoint, the fault came before the first one and one message said so.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
runs=${2:-16}
scratch_dir chaos-injected
cd "$tmp" || exit 1
RANDOM=20261204
steps=32768 # 32 sync iterations of 2 actors x 8 environments x 64 steps
common=(--steps $steps --rollout 64 --checkpoint-every 4)
# launch FAULT DIR ARGS...: one 3-rank run with MPIRL_FAULT=FAULT (empty: none); sets
# rc and left (ranks still alive after mpirun returned)
launch() {
    local fault=$1 dir=$2
    shift 2
    MPIRL_FAULT=$fault timeout -k 5 60 mpirun -q -np 3 --oversubscribe -x MPIRL_FAULT \
        "$mpirl" train --quiet "$@" </dev/null >"$dir.out" 2>"$dir.err"
    rc=$?
    left=$(live_ranks "mpirl train --quiet .*$dir")
}
# metrics_whole DIR MODE: rows 1..last, consecutive, and the last at the budget; in async
# mode up to one actor's rollout (4 x 64 steps) past it: the budget is reached by one
# actor's summary while another may already be sending the first gradient of its next
# rollout, whose steps count too (the learner stops each actor at its next message)
metrics_whole() {
    local over=0
    [ "$2" = async ] && over=256
    awk -F, -v steps=$steps -v over=$over 'NR == 2 && $1 != 1 { bad = 1 } NR > 2 && $1 != prev + 1 { bad = 1 }
        NR > 1 { prev = $1; last = $2 } END { exit bad || last < steps || last > steps + over }' "$1/metrics.csv"
}
declare -A seen
for k in $(seq "$runs"); do
    modes=(sync async)
    mode=${modes[RANDOM % 2]}
    kinds=(ckpt-write metrics-write trainer-alloc restore-alloc ckpt-link)
    kind=${kinds[RANDOM % 5]}
    rank=$((RANDOM % 3))
    dir=run$k
    case $kind in
    ckpt-write) n=$((1 + RANDOM % 4)) fault="ckpt-write@0#$n" want=1 ;;
    metrics-write) n=$((2 + RANDOM % 39)) fault="metrics-write@0#$n" want=1 ;;
    trainer-alloc) fault="trainer-alloc@$rank" want=1 ;;
    restore-alloc) fault="restore-alloc@$rank" want=1 ;;
    ckpt-link) fault="ckpt-link@0#1+" want=0 ;;
    esac
    # restore-alloc needs a checkpoint to resume from: a clean first half
    if [ "$kind" = restore-alloc ]; then
        [ "$mode" = sync ] || mode=sync # only a sync resume gathers the actors' state
        launch "" "$dir" --mode "$mode" --steps $((steps / 2)) --rollout 64 \
            --checkpoint-every 4 --out "$dir"
        cp "$dir/checkpoint.bin" "$dir.saved"
        launch "$fault" "$dir" --resume "$dir" --steps $steps
    else
        launch "$fault" "$dir" --mode "$mode" "${common[@]}" --out "$dir"
    fi
    what="run $k: $mode, $fault"
    ok=1
    [ $rc -eq "$want" ] && [ "$left" -eq 0 ] && ok=0
    TAP_DIAG=$dir.err check "$what: every rank ended (exit $rc, want $want)" $ok
    early=0 # the fault comes before the first checkpoint (every 4 iterations)
    case $kind in
    trainer-alloc) early=1 ;;
    ckpt-write) [ "$n" -eq 1 ] && early=1 ;;
    metrics-write) [ "$n" -le 4 ] && early=1 ;;
    esac
    if [ ! -f "$dir/checkpoint.bin" ]; then
        # nothing had been saved: that must be because the fault came first, and one
        # message says what failed
        ok=1
        [ $early -eq 1 ] && [ "$(grep -c . "$dir.err")" -eq 1 ] && ok=0
        TAP_DIAG=$dir.err check "$what: no checkpoint, as the fault came first; one message" $ok
    else
        if [ "$kind" = restore-alloc ]; then
            TAP_DIAG=$dir.err check "$what: the checkpoint untouched" \
                $(cmp -s "$dir.saved" "$dir/checkpoint.bin" && echo 0 || echo 1)
        fi
        if [ "$want" -ne 0 ]; then
            launch "" "$dir" --resume "$dir"
        fi
        ok=1
        [ $rc -eq 0 ] && [ "$left" -eq 0 ] && metrics_whole "$dir" "$mode" && ok=0
        TAP_DIAG=$dir.err check "$what: the newest checkpoint runs on to the budget (exit $rc), metrics.csv whole" $ok
    fi
    seen[$kind]=$((${seen[$kind]:-0} + 1))
done
echo "# $runs runs: ${seen[ckpt-write]:-0} failed checkpoint writes, ${seen[metrics-write]:-0} failed metrics rows, ${seen[trainer-alloc]:-0} failed set-up allocations, ${seen[restore-alloc]:-0} failed resume allocations, ${seen[ckpt-link]:-0} file systems without hard links"
tap_done
