#!/usr/bin/env bash
# cli_test.sh - every bad input of the mpirl command gets one clear message (from one
# rank under mpirun), exit status 2, and leaves nothing behind (suite mpi); and that
# --clip-low and --clip-high reach the loss.
#   usage: cli_test.sh MPIRL FIXTURE_PLUGIN CKPT_CMP
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
fixture=$(realpath "$2")
ckpt_cmp=$(realpath "$3")
scratch_dir cli
cd "$tmp" || exit 1
# refused NAME NEEDLE COMMAND...: exit 2, exactly one line on stderr containing NEEDLE,
# nothing on stdout
refused() {
    local name=$1 needle=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
        grep -qF -- "$needle" "$tmp/err"
    local verdict=$?
    check "$name: exit $rc, $(head -c 300 "$tmp/err")" $verdict
}
np3=(mpirun -q -np 3 --oversubscribe "$mpirl")

for launch in single mpi; do
    if [ $launch = single ]; then run=("$mpirl"); else run=("${np3[@]}"); fi
    refused "$launch unknown env" "valid: CartPole-v1, Acrobot-v1" "${run[@]}" train --env Nope-v0
    refused "$launch unknown algo" "expected one of ppo,ppo-kl,a2c,a3c" "${run[@]}" train --algo dqn
    refused "$launch unknown flag" "unknown option '--lerning-rate' (valid: --config, --env" \
        "${run[@]}" train --lerning-rate 1
    refused "$launch malformed value" "--lr: '1e-3x' is not valid (expected (0, 1])" \
        "${run[@]}" train --lr 1e-3x
    refused "$launch out of range" "--gamma: '1.5' is not valid (expected [0, 1])" \
        "${run[@]}" train --gamma 1.5
    refused "$launch a batch beyond int (it wrapped before)" \
        "--rollout 65536 x --num-envs 65537 = 4295032832 samples per actor and iteration exceeds" \
        "${run[@]}" train --rollout 65536 --num-envs 65537
    refused "$launch a config directory" "not a regular file (a directory)" \
        "${run[@]}" train --config "$tmp"
    refused "$launch a3c with sync" "--algo a3c runs in --mode async" "${run[@]}" train --algo a3c
    refused "$launch a2c with async" "--algo a2c runs in --mode sync" \
        "${run[@]}" train --algo a2c --mode async
    for algo in trpo npg ppo-kl; do
        refused "$launch $algo with async" "--algo $algo runs in --mode sync only" \
            "${run[@]}" train --algo $algo --mode async
    done
    refused "$launch trpo value minibatches beyond the rollout" "--vf-minibatches 100000 exceeds" \
        "${run[@]}" train --algo trpo --vf-minibatches 100000
    refused "$launch trpo KL radius out of range" "--max_kl: '0' is not valid (expected (0, 10])" \
        "${run[@]}" train --algo trpo --max-kl 0
    mkdir -p "$tmp/full-$launch" && echo keep >"$tmp/full-$launch/notes"
    refused "$launch non-empty output directory" "is not empty" \
        "${run[@]}" train --out "$tmp/full-$launch"
    [ "$(cat "$tmp/full-$launch/notes")" = keep ] && [ "$(ls "$tmp/full-$launch")" = notes ]
    check "$launch non-empty output directory left untouched" $?
    refused "$launch unwritable output directory" "cannot create" \
        "${run[@]}" train --out /proc/mpirl-cannot-be-here/run
    printf 'lr = 0.001\n[train]\ngamma = 2\n' >"$tmp/bad.ini"
    refused "$launch config file error names file, line, key" "bad.ini:3: gamma: '2' is not valid" \
        "${run[@]}" train --config "$tmp/bad.ini"
    refused "$launch missing config file" "config file $tmp/none.ini: No such file" \
        "${run[@]}" train --config "$tmp/none.ini"
    refused "$launch resume without checkpoint" "cannot resume" "${run[@]}" train --resume "$tmp"
    refused "$launch eval of a missing checkpoint" "No such file" \
        "${run[@]}" eval --checkpoint "$tmp/none.bin"
    printf 'not a checkpoint at all, but long enough to be read as one........\n' >"$tmp/foreign.bin"
    refused "$launch eval of a foreign file" "not a checkpoint (it does not start with MPIRLCKP)" \
        "${run[@]}" eval --checkpoint "$tmp/foreign.bin"
    refused "$launch unknown command" "unknown command 'trian' (valid: train, eval" "${run[@]}" trian
done
[ -z "$(ls -d "$tmp"/runs 2>/dev/null)" ]
check "no run directory was created by a refused command" $?

# replay and envs run without MPI
refused "replay unknown env" "unknown environment 'Nope'" "$mpirl" replay --env Nope --state 0 \
    --actions 0
