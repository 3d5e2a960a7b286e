#!/usr/bin/env bash
# backup_test.sh - sync with --backup B end to end (suite mpi).
#   usage: backup_test.sh MPIRL CKPT_CMP
# 1. 4 ranks, --backup 1, rank 3 slowed 200x so that its gradient is never among the
#    first two of a step: the parameters and Adam moments after 30 iterations are
#    bit for bit those of the 3-rank run without rank 3 (the late gradients never reach
#    a step, and each step is the count-weighted mean of the two counted ones); every
#    gradient rank 3 computed is counted as dropped in actors.csv, and the metrics'
#    dropped column has the same total; the same after a stop and a resume halfway;
# 2. --backup 1 on identical actors trains to its budget (every step takes 2 of 3);
# 3. a frozen actor (SIGSTOP, --actor-timeout 3): the learner stops within seconds
#    naming it, every rank gone;
# 4. refusals, exit 2 with one message: --mode async, trpo, too few actors.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
cmp=$(realpath "$2")
scratch_dir backup
TAP_DIAG=$tmp/err
cd "$tmp" || exit 1
# 30 iterations of CartPole's preset: 3 x 128 steps each at 4 ranks, 2 x 128 at 3
train3 --steps 7680 --out three
train4 --steps 11520 --backup 1 --straggle ranks=3:200x --out four
rc=$?
check "4 ranks, --backup 1, rank 3 slowed 200x: runs (exit $rc)" $(ok [ $rc -eq 0 ])
check "... parameters and Adam moments as the 3 ranks' without rank 3" \
    $(ok "$cmp" three/checkpoint.bin four/checkpoint.bin params adam.m adam.v >&2)
col_sum() { col "$1" "$2" | awk '{ s += $1 } END { print s + 0 }'; }
sent=$(awk -F, '$2 == 3 { s += $6 } END { print s + 0 }' four/actors.csv)
lost=$(awk -F, '$2 == 3 { s += $7 } END { print s + 0 }' four/actors.csv)
fast=$(awk -F, '$2 != 3 { s += $7 } END { print s + 0 }' four/actors.csv)
check "... rank 3's $sent gradients all dropped ($lost), none of the others' ($fast)" \
    $(ok [ "$sent" -gt 0 ] && [ "$sent" = "$lost" ] && [ "$fast" = 0 ])
check "... metrics.csv's dropped column totals the same" $(ok [ "$(col_sum four/metrics.csv dropped)" = "$lost" ])
# the learning rate anneals over the budget of the first run: the 3-rank run that
# matches is stopped halfway and resumed too
train3 --steps 3840 --out three-half && train3 --steps 7680 --resume three-half
rc0=$?
train4 --steps 5760 --backup 1 --straggle ranks=3:200x --out half
train4 --steps 11520 --resume half
rc=$?
check "... stopped at 15 iterations and resumed (exit $rc, 3 ranks $rc0): the same parameters" \
    $(ok [ $rc -eq 0 ] && [ $rc0 -eq 0 ] &&
        "$cmp" three-half/checkpoint.bin half/checkpoint.bin params adam.m adam.v >&2)

train4 --steps 30000 --backup 1 --out even
rc=$?
rows=$(($(wc -l <even/metrics.csv) - 1))
check "--backup 1 on identical actors: $rows iterations to the budget (exit $rc)" \
    $(ok [ $rc -eq 0 ] && [ "$rows" -eq 79 ])

frozen 4 frozen-backup 0 --backup 1 --steps 1e7 --actor-timeout 3
check "an actor frozen: exit $rc, every other rank ended $took s after the stop, naming rank 2" \
    $(ok [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $took -lt 30 ] && grep -q "rank 2 has not answered" err)
check "... every rank gone" $(ok [ "$alive" -eq 0 ])

train4 --backup 1 --mode async --out bad
refused_run $? "--backup in async mode" "applies to --mode sync"
train4 --backup 1 --algo trpo --out bad
refused_run $? "--backup with trpo" "applies to --mode sync with ppo"
train3 --backup 2 --out bad
refused_run $? "--backup 2 with 2 actors" "needs at least 3 actors"
tap_done
