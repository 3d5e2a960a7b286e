#!/usr/bin/env bash
# schedule_test.sh - async runs that replay bit for bit (suite mpi).
#   usage: schedule_test.sh MPIRL CKPT_DUMP
# 1. async PPO at 4 ranks with stragglers (rank 1 slowed 2x, lognormal noise) and async
#    A3C at 4 ranks without: recorded with --record-schedule, replayed with
#    --replay-schedule, the replay has the same metrics rows apart from the time
#    columns and the same final checkpoint (its configuration aside); a run of the same
#    seed without the schedule does not (the order of arrival varies);
# 2. refused with exit 2 and one message: a replay at another rank count, with another
#    configuration, of a missing file, together with --record-schedule or --resume, the
#    resume of a replayed run;
#    either flag in sync mode;
# 3. a schedule edited to disagree with the run (a version changed): the replay stops
#    with exit 1, every rank ended, one message naming the gradient;
# 4. SIGTERM to every rank during a replay: it stops cleanly with a checkpoint;
# 5. a resumed recording appends a "resume,VERSION" line and records on.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
dump=$(realpath "$2")
scratch_dir schedule
TAP_DIAG=$tmp/err
cd "$tmp" || exit 1
same() { # same A B: the same numbers and final state
    cmp -s <(metrics_numbers "$1/metrics.csv") <(metrics_numbers "$2/metrics.csv") &&
        cmp -s <("$dump" "$1/checkpoint.bin") <("$dump" "$2/checkpoint.bin")
}
for what in "ppo --straggle ranks=1:2x+lognormal:0.3" "a3c"; do
    set -- $what
    algo=$1
    shift
    flags=(--mode async --algo "$algo" --steps 40000 "$@")
    train4 "${flags[@]}" --record-schedule true --out rec-$algo
    rc=$?
    n=$(($(wc -l <rec-$algo/schedule.csv) - 4))
    check "async $what, 4 ranks: recorded (exit $rc, $n gradients)" \
        $(ok [ $rc -eq 0 ] && [ $n -gt 100 ])
    train4 "${flags[@]}" --replay-schedule rec-$algo/schedule.csv --out rep-$algo
    rc=$?
    check "... the replay (exit $rc) has the same metrics and final checkpoint" \
        $(ok [ $rc -eq 0 ] && same rec-$algo rep-$algo)
    train4 "${flags[@]}" --out free-$algo
    check "... a run without the schedule does not (the order of arrival varies)" \
        $(same rec-$algo free-$algo && echo 1 || echo 0)
done

refused() { # refused WHAT PATTERN ARGS...: exit 2, one message matching, no run directory
    local what=$1 pattern=$2
    shift 2
    rm -rf bad
    "$@" --out bad
    local rc=$?
    check "$what: refused (exit $rc)" $(ok [ $rc -eq 2 ] && [ "$(grep -c . err)" -eq 1 ] &&
        grep -q "$pattern" err && [ ! -e bad ])
}
sched=rec-a3c/schedule.csv
refused "a replay at 3 ranks of a 4-rank recording" "recorded at 4 ranks; replay it with mpirun -np 4" \
    train3 --mode async --algo a3c --steps 40000 --replay-schedule $sched
refused "a replay with another configuration" "recorded with another configuration" \
    train4 --mode async --algo a3c --steps 50000 --replay-schedule $sched
refused "a replay of a missing file" "replay-schedule nothing.csv: No such file" \
    train4 --mode async --algo a3c --steps 40000 --replay-schedule nothing.csv
refused "--replay-schedule with --record-schedule" "together" \
    train4 --mode async --algo a3c --steps 40000 --replay-schedule $sched --record-schedule true
refused "--record-schedule in sync mode" "is for async runs" \
    train4 --mode sync --steps 40000 --record-schedule true
rm -rf bad
train4 --resume rec-a3c --steps 60000 --replay-schedule $sched
rc=$?
check "--replay-schedule with --resume: refused (exit $rc)" \
    $(ok [ $rc -eq 2 ] && grep -q "replay_schedule would change the meaning of the resumed run" err)
train4 --resume rep-a3c --steps 60000
rc=$?
check "the resume of a replayed run: refused (exit $rc)" \
    $(ok [ $rc -eq 2 ] && grep -q "a replay starts where the recorded run started" err)

# the 50th gradient's version, changed
awk -F, 'NR == 54 { $2 = $2 + 7 } { print }' OFS=, $sched >edited.csv
train4 --mode async --algo a3c --steps 40000 --replay-schedule edited.csv --out diverged
rc=$?
check "a replay of an edited schedule stops (exit $rc), every rank ended, one message" \
    $(ok [ $rc -eq 1 ] && [ "$(live_ranks "replay-schedule edited.csv")" -eq 0 ] &&
        [ "$(grep -c . err)" -eq 1 ] && grep -q "the replay left the schedule edited.csv at gradient 50" err)

# SIGTERM during a replay: a stop the recording did not have; the run stops as any does
pat="replay-schedule rec-ppo/schedule.csv --out term"
timeout -k 5 60 mpirun -q -np 4 --oversubscribe "$mpirl" train --quiet --mode async --algo ppo \
    --steps 40000 --straggle ranks=1:2x+lognormal:0.3 --replay-schedule rec-ppo/schedule.csv \
    --out term </dev/null >out 2>err &
job=$!
for _ in $(seq 100); do [ -s term/metrics.csv ] && break; sleep 0.1; done
sleep 1
for r in 0 1 2 3; do kill -TERM "$(rank_pid $r "$pat")" 2>/dev/null; done
wait $job
rc=$?
check "SIGTERM during a replay: it stops with a checkpoint (exit $rc), every rank ended" \
    $(ok [ $rc -eq 0 ] && [ "$(live_ranks "$pat")" -eq 0 ] && [ -f term/checkpoint.bin ])

train4 --mode async --algo a3c --steps 20000 --record-schedule true --out resumed
before=$(wc -l <resumed/schedule.csv)
train4 --resume resumed --steps 40000
rc=$?
check "a resumed recording appends a resume line and records on (exit $rc)" \
    $(ok [ $rc -eq 0 ] && sed -n "$((before + 1))p" resumed/schedule.csv | grep -q '^resume,[0-9]*$' &&
        [ "$(wc -l <resumed/schedule.csv)" -gt $((before + 100)) ])
tap_done
