#!/usr/bin/env bash
# groups_test.sh - the critic-free algorithms end to end (suite mpi): grpo, rloo and
# reinforce --baseline running, whose actors run whole episodes (groups of them from shared
# start states for grpo and rloo; rollout.h).
#   usage: groups_test.sh MPIRL CKPT_CMP
# 1. GRPO on CartPole-v1 at 3 ranks with its preset reaches a 100-episode mean return of
#    475 within 300k steps (seed 1; random play scores about 22);
# 2. a sync GRPO run repeats bit for bit, and one stopped at half its budget and resumed
#    ends with the parameters and Adam moments of the uninterrupted run;
# 3. metrics: every iteration's steps are whole episodes of whole groups (the steps are
#    the episodes' lengths), value_loss and explained_variance are nan (no critic);
#    the same with --kl-coef and --ref-every (the reference policy is in the actors'
#    checkpointed state), whose parameters differ from those without the KL term;
#    REINFORCE with --baseline running reaches 475 within 500k steps (seed 1), resumes
#    bit for bit, and its baseline reaches the advantages;
# 4. async GRPO (also with --kl-coef) and RLOO, and RLOO with --rloo-clip, run to their
#    budget;
# 5. refusals, exit 2 with one message: a vector that is not whole groups, --rollout,
#    --norm-reward, --preempt, --backup, --ship experience, more minibatches than
#    episodes, --kl-coef other than with grpo, --ref-every without it.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
cmp=$(realpath "$2")
scratch_dir groups
TAP_DIAG=$tmp/err
cd "$tmp" || exit 1
reached() { # reached DIR TARGET: the first env_steps whose return_mean is at least TARGET
    awk -F, -v t="$2" 'NR > 1 && $6 != "nan" && $6 + 0 >= t { print $2; exit }' "$1/metrics.csv"
}

train3 --algo grpo --steps 300000 --seed 1 --out learn
rc=$?
at=$(reached learn 475)
check "grpo, CartPole-v1, 3 ranks (exit $rc): mean return 475 at ${at:-never} of 300k steps" \
    $(ok [ $rc -eq 0 ] && [ -n "$at" ])

train3 --algo grpo --steps 20000 --out a && train3 --algo grpo --steps 20000 --out b
rc=$?
check "a sync grpo run repeats bit for bit (exit $rc)" \
    $(ok [ $rc -eq 0 ] && cmp -s <(metrics_numbers a/metrics.csv) <(metrics_numbers b/metrics.csv) &&
        "$cmp" a/checkpoint.bin b/checkpoint.bin params adam.m adam.v >&2)
train3 --algo grpo --steps 20000 --anneal-lr false --out whole &&
    train3 --algo grpo --steps 10000 --anneal-lr false --out half &&
    train3 --resume half --steps 20000
rc=$?
check "... stopped at half its budget and resumed (exit $rc): the uninterrupted run's parameters" \
    $(ok [ $rc -eq 0 ] && "$cmp" whole/checkpoint.bin half/checkpoint.bin params adam.m adam.v >&2 &&
        cmp -s <(metrics_numbers whole/metrics.csv) <(metrics_numbers half/metrics.csv))

# --kl-coef: the reference policy is part of the actors' state
kl=(--algo grpo --kl-coef 0.04 --ref-every 5 --anneal-lr false)
train3 "${kl[@]}" --steps 20000 --out klwhole && train3 "${kl[@]}" --steps 10000 --out klhalf &&
    train3 --resume klhalf --steps 20000
rc=$?
check "grpo --kl-coef 0.04 --ref-every 5, stopped halfway and resumed (exit $rc): the same parameters" \
    $(ok [ $rc -eq 0 ] && "$cmp" klwhole/checkpoint.bin klhalf/checkpoint.bin params adam.m adam.v >&2)
differ() { ! "$cmp" "$1" "$2" params >/dev/null 2>&1; }
check "... and the KL term moves them (not those of the run without it)" \
    $(ok differ klwhole/checkpoint.bin whole/checkpoint.bin)

# reinforce --baseline running: the learner's average of the returns-to-go per step
train3 --algo reinforce --baseline running --steps 500000 --seed 1 --out rb
rc=$?
at=$(reached rb 475)
check "reinforce --baseline running, CartPole-v1, 3 ranks (exit $rc): 475 at ${at:-never} of 500k steps" \
    $(ok [ $rc -eq 0 ] && [ -n "$at" ])
rb=(--algo reinforce --baseline running --anneal-lr false)
train3 "${rb[@]}" --steps 20000 --out rbwhole && train3 "${rb[@]}" --steps 10000 --out rbhalf &&
    train3 --resume rbhalf --steps 20000
rc=$?
check "... stopped halfway and resumed (exit $rc): the same parameters (the baseline is checkpointed)" \
    $(ok [ $rc -eq 0 ] && "$cmp" rbwhole/checkpoint.bin rbhalf/checkpoint.bin params adam.m adam.v >&2)
train3 "${rb[@]}" --steps 20000 --baseline-decay 0 --out rbnow
check "... the baseline reaches the advantages (--baseline-decay 0 trains other parameters)" \
    $(ok differ rbwhole/checkpoint.bin rbnow/checkpoint.bin)

# an iteration's steps: the lengths of its episodes, 2 actors x 16 of them (2 groups each)
bad=$(paste -d, <(col a/metrics.csv env_steps) <(col a/metrics.csv episodes) \
    <(col a/metrics.csv value_loss) <(col a/metrics.csv explained_variance) |
    awk -F, '{ if ($2 - pe != 32 || $3 != "nan" || $4 != "nan") n++; pe = $2 } END { print n + 0 }')
check "... every iteration is 32 whole episodes, value_loss and explained_variance nan ($bad rows not)" \
    $(ok [ "$bad" -eq 0 ])

for what in "grpo --mode async" "grpo --mode async --kl-coef 0.04 --ref-every 3" "rloo --mode async" \
    "rloo --rloo-clip true --minibatches 4"; do
    # shellcheck disable=SC2086 # the flags are words
    train3 --algo $what --steps 30000 --out run
    rc=$?
    last=$(col run/metrics.csv env_steps | tail -1)
    check "--algo $what: exit $rc, $last steps of 30000" $(ok [ $rc -eq 0 ] && [ "$last" -ge 30000 ])
    rm -rf run
done

refused() { # refused NAME PATTERN ARGS...
    local name=$1 pattern=$2
    shift 2
    rm -rf bad
    train3 "$@" --out bad
    refused_run $? "$name" "$pattern"
}
refused "a vector that is not whole groups" "is not a multiple of --group-size 8" \
    --algo grpo --num-envs 12
refused "--rollout with grpo" "its episodes run to their end" --algo grpo --rollout 64
refused "--norm-reward with rloo" "does not take --norm-reward" --algo rloo --norm-reward true
refused "--preempt with grpo" "does not take --preempt" --algo grpo --preempt 0.5
refused "--backup with grpo" "does not take --backup" --algo grpo --backup 1
refused "--ship experience with grpo" "ship experience" \
    --algo grpo --mode async --ship experience
refused "more minibatches than episodes" "exceeds --num-envs 16" --algo grpo --minibatches 32
refused "--kl-coef with rloo" "applies to --algo grpo" --algo rloo --kl-coef 0.1
refused "--ref-every without --kl-coef" "give both" --algo grpo --ref-every 4
refused "--baseline running with ppo" "applies to --algo reinforce" --algo ppo --baseline running
refused "--rollout with reinforce --baseline running" "its episodes run to their end" \
    --algo reinforce --baseline running --rollout 64

tap_done
