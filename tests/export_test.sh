#!/usr/bin/env bash
# export_test.sh - `mpirl export` end to end (suite mpi).
#   usage: export_test.sh MPIRL DRIVER_C EXAMPLE_C
# 1. Round trip for every algorithm (the critic-free grpo and rloo on one environment
#    each), on a discrete (CartPole-v1) and a continuous (Pendulum-v1) environment: a short run's checkpoint exported to C, compiled
#    standalone with `cc -std=c99 -Wall -Wextra -Werror -pedantic` beside DRIVER_C
#    (tests/export_driver.c), gives bit for bit the outputs and actions that
#    `mpirl eval --deterministic --trace` recorded on one environment; the safetensors
#    export of the same checkpoint is a well-formed file. The runs vary the network
#    (relu, one and three hidden layers) and the normaliser (on and off).
# 2. Bounds: a Pendulum policy whose means leave [-2, 2] is clipped as the environment
#    clips.
# 3. A batched eval (4 environments: OpenBLAS's sgemm, another order of the sums) within
#    1e-5 (1 + |y|) of the export; the Hopper-v4 export (float64 observations, when
#    mpirl has MuJoCo) bit for bit through its _f64 functions.
# 4. EXAMPLE_C (docs/export-example.c, the README's example) builds and runs.
# 5. Refusals, exit 2 with one message and nothing written or replaced: a missing or
#    foreign checkpoint, a bad format or name, a missing directory, a directory as
#    --out, a read-only file system (root only); a full file system (root only) fails
#    with exit 1 and leaves the file that was there; --trace under mpirun.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
driver=$(realpath "$2")
example=$(realpath "$3")
cc=${CC:-cc}
scratch_dir export
TAP_DIAG=$tmp/err
cd "$tmp" || exit 1
cflags=(-std=c99 -O2 -Wall -Wextra -Werror -pedantic)

