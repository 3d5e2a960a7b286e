# lib.sh - what the shell tests share (sourced): TAP output, so that meson counts and
# names every check (the tests are declared with protocol : 'tap').
#   check NAME STATUS   one check: STATUS 0 passes, anything else fails (and the file
#                       named by $TAP_DIAG, if set and present, is shown as comments)
#   tap_done            the plan line; returns non-zero if a check failed
#   scratch_dir NAME    sets tmp to a new directory, removed when the script exits
#   rank_pid R PATTERN  the pid of MPI rank R among the processes matching PATTERN
#   live_ranks PATTERN [PID]  how many processes matching PATTERN (but PID) have not
#                       ended (a zombie has)
#   ok CMD...           prints 0 if CMD succeeds, else its status (a STATUS for check);
#                       in $(ok A && B) the status of the whole list
#   train3 ARGS...      `mpirl train --quiet ARGS` at 3 ranks under a 120 s timeout, with
#                       $mpirl, stdin closed, output in ./out and ./err
#   frozen NP DIR TERM ARGS...  an NP-rank `mpirl train --quiet --out DIR ARGS` ($mpirl)
#                       in the background; once it has written some rows, SIGSTOP of
#                       rank 2 (and SIGTERM to every rank if TERM is 1); waits for the
#                       ranks to end and sets rc (mpirun's status), took (seconds from
#                       the stop until every other rank had ended; 999: they did not
#                       within 60 s) and alive (processes of the run left, the stopped
#                       one included); output in ./out and ./err
#   train4 ARGS...      the same at 4 ranks (one learner, three actors)
#   refused_run STATUS NAME PATTERN  the check that a run refused its options: exit
#                       STATUS is 2, ./err holds one line matching PATTERN, no ./bad
#   col FILE NAME       the column NAME of every row of the CSV FILE
#   metrics_numbers F   metrics.csv F without its time columns (sps, actor_spread and
#                       every column ending in _s), as digest_test.sh hashes it
# It also exports what mpirun needs here: root's consent, one BLAS thread per rank.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
tap_n=0
tap_failures=0
echo "TAP version 13"
check() {
    tap_n=$((tap_n + 1))
    if [ "$2" -eq 0 ]; then
        echo "ok $tap_n - $1"
    else
        tap_failures=$((tap_failures + 1))
        echo "not ok $tap_n - $1"
        if [ -n "${TAP_DIAG-}" ] && [ -f "$TAP_DIAG" ]; then
            sed 's/^/# /' "$TAP_DIAG"
        fi
    fi
}
tap_done() {
    echo "1..$tap_n"
    [ "$tap_failures" -eq 0 ]
}
scratch_dir() {
    tmp=$(mktemp -d "/tmp/mpirl-$1-XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
}
rank_pid() {
    for p in $(pgrep -f "$2"); do
        { tr '\0' '\n' </proc/"$p"/environ; } 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1" &&
            echo "$p"
    done
}
live_ranks() {
    local n=0
    for p in $(pgrep -f "$1"); do
        [ "$p" = "${2-}" ] && continue
        [ "$(cut -d' ' -f3 /proc/"$p"/stat 2>/dev/null)" = Z ] || n=$((n + 1))
    done
    echo $n
}
# inside $(...), the status of the whole list that follows: `$(ok A && B && C)` prints 0
# only when A, B and C all pass (an EXIT trap of the substitution's subshell prints the
# list's status; `"$@" && echo 0` would print 0 once A passed, whatever B and C gave)
ok() {
    if [ "$BASH_SUBSHELL" -gt 0 ]; then
        trap 'echo $?' EXIT
        "$@"
    else
        "$@" && echo 0 || echo 1
    fi
}
train3() { train_np 3 "$@"; }
train4() { train_np 4 "$@"; }
refused_run() {
    check "$2: refused (exit $1)" \
        $(ok [ "$1" -eq 2 ] && [ "$(grep -c . err)" -eq 1 ] && grep -q -- "$3" err && [ ! -e bad ])
}
train_np() {
    local np=$1
    shift
    timeout -k 5 120 mpirun -q -np "$np" --oversubscribe "$mpirl" train --quiet "$@" </dev/null \
        >out 2>err
}
col() {
    awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i } NR > 1 { print $c }' "$1"
}
metrics_numbers() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = !($i ~ /_s$/ || $i == "sps" || $i == "actor_spread") }
        { out = ""; for (i = 1; i <= NF; i++) if (keep[i]) out = out $i ","; print out }' "$1"
}
frozen() {
    local np=$1 dir=$2 term=$3
    shift 3
    timeout -k 5 120 mpirun -q -np "$np" --oversubscribe "$mpirl" train --quiet --out "$dir" "$@" \
        </dev/null >out 2>err &
    local job=$!
    for _ in $(seq 600); do # training has begun: some rows
        [ "$(cat "$dir/metrics.csv" 2>/dev/null | wc -l)" -gt 5 ] && break
        sleep 0.1
    done
    local start=$SECONDS stopped
    stopped=$(rank_pid 2 "mpirl train --quiet --out $dir ")
    kill -STOP "$stopped"
    if [ "$term" = 1 ]; then # the ranks, as srun signals them (mpirun would pass it on)
        sleep 0.5
        for r in $(seq 0 $((np - 1))); do kill -TERM "$(rank_pid $r "mpirl train --quiet --out $dir ")"; done
    fi
    # the other ranks must end (the stopped one is the launcher's to end once they have);
    # mpirun is given as long again to exit (Open MPI 4.1's mpirun now and then stays
    # after the others ended, the stopped rank with it: then both are killed here and rc
    # is 137)
    took=999
    for _ in $(seq 600); do
        if [ "$(live_ranks "mpirl train --quiet --out $dir " "$stopped")" -eq 0 ]; then
            took=$((SECONDS - start))
            break
        fi
        sleep 0.1
    done
    for _ in $(seq 300); do kill -0 $job 2>/dev/null || break; sleep 0.1; done
    if kill -0 $job 2>/dev/null; then # timeout's child is mpirun: both go, and the rank
        pkill -KILL -P $job
        kill -KILL $job
        kill -KILL "$stopped" 2>/dev/null
        echo "# mpirun left hanging after every rank had ended: killed"
    fi
    wait $job
    rc=$?
    for _ in $(seq 50); do # a killed mpirun takes a moment to go
        alive=$(live_ranks "mpirl train --quiet --out $dir ")
        [ "$alive" -eq 0 ] && break
        sleep 0.1
    done
}
