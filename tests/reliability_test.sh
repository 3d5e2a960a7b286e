#!/usr/bin/env bash
# reliability_test.sh - real failures end every rank in bounded time with one message
# (suite mpi; the deterministic versions are fault_test.sh's).
#   usage: reliability_test.sh MPIRL CKPT_EDIT
# Each case runs under `timeout`: exit 124 means some rank was left waiting.
# 1. a configuration file present for rank 0 but missing for the actors (as when it
#    sits on rank 0's node only): exit 2, one message from the first failing rank, no
#    run directory. Before the fix rank 0 trained on and waited for ever.
#    The same for eval with the checkpoint missing on the actors' nodes: before, exit
#    2 with no message.
#    A run that would need more memory than its node has is refused at set-up.
# 2. the run directory on a full file system (a 200 KiB tmpfs; root only, skipped
#    otherwise): the learner's checkpoint write fails at iteration 100 in sync mode;
#    every rank exits 1 with one message and the checkpoint of iteration 50 intact.
#    Before the fix the actors waited in the next reduction for ever.
# 3. checkpoints edited by hand with a valid checksum (ckpt_edit): an episode window
#    position far out (before: SIGSEGV) or negative (before: a silently corrupted
#    stack), negative counters, non-finite parameters, a negative Adam second moment,
#    negative normaliser counts, a zero KL coefficient, an unknown form, an actor count
#    of 2^63 - 1 (before: a signed overflow, found by fuzz_ckpt_values): every resume is refused with
#    exit 2 and one message naming the field, and the file is left as it was.
# 4. run directory ownership: a --resume of a live run (stopped with SIGSTOP, so that it
#    stays alive) is refused naming the holder's pid and host, and the live run's files
#    are untouched (before: accepted, and the live metrics.csv became a deleted file);
#    once that run is dead (SIGKILL) its lock is stale and the resume proceeds; two runs
#    started together on one new --out: exactly one runs; two runs started in the same
#    second with the default --out get two directories.
# 5. a frozen actor (SIGSTOP of rank 2, --actor-timeout 3): sync stops within seconds
#    with a message naming the rank, after writing the learner's own state as the
#    checkpoint, every rank gone; a resume of that checkpoint says the environments
#    start afresh and trains on. SIGTERM to every rank with rank 2 frozen (Slurm at the
#    time limit): a checkpoint within seconds, every rank gone. Async: the run goes on
#    without the frozen actor, reaches its budget and ends without waiting for it; with
#    SIGTERM as well, it stops within seconds. Before: every case waited for ever.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mpirl=$(realpath "$1")
edit=$(realpath "$2")
scratch_dir reliability
TAP_DIAG=$tmp/err
cd "$tmp" || exit 1

printf '[train]\nsteps = 4096\n' >ok.ini
"$mpirl" train --quiet --steps 2048 --out first >/dev/null 2>&1 && cp first/checkpoint.bin good.bin
timeout -k 5 60 mpirun -q -np 1 "$mpirl" train --quiet --config ok.ini --out D : \
    -np 2 --oversubscribe "$mpirl" train --quiet --config missing.ini --out D \
    >out 2>err
rc=$?
check "a config file missing on the actors: every rank stops (exit $rc)" $(ok [ $rc -eq 2 ])
check "... one message, from rank 1, naming the file" \
    $(ok [ "$(grep -c . err)" -eq 1 ] && grep -q "^mpirl train: rank 1: config file missing.ini" err)
check "... no run directory" $(ok [ ! -e D ])

timeout -k 5 60 mpirun -q -np 1 "$mpirl" eval --checkpoint good.bin : \
    -np 2 --oversubscribe "$mpirl" eval --checkpoint missing.bin </dev/null >out 2>err
rc=$?
check "eval, the checkpoint missing on the other ranks: exit $rc, one message from rank 1" \
    $(ok [ $rc -eq 2 ] && [ "$(grep -c . err)" -eq 1 ] &&
        grep -q "^mpirl eval: rank 1: missing.bin: No such file or directory" err)

