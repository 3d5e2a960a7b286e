#!/usr/bin/env bash
# preempt_test.sh - sync with --preempt FRAC end to end (suite mpi).
#   usage: preempt_test.sh MPIRL CKPT_DUMP
# 1. --preempt 1 (cut nobody: the word to stop comes when every actor is done) changes
#    no number: metrics but the time columns and the final checkpoint but its
#    configuration are those of the plain run;
# 2. 4 ranks, --preempt 0.66, rank 3 slowed 20x: its rollouts are cut (iterations
#    collect fewer than the 3 x 128 steps of full rollouts, never fewer than two full
#    ones and rank 3's minimum of 8 steps x 4 environments), the run ends at the first
#    row past the step budget, exit 0; a stop at half the budget resumes to it;
# 3. a frozen actor (SIGSTOP): the learner stops within seconds, naming it;
# 4. refusals, exit 2 with one message: --mode async, one actor.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
dump=$(realpath "$2")
scratch_dir preempt
TAP_DIAG=$tmp/err
cd "$tmp" || exit 1
train3 --steps 7680 --out plain
train3 --steps 7680 --preempt 1 --out all
rc=$?
check "--preempt 1 (exit $rc): the same metrics as without" \
    $(ok [ $rc -eq 0 ] && cmp -s <(metrics_numbers plain/metrics.csv) <(metrics_numbers all/metrics.csv))
check "... the same final checkpoint" $(ok cmp -s <("$dump" plain/checkpoint.bin) <("$dump" all/checkpoint.bin))

train4 --steps 20000 --preempt 0.66 --straggle ranks=3:20x --out cut
rc=$?
steps() { awk -F, 'NR > 1 { print $2 - p; p = $2 }' "$1"; }
full=$(steps cut/metrics.csv | awk '$1 == 384' | wc -l)
short=$(steps cut/metrics.csv | awk '$1 < 384' | wc -l)
floor=$(steps cut/metrics.csv | awk '$1 < 2 * 128 + 8 * 4' | wc -l)
check "--preempt 0.66, rank 3 slowed 20x (exit $rc): $short iterations cut, $full full" \
    $(ok [ $rc -eq 0 ] && [ "$short" -gt "$full" ])
check "... none below two full rollouts and rank 3's minimum ($floor)" $(ok [ "$floor" -eq 0 ])
last=$(tail -1 cut/metrics.csv | cut -d, -f2)
before=$(tail -2 cut/metrics.csv | head -1 | cut -d, -f2)
check "... ends at the first row past the budget ($before, then $last)" \
    $(ok [ "$last" -ge 20000 ] && [ "$before" -lt 20000 ])
train4 --steps 10000 --preempt 0.66 --straggle ranks=3:20x --out half &&
    train4 --steps 20000 --resume half
rc=$?
last=$(tail -1 half/metrics.csv | cut -d, -f2)
check "... stopped at half the budget and resumed (exit $rc): ends at $last" \
    $(ok [ $rc -eq 0 ] && [ "$last" -ge 20000 ] &&
        awk -F, 'NR > 2 && $1 != p + 1 { bad = 1 } { p = $1 } END { exit bad }' half/metrics.csv)

frozen 4 frozen-preempt 0 --preempt 0.5 --steps 1e7 --actor-timeout 3
check "an actor frozen: exit $rc, every other rank ended $took s after the stop, naming rank 2" \
    $(ok [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $took -lt 30 ] && grep -q "rank 2 has not answered" err)
check "... every rank gone" $(ok [ "$alive" -eq 0 ])

train4 --preempt 0.5 --mode async --out bad
refused_run $? "--preempt in async mode" "applies to --mode sync"
timeout -k 5 60 mpirun -q -np 2 "$mpirl" train --quiet --preempt 0.5 --out bad </dev/null >out 2>err
refused_run $? "--preempt with one actor" "at least 2 actors"
tap_done