# build NAME EXPORT [-DF64]: the driver linked with EXPORT.c into ./NAME.drv
build() {
    local name=$1 base=$2
    shift 2
    "$cc" "${cflags[@]}" "$@" -DPOLICY="$name" -DPOLICY_UP="${name^^}" \
        -DPOLICY_H="\"$base.h\"" -I. "$driver" "$base.c" -lm -o "$name.drv" 2>err
}
# well_formed FILE: a safetensors file whose header's length fits, starting with '{'
well_formed() {
    local n size
    n=$(od -An -t u8 -N 8 "$1" | tr -d ' ') || return 1
    size=$(stat -c %s "$1")
    [ "$n" -gt 0 ] && [ $((8 + n)) -le "$size" ] && [ $(((8 + n) % 8)) -eq 0 ] &&
        [ "$(dd if="$1" bs=1 skip=8 count=16 2>/dev/null)" = '{"__metadata__":' ]
}
# roundtrip LABEL ENV BOUNDS TRAIN_ARGS...: train ($steps steps, default 4096), export
# both ways, compare (through the _f64 forms when $f64 is set)
roundtrip() {
    local label=$1 env=$2 bounds=$3
    shift 3
    local dir=rt-$label shape=(--num_envs 4 --rollout 64)
    [[ " $* " == *" --algo grpo "* || " $* " == *" --algo rloo "* ]] && shape=() # whole episodes
    rm -rf "$dir"
    if [[ " $* " == *" async "* ]]; then
        train3 --env "$env" --steps "${steps:-4096}" "${shape[@]}" --out "$dir" "$@"
    else
        timeout -k 5 120 "$mpirl" train --quiet --env "$env" --steps "${steps:-4096}" \
            "${shape[@]}" --out "$dir" "$@" </dev/null >out 2>err
    fi
    local rc=$?
    local ck=$dir/checkpoint.bin name=p_${label//-/_}
    "$mpirl" export --checkpoint "$ck" --format c --out "$dir/$name" --name "$name" >out 2>>err &&
        "$mpirl" export --checkpoint "$ck" --format safetensors --out "$dir/policy.safetensors" \
            >out 2>>err
    local rc2=$?
    "$mpirl" eval --checkpoint "$ck" --episodes 1 --deterministic --trace "$dir/trace.csv" \
        >out 2>>err
    local rc3=$?
    (cd "$dir" && build "$name" "$name" ${f64:+-DF64}) &&
        "$dir/$name.drv" "$dir/trace.csv" 0 $bounds >res 2>>err
    local rc4=$?
    check "$label: train (exit $rc), export (exit $rc2), eval --trace (exit $rc3), the C policy: $(cat res)" \
        $(ok [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ $rc3 -eq 0 ] && [ $rc4 -eq 0 ] &&
            well_formed "$dir/policy.safetensors")
}

for algo in ppo ppo-kl a2c reinforce trpo npg; do
    roundtrip "$algo-cartpole" CartPole-v1 "" --algo "$algo" --norm_obs true
    roundtrip "$algo-pendulum" Pendulum-v1 "-2 2" --algo "$algo"
done
roundtrip ppo-async-cartpole CartPole-v1 "" --mode async --algo ppo --activation relu --hidden 32
roundtrip a3c-async-pendulum Pendulum-v1 "-2 2" --mode async --algo a3c --hidden 16,16,16 \
    --norm_obs true
roundtrip a3c-ship-cartpole CartPole-v1 "" --mode async --algo a3c --ship experience
roundtrip grpo-cartpole CartPole-v1 "" --algo grpo --norm_obs true --num-envs 8 --minibatches 4
roundtrip rloo-pendulum Pendulum-v1 "-2 2" --algo rloo --num-envs 8

# 2. means outside the bounds (a large learning rate drives them there)
steps=16384 roundtrip clip-pendulum Pendulum-v1 "-2 2" --algo ppo --lr 0.03
out_of=$(awk -F, 'NR > 1 && ($NF > 2 || $NF < -2)' rt-clip-pendulum/trace.csv | wc -l)
check "... $out_of of 200 means outside [-2, 2], clipped as the environment clips them" \
    $(ok [ "$out_of" -gt 0 ])

# 3. a batched eval: OpenBLAS's order of the sums
"$mpirl" eval --checkpoint rt-ppo-cartpole/checkpoint.bin --episodes 4 --deterministic \
    --trace batch.csv >out 2>err &&
    rt-ppo-cartpole/p_ppo_cartpole.drv batch.csv 1e-5 >res 2>>err
check "4 environments at once (sgemm): within 1e-5 (1 + |y|): $(cat res)" $?
if "$mpirl" envs | grep -q '^Hopper-v4 '; then
    f64=1 roundtrip hopper-f64 Hopper-v4 "-1 1" --algo ppo --norm_obs true
    (cd rt-hopper-f64 && build p_hopper_f64 p_hopper_f64) &&
        rt-hopper-f64/p_hopper_f64.drv rt-hopper-f64/trace.csv 1e-5 -1 1 >res 2>>err
    check "... the float forms (observations rounded to float) within 1e-5: $(cat res)" $?
else
    echo "# Hopper-v4 not built (no MuJoCo): its float64 export is not tested"
fi

# 4. the README's example
"$mpirl" export --checkpoint rt-ppo-cartpole/checkpoint.bin --format c --out cartpole \
    --name cartpole >out 2>err &&
    "$cc" "${cflags[@]}" -I. "$example" cartpole.c -lm -o example 2>>err && ./example >res 2>>err
check "the README's example program builds and runs: $(cat res)" \
    $(ok grep -q '^logits .*: push the cart to the \(left\|right\)$' res)

# 5. refusals: exit 2, one line, nothing written, what was there kept
ck=rt-ppo-cartpole/checkpoint.bin
echo kept >old.safetensors
refused() { # refused NAME PATTERN EXPORT_ARGS...
    local name=$1 pattern=$2
    shift 2
    "$mpirl" export "$@" >out 2>err
    local rc=$?
    check "$name: refused (exit $rc): $(head -c 160 err)" \
        $(ok [ $rc -eq 2 ] && [ "$(grep -c . err)" -eq 1 ] && grep -q -- "$pattern" err &&
            [ "$(cat old.safetensors)" = kept ] && [ -z "$(ls | grep -E '\.tmp-|^new')" ])
}
refused "a missing checkpoint" "no-such.bin" --checkpoint no-such.bin --format safetensors \
    --out new.st
refused "a foreign file" "not an mpirl checkpoint\|not a checkpoint" \
    --checkpoint rt-ppo-cartpole/config --format safetensors --out old.safetensors
refused "an unknown format" "valid: c, safetensors" --checkpoint "$ck" --format onnx --out new
refused "a name with a dash" "not a C identifier" --checkpoint "$ck" --format c --out new \
    --name my-policy
refused "a name starting with a digit" "not a C identifier" --checkpoint "$ck" --format c \
    --out new --name 9lives
refused "an empty name" "not a C identifier" --checkpoint "$ck" --format c --out new --name ""
refused "--name for safetensors" "safetensors has none" --checkpoint "$ck" \
    --format safetensors --out new --name x
refused "no --out" "--out PATH is required" --checkpoint "$ck" --format c
refused "a missing directory" "does not exist" --checkpoint "$ck" --format c --out nodir/new
refused "a directory as --out" "is a directory" --checkpoint "$ck" --format safetensors \
    --out rt-ppo-cartpole
refused "an unknown option" "unknown option" --checkpoint "$ck" --format c --out new --bogus 1
if [ "$(id -u)" -eq 0 ] && mkdir ro full && mount -t tmpfs -o ro,size=1m tmpfs ro 2>/dev/null; then
    refused "a read-only file system" "not writable" --checkpoint "$ck" --format c --out ro/new
    umount ro
    # a full one: the export does not fit, the file there stays whole
    mount -t tmpfs -o size=16k tmpfs full
    echo kept >full/p.safetensors
    "$mpirl" export --checkpoint "$ck" --format safetensors --out full/p.safetensors >out 2>err
    rc=$?
    check "a full file system: exit $rc, one message, the old file kept: $(head -c 160 err)" \
        $(ok [ $rc -eq 1 ] && [ "$(grep -c . err)" -eq 1 ] && grep -q "No space left" err &&
            [ "$(cat full/p.safetensors)" = kept ] && [ "$(ls full)" = p.safetensors ])
    umount full
else
    echo "# not root or no tmpfs: the read-only and full file systems are not tested"
fi
timeout -k 5 60 mpirun -q -np 2 --oversubscribe "$mpirl" eval --checkpoint "$ck" --trace bad \
    </dev/null >out 2>err
refused_run $? "eval --trace under mpirun" "one process"

tap_done