# 1b. a run that cannot fit the node's memory: two actors whose buffers (about 72 KiB
# per CartPole environment at the default rollout) would take 3 times MemAvailable (as
# it is when the test starts: what other programs free meanwhile cannot make it fit).
# Refused at set-up, before the buffers are filled, with exit 2 and one message that
# says how much (before: the OOM killer, or swap, once the rollouts began).
avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
envs=$(((avail * 3) / (2 * 72)))
if [ "$(cat /proc/sys/vm/overcommit_memory)" != 2 ] && [ "$envs" -le 1048576 ]; then
    # without meson's MALLOC_PERTURB_, which writes every allocation at once and so
    # would fill the node before any check could run
    env -u MALLOC_PERTURB_ timeout -k 5 60 mpirun -q -np 3 --oversubscribe "$mpirl" train \
        --quiet --num-envs "$envs" --steps 1 --out mem </dev/null >out 2>err
    rc=$?
    check "$envs environments per actor, more than the node has: refused (exit $rc)" $(ok [ $rc -eq 2 ])
    check "... one message, saying how much is needed and how much there is" \
        $(ok [ "$(grep -c . err)" -eq 1 ] &&
            grep -q "^mpirl: rank 0: not enough memory on node .*: its 3 ranks would take another [0-9.]* GiB .* and it has [0-9.]* GiB (" err)
else
    echo "ok $((tap_n + 1)) - memory refusal # SKIP strict overcommit, or more memory than 1M environments can ask for"
    tap_n=$((tap_n + 1))
fi

mkdir full
if mount -t tmpfs -o size=200k tmpfs full 2>/dev/null; then
    timeout -k 5 60 mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --steps 2e5 \
        --out full/run >out 2>err
    rc=$?
    check "full file system, sync np 3: every rank stops (exit $rc)" $(ok [ $rc -eq 1 ])
    check "... one message: not written, no space, the last good checkpoint" \
        $(ok [ "$(grep -c . err)" -eq 1 ] && grep -q "checkpoint at iteration 100 not written: .*No space left on device; training stopped (the last checkpoint, of iteration 50, is intact)" err)
    check "... that checkpoint intact" $(ok cmp -s full/run/checkpoint.bin full/run/checkpoint-50.bin)
    umount full
else
    echo "ok $((tap_n + 1)) - full file system # SKIP cannot mount a tmpfs (not root)"
    tap_n=$((tap_n + 1))
fi
mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --steps 4096 --out good >/dev/null 2>&1
check "a run to edit" $(ok [ -f good/checkpoint.bin ])
while read -r tag index type value field; do
    rm -rf bad && cp -r good bad
    "$edit" good/checkpoint.bin bad/checkpoint.bin "$tag" "$index" "$type" "$value"
    cp bad/checkpoint.bin edited.bin
    timeout -k 5 60 mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --resume bad \
        --steps 8192 </dev/null >out 2>err
    rc=$?
    check "edited $tag[$index] = $value: refused (exit $rc)" $(ok [ $rc -eq 2 ])
    check "... one message: its $field" \
        $(ok [ "$(grep -c . err)" -eq 1 ] && grep -q "cannot resume from .*: its $field" err)
    check "... the file left as it was" $(ok cmp -s bad/checkpoint.bin edited.bin)
done <<'EDITS'
window 1 f64 1e6 episode window is out of range
window 1 f64 -5 episode window is out of range
window 0 f64 101 episode window is out of range
window 0 f64 2.5 episode window is out of range
meta 1 i64 -1 iteration is negative
meta 2 i64 -7 environment step count is negative
meta 4 i64 -1 episode count is negative
meta 0 i64 7 form 7 is none of
meta 5 i64 9223372036854775807 layout of 9223372036854775807 actor(s)
params 3 f32 nan parameters or Adam moments are not finite
adam.v 0 f32 -1 parameters or Adam moments are not finite
obs.stats 0 f64 -2 normaliser statistics are not finite
kl_beta 0 f64 0 KL coefficient is not a positive number
EDITS
"$mpirl" train --quiet --steps 1e8 --checkpoint-every 2 --out live >/dev/null 2>&1 &
live=$!
for _ in $(seq 300); do [ -f live/checkpoint.bin ] && break; sleep 0.1; done
kill -STOP $live
inode=$(stat -c %i live/metrics.csv)
cp live/checkpoint.bin live.bin
timeout -k 5 60 mpirun -q -np 1 "$mpirl" train --quiet --resume live </dev/null >out 2>err
rc=$?
check "--resume of a live run: refused (exit $rc)" $(ok [ $rc -eq 2 ])
check "... naming the holder" \
    $(ok grep -q "live is in use by another run (pid $live on host $(hostname))" err)
check "... its files untouched" \
    $(ok [ "$(stat -c %i live/metrics.csv)" = "$inode" ] && cmp -s live/checkpoint.bin live.bin)
