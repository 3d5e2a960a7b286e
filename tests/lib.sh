# lib.sh - what the shell tests share (sourced): TAP output, so that meson counts and
# names every check (the tests are declared with protocol : 'tap').
#   check NAME STATUS   one check: STATUS 0 passes, anything else fails (and the file
#                       named by $TAP_DIAG, if set and present, is shown as comments)
#   tap_done            the plan line; returns non-zero if a check failed
#   scratch_dir NAME    sets tmp to a new directory, removed when the script exits
#   rank_pid R PATTERN  the pid of MPI rank R among the processes matching PATTERN
#   live_ranks PATTERN  how many processes matching PATTERN have not ended (a zombie
#                       has)
#   ok CMD...           prints 0 if CMD succeeds, else 1 (a STATUS for check)
#   train3 ARGS...      `mpirl train --quiet ARGS` at 3 ranks under a 120 s timeout, with
#                       $mpirl, stdin closed, output in ./out and ./err
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
        [ "$(cut -d' ' -f3 /proc/"$p"/stat 2>/dev/null)" = Z ] || n=$((n + 1))
    done
    echo $n
}
ok() { "$@" && echo 0 || echo 1; }
train3() {
    timeout -k 5 120 mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet "$@" </dev/null \
        >out 2>err
}
metrics_numbers() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = !($i ~ /_s$/ || $i == "sps" || $i == "actor_spread") }
        { out = ""; for (i = 1; i <= NF; i++) if (keep[i]) out = out $i ","; print out }' "$1"
}