refused "replay wrong state length" "--state has 2 values, CartPole-v1 needs 4" "$mpirl" replay --env CartPole-v1 --state 0,0 \
    --actions 1
refused "envs unknown option" "unknown option" "$mpirl" envs --bogus
# the MuJoCo set (or, in a build without it, the package it needs)
if "$mpirl" envs | grep -q '^Hopper-v4'; then
    h0=0,1.25,0,0,0,0,0,0,0,0,0,0
    refused "replay MuJoCo unknown id" "unknown environment 'Hopper-v3' (valid: " "$mpirl" replay \
        --env Hopper-v3 --state "$h0" --actions "0 0 0"
    refused "replay MuJoCo wrong state length" "--state has 3 values, Hopper-v4 needs 12 (qpos, then qvel)" \
        "$mpirl" replay --env Hopper-v4 --state 0,1.25,0 --actions "0 0 0"
    refused "replay MuJoCo non-finite state" "--state value 12 is 'nan'" "$mpirl" replay \
        --env Hopper-v4 --state 0,1.25,0,0,0,0,0,0,0,0,0,nan --actions "0 0 0"
    refused "replay MuJoCo wrong action width" "has 2 components, Hopper-v4 takes 3" "$mpirl" replay \
        --env Hopper-v4 --state "$h0" --actions "0 0"
    refused "replay MuJoCo NaN action" "invalid action at step 2 for Hopper-v4" "$mpirl" replay \
        --env Hopper-v4 --state "$h0" --actions "0 0 0,0 nan 0"
    out=$("$mpirl" replay --env Hopper-v4 --state "$h0" --actions "0.5 -2 1,0 0 0")
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 3 ] &&
        printf '%s\n' "$out" | sed -n 2p | awk -F, '{ exit !(NF == 15 && $2 + 0 > 1.2) }'
    check "replay MuJoCo prints a header and one float64 row per action" $?
else
    refused "a MuJoCo id without MuJoCo" "libmujoco-dev" "$mpirl" replay --env Hopper-v4 \
        --state 0 --actions 0
fi

# a truncated checkpoint and a checkpoint of another environment
"${np3[@]}" train --quiet --steps 2048 --out "$tmp/good" >/dev/null 2>&1
check "a short run for the checkpoint cases" $?
head -c 100 "$tmp/good/checkpoint.bin" >"$tmp/trunc.bin"
refused "eval of a truncated checkpoint" "truncated" "$mpirl" eval --checkpoint "$tmp/trunc.bin"
"$mpirl" train --quiet --env Acrobot-v1 --steps 600 --out "$tmp/acro" >/dev/null 2>&1
mkdir "$tmp/mixed" && cp "$tmp/good/config" "$tmp/good/metrics.csv" "$tmp/mixed/" &&
    cp "$tmp/acro/checkpoint.bin" "$tmp/mixed/"
refused "resume with another environment's checkpoint" \
    "the checkpoint is of environment 'Acrobot-v1', this run trains 'CartPole-v1'" \
    "${np3[@]}" train --quiet --resume "$tmp/mixed"

# a non-finite reward stops training with one message per side, exit 1, checkpoint kept
MPIRL_FIXTURE_MODE=nan "$mpirl" train --quiet --env "$fixture" --steps 100000 \
    --checkpoint-every 2 --num-envs 4 --out "$tmp/nan" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "iteration 12: the loss is not finite; training stopped (the last checkpoint, of iteration 10, is intact)" "$tmp/err" &&
    "$ckpt_cmp" "$tmp/nan/checkpoint-10.bin" "$tmp/nan/checkpoint.bin" params adam.m adam.v
check "non-finite loss: exit $rc, message names iteration and quantity, checkpoint intact" $?

# --clip-low and --clip-high reach PPO's loss: equal to clip_eps they change nothing, a
# wider upper clip changes the parameters
clip_run() { # clip_run DIR ARGS...
    local dir=$1
    shift
    "$mpirl" train --quiet --steps 4096 --num-envs 4 --out "$tmp/$dir" "$@" >/dev/null 2>"$tmp/err"
}
clip_run clip0 && clip_run clip1 --clip-low 0.2 --clip-high 0.2 &&
    "$ckpt_cmp" "$tmp/clip0/checkpoint.bin" "$tmp/clip1/checkpoint.bin" params adam.m adam.v >&2
check "--clip-low 0.2 --clip-high 0.2 is the default clip_eps 0.2, bit for bit" $?
clip_run clip2 --clip-high 0.5 &&
    ! "$ckpt_cmp" "$tmp/clip0/checkpoint.bin" "$tmp/clip2/checkpoint.bin" params >/dev/null 2>&1
check "--clip-high 0.5 trains other parameters" $?

tap_done