timeout 60 "$mpirl" train --quiet --steps 4096 --out live </dev/null >out 2>err
check "a new run on a live run's directory: refused" $(ok [ $? -eq 2 ] && grep -q "not empty" err)
kill -KILL $live
wait $live 2>/dev/null
timeout 60 "$mpirl" train --quiet --resume live --steps 1e8 --checkpoint-every 1000000 \
    </dev/null >out 2>err &
resumed=$!
for _ in $(seq 100); do [ "$(stat -c %i live/metrics.csv)" != "$inode" ] && break; sleep 0.1; done
kill -TERM $resumed
wait $resumed
rc=$?
check "the dead run's lock is stale: the resume runs and stops on SIGTERM (exit $rc)" \
    $(ok [ $rc -eq 0 ])
winners=0
for k in 1 2 3 4 5; do
    "$mpirl" train --quiet --steps 2048 --out "race$k" </dev/null >/dev/null 2>"race$k-a.err" &
    a=$!
    "$mpirl" train --quiet --steps 2048 --out "race$k" </dev/null >/dev/null 2>"race$k-b.err" &
    b=$!
    wait $a
    ra=$?
    wait $b
    rb=$?
    [ $((ra + rb)) -eq 2 ] && [ $((ra * rb)) -eq 0 ] && winners=$((winners + 1))
done
check "two runs started together on one --out: one runs, one is refused ($winners of 5)" \
    $(ok [ $winners -eq 5 ])
mkdir same && cd same || exit 1
"$mpirl" train --quiet --steps 1024 </dev/null >/dev/null 2>&1 &
a=$!
"$mpirl" train --quiet --steps 1024 </dev/null >/dev/null 2>&1
rb=$?
wait $a
ra=$?
check "two runs with the default --out: both run, in two directories" \
    $(ok [ $ra -eq 0 ] && [ $rb -eq 0 ] && [ "$(ls runs | wc -l)" -eq 2 ])
cd ..
frozen 3 frozen-sync 0 --steps 1e8 --checkpoint-every 5 --actor-timeout 3
check "sync, rank 2 frozen: the run ends (exit $rc, ${took} s after the stop)" \
    $(ok [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $took -le 20 ])
check "... every rank gone" $(ok [ "$alive" -eq 0 ])
check "... the message names the rank and the timeout" \
    $(ok grep -q "^mpirl: rank 2 has not answered for 3 s (stopped, or slower than --actor-timeout 3 s)" err)
check "... the learner's state is saved" $(ok grep -q "learner's state after iteration" err)
timeout -k 5 60 mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --resume frozen-sync \
    </dev/null >out 2>err &
job=$!
sleep 3
for r in 0 1 2; do kill -TERM "$(rank_pid $r "mpirl train --quiet --resume frozen-sync")"; done
wait $job
rc=$?
check "... and resumes, its environments afresh, until SIGTERM (exit $rc)" \
    $(ok [ $rc -eq 0 ] && grep -q "holds the learner's state alone" err)
frozen 3 frozen-term 1 --steps 1e8 --checkpoint-every 1000000
check "sync, rank 2 frozen, then SIGTERM to all: the run ends (exit $rc, ${took} s)" \
    $(ok [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $took -le 20 ])
check "... every rank gone, a checkpoint of the learner's state written" \
    $(ok [ "$alive" -eq 0 ] && grep -q "stopping on a signal, but rank 2 has not answered" err &&
        grep -q "learner's state after iteration" err)
frozen 3 frozen-async 0 --mode async --steps 3e5 --checkpoint-every 5 --actor-timeout 3
check "async, rank 2 frozen: the budget is reached without it (exit $rc, ${took} s)" \
    $(ok [ $rc -ne 124 ] && [ $took -le 60 ] &&
        [ "$(tail -1 frozen-async/metrics.csv | cut -d, -f2)" -ge 300000 ])
check "... every rank gone, the rank named" \
    $(ok [ "$alive" -eq 0 ] && grep -q "^mpirl: rank 2 has sent nothing for .* training goes on without it" err)
frozen 3 frozen-async-term 1 --mode async --steps 1e8 --checkpoint-every 1000000
check "async, rank 2 frozen, then SIGTERM: the run ends (exit $rc, ${took} s)" \
    $(ok [ $rc -ne 124 ] && [ $took -le 20 ] && [ "$alive" -eq 0 ])
tap_done
