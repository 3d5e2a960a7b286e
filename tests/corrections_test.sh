#!/usr/bin/env bash
# corrections_test.sh - the async corrections of stale gradients end to end (suite mpi;
# their formulas are test_correct's).
#   usage: corrections_test.sh MPIRL
# 1. async PPO at 3 ranks, rank 1 slowed 3x, with each correction and with all three:
#    the run reaches its budget (exit 0) and learns (the last window's mean return at
#    least twice the first's), the flags are recorded in config;
# 2. --staleness-lr at a constant learning rate: the logged learning rate (the mean of
#    the updates') is that rate in rows whose gradients had staleness 0 or 1, below it
#    in the others;
# 3. --softsync 4: the learner updates once per 4 gradients, so a gradient's staleness
#    is mostly 0 (the group it joined was not applied yet when it was computed);
# 4. a resume of a run with all three continues with them;
# 5. refused with exit 2 and one message: in sync mode, in one process, --dc-lambda
#    without --max-staleness.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
scratch_dir corrections
TAP_DIAG=$tmp/err
cd "$tmp" || exit 1
learns() { # the last row's return_mean at least twice the first finite one
    col "$1/metrics.csv" return_mean | awk '$1 != "nan" { if (first == "") first = $1; last = $1 }
        END { exit !(first != "" && last >= 2 * first) }'
}
common=(--mode async --steps 60000 --max-staleness 4 --straggle ranks=1:3x)
i=0
for flags in "--staleness-lr true" "--dc-lambda 0.04" "--softsync 4" \
    "--staleness-lr true --dc-lambda 0.04 --softsync 2"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # flags are words
    train3 "${common[@]}" $flags --out run$i
    rc=$?
    check "async with $flags: reaches its budget (exit $rc) and learns" \
        $(ok [ $rc -eq 0 ] && [ "$(col run$i/metrics.csv env_steps | tail -1)" -ge 60000 ] && learns run$i)
done
check "... the flags in config" \
    $(ok grep -qx "staleness_lr = true" run4/config && grep -qE "^dc_lambda = 0\.04(0*1)?$" run4/config &&
        grep -qx "softsync = 2" run4/config)
train3 --mode async --steps 30000 --straggle ranks=1:3x --staleness-lr true --anneal-lr false \
    --lr 0.001 --out lr
paste -d, <(col lr/metrics.csv lr) <(col lr/metrics.csv staleness_max) >lr.csv
check "--staleness-lr: the learning rate is 0.001 in rows without gradients staler than 1, below it in the others" \
    $(ok awk -F, '$2 <= 1 && $1 != 0.001 { bad = 1 } $2 > 1 { n++; if ($1 >= 0.001) bad = 1 }
        END { exit bad || n == 0 }' lr.csv)
zero=$(awk -F, 'NR > 1 && $2 == 0 { z += $3 } NR > 1 { t += $3 } END { printf "%.2f", z / t }' \
    run3/staleness.csv)
check "--softsync 4: $zero of the gradients have staleness 0" \
    $(ok awk -v z="$zero" 'BEGIN { exit !(z >= 0.5) }')

rows=$(wc -l <run4/metrics.csv)
train3 --resume run4 --steps 90000
rc=$?
check "a resume keeps the corrections and trains on (exit $rc)" \
    $(ok [ $rc -eq 0 ] && [ "$(wc -l <run4/metrics.csv)" -gt "$rows" ] &&
        grep -qx "softsync = 2" run4/config)

for bad in "--mode sync --softsync 2" "--mode sync --staleness-lr true" \
    "--mode async --dc-lambda 0.04"; do
    rm -rf bad
    # shellcheck disable=SC2086 # bad is words
    train3 --steps 4096 $bad --out bad
    rc=$?
    check "$bad: refused (exit $rc), one message, no run directory" \
        $(ok [ $rc -eq 2 ] && [ "$(grep -c . err)" -eq 1 ] && [ ! -e bad ] &&
            grep -q "^mpirl train: --\(softsync\|staleness-lr\|dc-lambda\) " err)
done
"$mpirl" train --quiet --steps 4096 --mode async --softsync 2 --out one >out 2>err
rc=$?
check "one process with --softsync: refused (exit $rc), saying it needs actors" \
    $(ok [ $rc -eq 2 ] && grep -q "mpirun -np 2 or more" err)
tap_done
