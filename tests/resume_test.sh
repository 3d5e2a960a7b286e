#!/usr/bin/env bash
# resume_test.sh - checkpoints, resume and signals of `mpirl train` under mpirun,
# with real process kills (suite mpi).
#   usage: resume_test.sh MPIRL CKPT_CMP
# 1. sync, 3 ranks: a run killed with SIGKILL (of an actor, then of mpirun) after a
#    checkpoint and resumed ends bit-identical to an uninterrupted run: the same
#    parameters, Adam state, normaliser and actors' state in the final checkpoint, the
#    same metrics rows apart from the time columns;
# 2. SIGTERM to every rank (what Slurm sends): a checkpoint is written, every rank exits
#    0, and the resumed run again equals the uninterrupted one;
# 3. async: killed and resumed, the run completes its budget with rows continuing and
#    learns (return_mean >= 100 at the end, a random policy reaches ~22); the actors
#    continue at the checkpoint's parameter version (staleness stays small);
# 4. ppo-kl and trpo: killed and resumed, bit-identical too (ppo-kl's beta included);
# 5. resume refusals: a flag that changes the run's meaning, a smaller step budget, a
#    directory without checkpoint, a different rank count (exit 2, one message);
# 6. MuJoCo (when built): a Hopper-v4 run with observation and reward
#    normalisation, killed and resumed, bit-identical to an uninterrupted one.
# The reference runs normalise observations and rewards, so that both normalisers'
# statistics and the actors' discounted returns must survive the checkpoints.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
cmp_tool=$(realpath "$2")
scratch_dir resume
run() { # run NP DIR OPTIONS...
    local np=$1 dir=$2
    shift 2
    mpirun -np "$np" --oversubscribe "$mpirl" train --quiet --out "$dir" "$@"
}
same_run() { # same_run A B: final state and metrics identical
    "$cmp_tool" "$1/checkpoint.bin" "$2/checkpoint.bin" meta params adam.m adam.v obs.stats \
        ret.stats window kl_beta actor.1 actor.2 && diff <(metrics_numbers "$1/metrics.csv") <(metrics_numbers "$2/metrics.csv") >/dev/null
}
# pid of rank R of the run writing into DIR
rank_pid() {
    for p in $(pgrep -f "mpirl train --quiet --out $2 "); do
        tr '\0' '\n' </proc/"$p"/environ 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1" &&
            echo "$p"
    done
}
wait_for() { # wait_for FILE: up to 60 s
    for _ in $(seq 600); do
        [ -e "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

opts=(--steps 40000 --seed 7 --checkpoint-every 8 --keep 100 --norm-obs true --norm-reward true)

# the reference
run 3 "$tmp/ref" "${opts[@]}"
check "uninterrupted sync run" $?

# 1. SIGKILL of an actor, then of mpirun, each after a checkpoint
for victim in actor mpirun; do
    dir="$tmp/kill-$victim"
    run 3 "$dir" "${opts[@]}" &
    launcher=$!
    wait_for "$dir/checkpoint-16.bin"
    if [ "$victim" = actor ]; then
        kill -KILL $(rank_pid 1 "$dir") 2>/dev/null
    else
        kill -KILL $launcher 2>/dev/null
    fi
    wait $launcher 2>/dev/null
    pkill -KILL -f "mpirl train --quiet --out $dir " 2>/dev/null
    sleep 0.2
    [ ! -e "$dir/checkpoint-48.bin" ] # killed before the end
    check "SIGKILL of $victim interrupted the run" $?
    mpirun -np 3 --oversubscribe "$mpirl" train --quiet --resume "$dir"
    check "resume after SIGKILL of $victim exits 0" $?
    same_run "$tmp/ref" "$dir"
    check "resumed run equals the uninterrupted one (SIGKILL of $victim)" $?
done

# 2. SIGTERM to every rank
dir="$tmp/term"
run 3 "$dir" "${opts[@]}" &
launcher=$!
wait_for "$dir/checkpoint-16.bin"
kill -TERM $(rank_pid 0 "$dir") $(rank_pid 1 "$dir") $(rank_pid 2 "$dir") 2>/dev/null
SECONDS=0
wait $launcher
rc=$?
check "SIGTERM: every rank exits 0" $rc
[ "$SECONDS" -le 5 ]
check "SIGTERM: stopped within 5 s" $?
last=$(tail -1 "$dir/metrics.csv" | cut -d, -f1)
[ -e "$dir/checkpoint-$last.bin" ] && [ "$last" -lt 157 ]
check "SIGTERM: checkpoint of the last iteration ($last) written" $?
mpirun -np 3 --oversubscribe "$mpirl" train --quiet --resume "$dir"
check "resume after SIGTERM exits 0" $?
same_run "$tmp/ref" "$dir"
check "resumed run equals the uninterrupted one (SIGTERM)" $?

# 3. async: kill, resume, complete
dir="$tmp/async"
run 3 "$dir" --mode async --steps 40000 --checkpoint-every 8 &
launcher=$!
wait_for "$dir/checkpoint-16.bin"
kill -KILL $(rank_pid 2 "$dir") 2>/dev/null
wait $launcher 2>/dev/null
pkill -KILL -f "mpirl train --quiet --out $dir " 2>/dev/null
sleep 0.2
mpirun -np 3 --oversubscribe "$mpirl" train --quiet --resume "$dir"
check "async resume exits 0" $?
awk -F, 'NR > 2 && $1 != prev + 1 { bad = 1 } NR > 1 { prev = $1; steps = $2 }
    END { exit bad || steps < 40000 }' "$dir/metrics.csv"
check "async resume: rows continue and the budget is reached" $?
# and it learns: a random CartPole policy averages about 22
awk -F, 'END { exit !($6 >= 100) }' "$dir/metrics.csv"
learned=$?
final=$(tail -1 "$dir/metrics.csv" | cut -d, -f6)
check "async resume: the resumed run learns (return_mean $final >= 100)" $learned
# the actors resume at the checkpoint's parameter version: the first row after the
# resume sees staleness 1 or so, not the version count, and drops nothing under
# --max-staleness (before, every actor's first gradient was as stale as the version)
dir="$tmp/async-stale"
run 3 "$dir" --mode async --steps 8192 --max-staleness 3 >/dev/null 2>&1
rows=$(($(wc -l <"$dir/metrics.csv") - 1))
mpirun -np 3 --oversubscribe "$mpirl" train --quiet --resume "$dir" --steps 16384
awk -F, -v n="$rows" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    NR == n + 2 { exit !($c["staleness_max"] <= 3 && $c["dropped"] == 0) }' "$dir/metrics.csv"
check "async resume: staleness continues from the checkpoint's version (none dropped)" $?

# 4. ppo-kl (its beta must survive the checkpoint) and trpo: SIGKILL of an actor after a
#    checkpoint, resumed, equal to the uninterrupted run
for algo in ppo-kl trpo; do
    aopts=(--algo "$algo" --steps 20000 --seed 5 --checkpoint-every 8 --keep 100)
    run 3 "$tmp/ref-$algo" "${aopts[@]}"
    check "uninterrupted $algo run" $?
    dir="$tmp/kill-$algo"
    run 3 "$dir" "${aopts[@]}" &
    launcher=$!
    wait_for "$dir/checkpoint-16.bin"
    kill -KILL $(rank_pid 1 "$dir") 2>/dev/null
    wait $launcher 2>/dev/null
    pkill -KILL -f "mpirl train --quiet --out $dir " 2>/dev/null
    sleep 0.2
    [ ! -e "$dir/checkpoint-79.bin" ] # killed before the end
    check "$algo: SIGKILL of an actor interrupted the run" $?
    mpirun -np 3 --oversubscribe "$mpirl" train --quiet --resume "$dir"
    check "$algo: resume after SIGKILL exits 0" $?
    same_run "$tmp/ref-$algo" "$dir"
    check "$algo: resumed run equals the uninterrupted one" $?
done

# 6. MuJoCo: kill an actor after a checkpoint, resume, equal to the uninterrupted run
if "$mpirl" envs | grep -q '^Hopper-v4'; then
    mopts=(--env Hopper-v4 --steps 32768 --num-envs 4 --rollout 128 --seed 3
        --checkpoint-every 4 --keep 100 --norm-obs true --norm-reward true)
    run 3 "$tmp/ref-mujoco" "${mopts[@]}"
    check "uninterrupted MuJoCo run" $?
    dir="$tmp/kill-mujoco"
    run 3 "$dir" "${mopts[@]}" &
    launcher=$!
    wait_for "$dir/checkpoint-8.bin"
    kill -KILL $(rank_pid 2 "$dir") 2>/dev/null
    wait $launcher 2>/dev/null
    pkill -KILL -f "mpirl train --quiet --out $dir " 2>/dev/null
    sleep 0.2
    [ ! -e "$dir/checkpoint-32.bin" ]
    check "MuJoCo: SIGKILL of an actor interrupted the run" $?
    mpirun -np 3 --oversubscribe "$mpirl" train --quiet --resume "$dir"
    check "MuJoCo: resume after SIGKILL exits 0" $?
    same_run "$tmp/ref-mujoco" "$dir"
    check "MuJoCo: resumed run equals the uninterrupted one" $?
else
    echo "skip: MuJoCo resume (mpirl built without MuJoCo)"
fi

# 5. refusals
expect_refusal() { # expect_refusal NAME NEEDLE COMMAND...
    local name=$1 needle=$2
    shift 2
    local out
    out=$("$@" 2>&1 >/dev/null)
    local rc=$?
    [ $rc -eq 2 ] && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] &&
        printf '%s' "$out" | grep -q -- "$needle"
    check "refused: $name (exit $rc: $out)" $?
}
# (mpirun -q: without it mpirun adds its own notice of a non-zero exit)
expect_refusal "a changed learning rate" "would change the meaning" \
    mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --resume "$tmp/ref" --lr 0.1
expect_refusal "a smaller budget" "may only grow" \
    mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --resume "$tmp/ref" --steps 1000
expect_refusal "not a run directory" "cannot resume" \
    mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --resume "$tmp"
mkdir "$tmp/nockpt" && cp "$tmp/ref/config" "$tmp/nockpt/"
expect_refusal "no checkpoint" "no readable checkpoint" \
    mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --resume "$tmp/nockpt"
expect_refusal "another rank count" "resume with mpirun -np 3" \
    mpirun -q -np 2 --oversubscribe "$mpirl" train --quiet --resume "$tmp/ref"
cp -r "$tmp/ref" "$tmp/corrupt"
printf 'x' | dd of="$tmp/corrupt/checkpoint.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_refusal "a corrupt checkpoint" "checksum" \
    mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --resume "$tmp/corrupt"
cmp -s "$tmp/ref/metrics.csv" "$tmp/corrupt/metrics.csv"
check "a refused resume leaves metrics.csv as it was" $?

tap_done
