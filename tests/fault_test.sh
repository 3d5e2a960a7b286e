#!/usr/bin/env bash
# fault_test.sh - failures injected on one rank stop every rank with one message, never
# a hang (suite faults; needs a build configured with -Dfault_injection=true, fault.h).
#   usage: fault_test.sh MPIRL
# Each case runs under `timeout`: exit 124 means some rank was left waiting.
# 1. set-up fails on an actor (its buffers), on the learner, on every rank: every rank
#    exits non-zero, the first failing rank says why, nobody else prints an error;
#    A node with less memory left than the run's buffers need: refused at set-up;
# 2. the signal handlers cannot be installed: one message naming them;
# 3. resume: an actor (then the learner) cannot allocate the actor state: every rank
#    stops, one message, and the checkpoint is intact (a resume without the fault
#    completes the run);
# 4. a checkpoint write fails on the learner in sync mode (single process, sync np 3,
#    async np 3): every rank stops, one message naming the iteration, the cause and the
#    last good checkpoint, which is intact; only the learner knows of the failure, so
#    before the fix the sync actors waited in the next reduction for ever;
# 5. the numbered copies cannot be hard links: they are written as copies, the run
#    completes;
# 6. a metrics row fails half way (sync and async): every rank stops, one message naming
#    the file, the row and the cause, and no torn row is left in metrics.csv;
# 7. async with an actor whose gradients come 6 s apart, then SIGTERM: the stop grace
#    follows the gaps, and the run stops cleanly.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
scratch_dir fault
TAP_DIAG=$tmp/err # a failed check shows the run's stderr
# faulted FAULT NP ARGS...: run with MPIRL_FAULT=FAULT; sets rc, stderr in $tmp/err
faulted() {
    local fault=$1 np=$2
    shift 2
    MPIRL_FAULT=$fault timeout 60 mpirun -q -np "$np" --oversubscribe -x MPIRL_FAULT \
        "$mpirl" train --quiet "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
# one_line PATTERN: stderr has exactly one line, and it matches
one_line() {
    [ "$(grep -c . "$tmp/err")" -eq 1 ] && grep -q "$1" "$tmp/err"
}

for r in 2 0; do
    faulted "trainer-alloc@$r" 3 --steps 4096 --out "$tmp/init$r"
    check "set-up fails on rank $r: all ranks stop (exit $rc)" $([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo 0 || echo 1)
    check "set-up fails on rank $r: one message from it" \
        $(one_line "^mpirl: rank $r: out of memory" && echo 0 || echo 1)
done

faulted "trainer-alloc" 3 --steps 4096 --out "$tmp/initall"
check "set-up fails on every rank: all stop (exit $rc)" $([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo 0 || echo 1)
check "set-up fails on every rank: one message, from the first" \
    $(one_line "^mpirl: rank 0: out of memory" && echo 0 || echo 1)

# 1b. the node has 64 MiB left: a run of two actors with 4,096 environments each (about
# 300 MiB of buffers apiece) is refused at set-up, exit 2, one message from rank 0
faulted "sysmem-available" 3 --steps 4096 --num-envs 4096 --out "$tmp/mem"
check "a node without the memory the run needs: refused (exit $rc)" $([ $rc -eq 2 ] && echo 0 || echo 1)
check "... one message with the figures" \
    $(one_line "^mpirl: rank 0: not enough memory on node .*: its 3 ranks would take another [0-9]* MiB as they fill their buffers (up to [0-9]* MiB for one rank), and it has 64 MiB (MemAvailable in /proc/meminfo)" && echo 0 || echo 1)
faulted "sysmem-available" 3 --steps 4096 --out "$tmp/mem-small"
check "... a run that fits in 64 MiB runs (exit $rc)" $([ $rc -eq 0 ] && echo 0 || echo 1)

faulted "signals-install@1" 3 --steps 4096 --out "$tmp/sig"
check "signal handlers fail on rank 1: all ranks stop (exit $rc)" $([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo 0 || echo 1)
check "signal handlers fail on rank 1: one message naming them" \
    $(one_line "^mpirl: rank 1: cannot install the SIGINT/SIGTERM handlers" && echo 0 || echo 1)

# a run to resume: 8 of 16 iterations, checkpoints every 4
rm -f "$tmp/err"
mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --steps 32768 --rollout 64 \
    --checkpoint-every 4 --out "$tmp/run" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do
    [ -f "$tmp/run/checkpoint-8.bin" ] && break
    sleep 0.1
done
pkill -KILL -f "mpirl train --quiet --steps 32768 --rollout 64" 2>/dev/null
wait $pid 2>/dev/null
check "a checkpoint to resume from" $([ -f "$tmp/run/checkpoint-8.bin" ] && echo 0 || echo 1)
cp "$tmp/run/checkpoint.bin" "$tmp/saved.bin"
for r in 2 0; do
    faulted "restore-alloc@$r" 3 --resume "$tmp/run"
    check "resume, no memory for the actor state on rank $r: all ranks stop (exit $rc)" $([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo 0 || echo 1)
    check "resume, no memory on rank $r: one message from it" \
        $(one_line "^mpirl: rank $r: cannot resume from .*: out of memory" && echo 0 || echo 1)
    check "resume, no memory on rank $r: the checkpoint is intact" \
        $(cmp -s "$tmp/saved.bin" "$tmp/run/checkpoint.bin" && echo 0 || echo 1)
done
rm -f "$tmp/err"
timeout 120 mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --resume "$tmp/run" \
    >/dev/null 2>"$tmp/err"
rc=$?
check "resume without the fault completes (exit $rc)" $([ $rc -eq 0 ] && echo 0 || echo 1)
check "... to the end of the budget" \
    $([ "$(tail -1 "$tmp/run/metrics.csv" | cut -d, -f2)" = 32768 ] && echo 0 || echo 1)
# 4. the second checkpoint write fails (the first, of iteration 4, is good)
for launch in "1 sync" "3 sync" "3 async"; do
    set -- $launch
    np=$1 mode=$2
    out=$tmp/write-$np-$mode
    faulted "ckpt-write#2" "$np" --steps 32768 --rollout 64 --checkpoint-every 4 \
        --mode "$mode" --out "$out"
    check "np $np $mode: a failed checkpoint write stops every rank (exit $rc)" \
        $([ $rc -eq 1 ] && echo 0 || echo 1)
    check "np $np $mode: one message, naming the cause and the last good checkpoint" \
        $(one_line "checkpoint at iteration [0-9]* not written: .*No space left on device; training stopped (the last checkpoint, of iteration 4, is intact)" && echo 0 || echo 1)
    check "np $np $mode: the last good checkpoint is intact" \
        $(cmp -s "$out/checkpoint.bin" "$out/checkpoint-4.bin" && echo 0 || echo 1)
    check "np $np $mode: no temporary file left" \
        $([ -z "$(find "$out" -name '*.tmp-*')" ] && echo 0 || echo 1)
done
faulted "ckpt-write" 3 --steps 4096 --rollout 64 --out "$tmp/write-first"
check "the very first checkpoint fails: the message says none had been written" \
    $(one_line "not written: .*; training stopped (no checkpoint had been written yet)" && echo 0 || echo 1)

# 5. no hard links: every numbered copy is a copy
faulted "ckpt-link#1+" 3 --steps 16384 --rollout 64 --checkpoint-every 4 --out "$tmp/nolink"
check "numbered copies without hard links: the run completes (exit $rc)" \
    $([ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && echo 0 || echo 1)
links=$(stat -c %h "$tmp/nolink/checkpoint.bin" "$tmp/nolink"/checkpoint-*.bin | sort -u)
check "... with --keep 3 copies, each its own file" \
    $([ "$(ls "$tmp/nolink"/checkpoint-*.bin | wc -l)" -eq 3 ] && [ "$links" = 1 ] && echo 0 || echo 1)
check "... the newest identical to checkpoint.bin" \
    $(cmp -s "$tmp/nolink/checkpoint.bin" "$tmp/nolink/checkpoint-32.bin" && echo 0 || echo 1)
# 6. the 20th metrics row fails after its fields
for mode in sync async; do
    out=$tmp/metrics-$mode
    faulted "metrics-write#20" 3 --steps 1e6 --rollout 32 --mode "$mode" --out "$out"
    check "$mode: a failed metrics row stops every rank (exit $rc)" $([ $rc -eq 1 ] && echo 0 || echo 1)
    check "$mode: one message naming the row, the file and the cause" \
        $(one_line "rank 0: cannot write row 20 of metrics.csv in .*: Input/output error; training stopped" && echo 0 || echo 1)
    fields=$(head -1 "$out/metrics.csv" | tr , '\n' | wc -l)
    check "$mode: no torn row left (19 complete rows)" \
        $([ "$(tail -n +2 "$out/metrics.csv" | wc -l)" -eq 19 ] &&
            awk -F, -v n="$fields" 'NF != n { exit 1 }' "$out/metrics.csv" && echo 0 || echo 1)
done
# 7. async, rank 1's gradients each 10 s late (a slow node), then SIGTERM to every rank
# just after its first one: the stop grace follows the longest gap between an actor's
# gradients (twice it, within 5 to 20 s), so the learner waits the ~10 s for rank 1's
# next gradient and the run ends cleanly with its checkpoint. Before, the grace was a
# fixed 5 s in async mode: rank 1 was given up on as silent, and the run ended with
# status 1. The delay is a nanosleep (x86-64 syscalls 35 and 230): its start shows in
# /proc/PID/syscall, and the first gradient goes out 10 s later.
pat="mpirl train --quiet --mode async --steps 1e8 --out $tmp/slow"
MPIRL_FAULT="gradient-delay@1#1+" timeout 90 mpirun -q -np 3 --oversubscribe -x MPIRL_FAULT \
    "$mpirl" train --quiet --mode async --steps 1e8 --out "$tmp/slow" >"$tmp/out" 2>"$tmp/err" &
job=$!
r1=
for _ in $(seq 100); do
    r1=$(rank_pid 1 "$pat")
    [ -n "$r1" ] && break
    sleep 0.1
done
for _ in $(seq 300); do
    call=$(cut -d' ' -f1 "/proc/$r1/syscall" 2>/dev/null)
    [ "$call" = 230 ] || [ "$call" = 35 ] && break
    sleep 0.02
done
sleep 10.5
for r in 0 1 2; do kill -TERM "$(rank_pid $r "$pat")" 2>/dev/null; done
start=$SECONDS
wait $job
rc=$?
took=$((SECONDS - start))
check "async, a slow actor, then SIGTERM: a clean stop (exit $rc, ${took} s)" \
    $([ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ -f "$tmp/slow/checkpoint.bin" ] && echo 0 || echo 1)
tap_done
