#!/usr/bin/env bash
# straggle_test.sh - --straggle and actors.csv end to end (suite mpi).
#   usage: straggle_test.sh MPIRL CKPT_DUMP
# 1. sync, 3 ranks, rank 1 slowed 3x with lognormal noise: the same numbers as the run
#    without (metrics.csv but its time columns, the final checkpoint but its
#    configuration), the specification recorded in config;
# 2. actors.csv: one row per actor and iteration; rank 1's delay is about (3 E[max(X,
#    1)] - 1) = 2.25 times its compute, rank 2's about 0.08 times; the metrics'
#    actor_spread shows rank 1 about 3 times as busy as rank 2;
# 3. async with --max-staleness 1: the slow rank sends fewer gradients, and actors.csv
#    counts each rank's dropped ones and their staleness;
# 4. a resumed run appends to actors.csv without a gap or repeat;
# 5. bad specifications: exit 2, one message naming the term, no run directory.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
dump=$(realpath "$2")
scratch_dir straggle
TAP_DIAG=$tmp/err
cd "$tmp" || exit 1
spec="ranks=1:3x+lognormal:0.2"
train3 --steps 16384 --out plain
train3 --steps 16384 --straggle "$spec" --out slow
rc=$?
check "sync with --straggle $spec runs (exit $rc)" $(ok [ $rc -eq 0 ])
check "... the same metrics as without" $(ok cmp -s <(metrics_numbers plain/metrics.csv) <(metrics_numbers slow/metrics.csv))
check "... the same final checkpoint" $(ok cmp -s <("$dump" plain/checkpoint.bin) <("$dump" slow/checkpoint.bin))
check "... the specification in config" $(ok grep -qx "straggle = $spec" slow/config)
iters=$(($(wc -l <slow/metrics.csv) - 1))
check "actors.csv: one row per actor and iteration ($iters iterations)" \
    $(ok awk -F, -v n="$iters" 'NR > 1 { c[$2]++; if ($1 != int((NR - 2) / 2) + 1) bad = 1 }
        END { exit bad || c[1] != n || c[2] != n || length(c) != 2 }' slow/actors.csv)
ratio() { awk -F, -v r="$2" 'NR > 1 && $2 == r { c += $3; d += $4 } END { printf "%.3f", d / c }' "$1"; }
r1=$(ratio slow/actors.csv 1)
r2=$(ratio slow/actors.csv 2)
check "... rank 1 sleeps $r1 x its compute (2.25 expected), rank 2 $r2 x (0.08)" \
    $(ok awk -v a="$r1" -v b="$r2" 'BEGIN { exit !(a > 1.9 && a < 2.7 && b < 0.25) }')
spread=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "actor_spread") c = i }
    NR > 1 { print $c }' slow/metrics.csv | sort -g | awk '{ s[NR] = $1 } END { print s[int((NR + 1) / 2)] }')
check "... the median actor_spread is $spread (about 3)" \
    $(ok awk -v s="$spread" 'BEGIN { exit !(s > 2.2 && s < 4.5) }')

train3 --steps 30000 --mode async --max-staleness 1 --straggle "ranks=1:4x" --out async
rc=$?
grads() { awk -F, -v r="$2" 'NR > 1 && $2 == r { g += $6 } END { print g + 0 }' "$1"; }
g1=$(grads async/actors.csv 1)
g2=$(grads async/actors.csv 2)
check "async, rank 1 slowed 4x: it sends fewer gradients ($g1 against $g2; exit $rc)" \
    $(ok [ $rc -eq 0 ] && [ "$g1" -gt 0 ] && [ $((g1 * 10)) -lt $((g2 * 7)) ])
d=$(awk -F, 'NR > 1 { d += $7 } END { print d + 0 }' async/actors.csv)
m=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "dropped") c = i } NR > 1 { d += $c } END { print d + 0 }' async/metrics.csv)
check "... actors.csv counts the dropped gradients as metrics.csv does ($d, $m)" $(ok [ "$d" -eq "$m" ])

train3 --steps 8192 --checkpoint-every 2 --straggle "ranks=2:2x" --out resumed
train3 --resume resumed --steps 16384
rc=$?
last=$(tail -1 resumed/metrics.csv | cut -d, -f1)
check "a resumed run appends to actors.csv, rows without gap or repeat up to iteration $last (exit $rc)" \
    $(ok [ $rc -eq 0 ] && awk -F, -v want="$last" 'NR > 1 { if ($1 != int((NR - 2) / 2) + 1) bad = 1; last = $1 }
        END { exit bad || last != want || want < 2 }' resumed/actors.csv)

for bad in "ranks=3:2x" "ranks=0:2x" "ranks=1:0.5x" "lognormal:x" "pause:0.1" "fast"; do
    rm -rf badrun
    train3 --steps 4096 --straggle "$bad" --out badrun
    rc=$?
    check "--straggle '$bad': refused (exit $rc), one message, no run directory" \
        $(ok [ $rc -eq 2 ] && [ "$(grep -c . err)" -eq 1 ] && grep -q "^mpirl train: --straggle: " err &&
            [ ! -e badrun ])
done
tap_done
