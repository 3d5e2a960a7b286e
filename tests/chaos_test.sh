#!/usr/bin/env bash
# chaos_test.sh - random real faults against 3-rank runs (suite slow).
#   usage: chaos_test.sh MPIRL [RUNS]
# Each run (sync or async, drawn) trains until it has a checkpoint, then gets one fault
# at a random moment: SIGKILL of a random rank, SIGSTOP of a random actor (the learner
# bounds its waits with --actor-timeout 3; an async run trains on without it until
# SIGTERM), or SIGTERM to every rank. Asserted for
# each: every rank of the run has ended within 30 s of the fault; the exit status is 0
# after SIGTERM and non-zero otherwise (after a SIGSTOP, mpirun itself sometimes does
# not exit although every rank has: it is then killed, and counted in the summary); checkpoint.bin resumes (until a SIGTERM, exit
# 0) and metrics.csv then runs on from the checkpoint's iteration with no gap or
# repeat. The draws come from a fixed seed, so a failure can be replayed.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
runs=${2:-24}
scratch_dir chaos
cd "$tmp" || exit 1
RANDOM=20261203
ranks_term() { # SIGTERM to the three ranks matching PATTERN
    for r in 0 1 2; do kill -TERM "$(rank_pid $r "$1")" 2>/dev/null; done
}
declare -A seen
hung=0
worst=0
for k in $(seq "$runs"); do
    modes=(sync async)
    mode=${modes[RANDOM % 2]}
    faults=(kill stop term)
    fault=${faults[RANDOM % 3]}
    rank=$((RANDOM % 3))
    [ "$fault" = stop ] && rank=$((1 + RANDOM % 2)) # a frozen learner is out of scope
    delay=$((RANDOM % 20))                          # tenths of a second after the checkpoint
    dir=run$k
    pat="mpirl train --quiet --out $dir "
    timeout -k 5 120 mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --out "$dir" \
        --mode "$mode" --steps 1e8 --checkpoint-every 10 --actor-timeout 3 \
        </dev/null >"$dir.out" 2>"$dir.err" &
    job=$!
    for _ in $(seq 600); do [ -f "$dir/checkpoint.bin" ] && break; sleep 0.1; done
    sleep "$((delay / 10)).$((delay % 10))"
    start=$SECONDS
    case $fault in
    kill) kill -KILL "$(rank_pid $rank "$pat")" ;;
    stop) # async trains on without it: then the batch system's SIGTERM ends the job
        kill -STOP "$(rank_pid $rank "$pat")"
        if [ "$mode" = async ]; then
            for _ in $(seq 100); do grep -q "training goes on without it" "$dir.err" && break; sleep 0.1; done
            ranks_term "$pat"
        fi
        ;;
    term) ranks_term "$pat" ;;
    esac
    # the ranks must end within 30 s; mpirun's own exit is waited for as long
    took=999
    for _ in $(seq 300); do
        if [ "$(live_ranks "$pat")" -eq 0 ]; then
            took=$((SECONDS - start))
            break
        fi
        sleep 0.1
    done
    for _ in $(seq 300); do kill -0 $job 2>/dev/null || break; sleep 0.1; done
    if kill -0 $job 2>/dev/null; then # every rank has ended, mpirun has not (see below)
        hung=$((hung + 1))
        kill -KILL $job
        pkill -KILL -f "^mpirun .*--out $dir " 2>/dev/null
    fi
    wait $job
    rc=$?
    [ $took -gt $worst ] && worst=$took
    left=$(live_ranks "$pat")
    what="run $k: $mode, $fault of rank $rank after ${delay}00 ms"
    [ "$fault" = term ] && what="run $k: $mode, SIGTERM to every rank after ${delay}00 ms"
    ok=0
    [ "$left" -eq 0 ] && [ $took -le 30 ] || ok=1
    if [ "$fault" = term ]; then [ $rc -eq 0 ] || ok=1; else [ $rc -ne 0 ] || ok=1; fi
    [ "$fault" = stop ] && [ $rc -eq 137 ] && [ "$left" -eq 0 ] && ok=0 # mpirun hung, ranks ended
    TAP_DIAG=$dir.err check "$what: ends in ${took} s (exit $rc), no process left" $ok
    pkill -KILL -f "$pat" 2>/dev/null
    # resume the newest checkpoint, stop it with SIGTERM once it has trained on
    rows=$(wc -l <"$dir/metrics.csv")
    timeout -k 5 60 mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --resume "$dir" \
        </dev/null >"$dir.out" 2>"$dir.err" &
    job=$!
    for _ in $(seq 300); do
        [ "$(wc -l <"$dir/metrics.csv")" -gt $((rows + 20)) ] && break
        sleep 0.1
    done
    sleep 0.5
    ranks_term "mpirl train --quiet --resume $dir"
    wait $job
    rc=$?
    awk -F, 'NR > 2 && $1 != prev + 1 { bad = 1 } NR > 1 { prev = $1 } END { exit bad }' \
        "$dir/metrics.csv"
    rows_ok=$?
    TAP_DIAG=$dir.err check "$what: the checkpoint resumes (exit $rc), metrics.csv without gap or repeat" \
        $([ $rc -eq 0 ] && [ $rows_ok -eq 0 ] && echo 0 || echo 1)
    seen[$fault]=$((${seen[$fault]:-0} + 1))
done
echo "# $runs runs: ${seen[kill]:-0} SIGKILL, ${seen[stop]:-0} SIGSTOP, ${seen[term]:-0} SIGTERM; every rank ended at most ${worst} s after the fault"
# Open MPI 4.1's mpirun now and then does not exit after one of its ranks was stopped
# and then killed, although every rank has ended (zombies it does not reap); counted
echo "# mpirun left hanging after every rank had ended: $hung of ${seen[stop]:-0} SIGSTOP runs"
tap_done
