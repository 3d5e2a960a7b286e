#!/usr/bin/env bash
# study_test.sh - scripts/study on a tiny grid (suite slow): CartPole PPO, sync and
# async, np 2, seeds 1 and 2, 3000 steps (4 cells).
#   usage: study_test.sh STUDY MPIRL
# Checks: the report (scripts/study_report.py), study.csv and PNG plots are written; the
# summary table has one row per (env, algo, mode, variant, straggle, np) whose figures
# agree with the raw metrics.csv files (recomputed here, the 95% confidence interval of
# the steps to threshold too); the actors' shares agree with actors.csv; the variant
# axes (straggle, backup, preempt, correction, ship) expand where they apply and pass
# their flags; a second run skips every cell and reruns none; an unfinished cell
# is rerun alone; --cell, --list and --report; a failing cell is reported and the grid
# goes on (exit 1); SIGTERM leaves the running cell unfinished; changed settings on an existing study and bad specs or flags exit 2
# with a message naming the problem. Skipped when Debian's Python lacks NumPy or
# Matplotlib and cannot install them (not root).
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
study=$(realpath "$1")
mpirl=$(realpath "$2")
if ! /usr/bin/python3 -c 'import numpy, matplotlib' >/dev/null 2>&1 && [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP python3-numpy or python3-matplotlib is missing and only root can install them"
    exit 0
fi
scratch_dir study
cd "$tmp" || exit 1
study() { "$study" --mpirl "$mpirl" "$@"; }

cat >tiny.spec <<'EOF'
# a tiny study
env = CartPole-v1
algos = ppo
modes = sync, async   # two modes
ranks = 2
seeds = 1, 2
steps = 3000
threshold = 25
flags = --num-envs 4 --rollout 32
EOF
out=$tmp/out

# --- the grid ---
study --spec tiny.spec --list >list.txt
check "--list exits 0" $?
[ "$(head -1 list.txt)" = "cells 4" ] && [ "$(wc -l <list.txt)" -eq 5 ] &&
    [ "$(sed -n 2p list.txt)" = "0 CartPole-v1 ppo sync 0 2 1 - -" ] &&
    [ "$(sed -n 5p list.txt)" = "3 CartPole-v1 ppo async 0 2 2 - -" ]
check "--list: 'cells 4', then index env algo mode max_staleness np seed variant straggle in grid order" $?
study --spec tiny.spec --modes sync,async:3 --algos a2c --list >list2.txt
[ "$(sed -n 4p list2.txt)" = "2 CartPole-v1 a3c async 3 2 1 - -" ]
check "--list: a2c runs as a3c in async, async:3 is a staleness bound of 3" $?
# the variants: backup 1 needs 2 actors, preempt 2, dc a staleness bound, experience
# no correction; sync takes backup x preempt, async correction x ship
study --spec tiny.spec --seeds 1 --ranks 2,4 --modes sync,async,async:2 --backup 0,1 \
    --preempt 0,0.5 --correction none,dc:0.04 --ship gradients,experience \
    --straggle 'ranks=1:2x+lognormal:0.2' --list >list3.txt
want="cells 15
0 CartPole-v1 ppo sync 0 2 1 - ranks=1:2x+lognormal:0.2
1 CartPole-v1 ppo sync 0 4 1 - ranks=1:2x+lognormal:0.2
2 CartPole-v1 ppo sync 0 4 1 preempt=0.5 ranks=1:2x+lognormal:0.2
3 CartPole-v1 ppo sync 0 4 1 backup=1 ranks=1:2x+lognormal:0.2
4 CartPole-v1 ppo sync 0 4 1 backup=1,preempt=0.5 ranks=1:2x+lognormal:0.2
5 CartPole-v1 ppo async 0 2 1 - ranks=1:2x+lognormal:0.2
6 CartPole-v1 ppo async 0 4 1 - ranks=1:2x+lognormal:0.2
7 CartPole-v1 ppo async 0 2 1 ship=experience ranks=1:2x+lognormal:0.2
8 CartPole-v1 ppo async 0 4 1 ship=experience ranks=1:2x+lognormal:0.2
9 CartPole-v1 ppo async 2 2 1 - ranks=1:2x+lognormal:0.2
10 CartPole-v1 ppo async 2 4 1 - ranks=1:2x+lognormal:0.2
11 CartPole-v1 ppo async 2 2 1 ship=experience ranks=1:2x+lognormal:0.2
12 CartPole-v1 ppo async 2 4 1 ship=experience ranks=1:2x+lognormal:0.2
13 CartPole-v1 ppo async 2 2 1 correction=dc:0.04 ranks=1:2x+lognormal:0.2
14 CartPole-v1 ppo async 2 4 1 correction=dc:0.04 ranks=1:2x+lognormal:0.2"
[ "$(cat list3.txt)" = "$want" ] || diff <(echo "$want") list3.txt | sed 's/^/# /'
check "--list: the variant axes expand where they apply" $?

# --- a full run ---
study --spec tiny.spec --out "$out" >run1.txt 2>&1
check "first run exits 0" $?
grep -q "^4 cells: 0 finished earlier (skipped), 4 to run" run1.txt &&
    grep -q "^\[1/4\] CartPole-v1 ppo sync np2 seed 1 \.\.\. .* s, return " run1.txt &&
    grep -q "^ran 4, skipped 0, failed 0" run1.txt
check "first run: progress lines, 4 cells run" $?
[ -f "$out/report.md" ] && [ -f "$out/study.csv" ]
check "report.md and study.csv written" $?
pngs_ok=0
for p in return-steps_CartPole-v1_ppo return-wall_CartPole-v1_ppo sps_CartPole-v1 \
    staleness_CartPole-v1 comm_CartPole-v1 threshold_CartPole-v1 actors_CartPole-v1; do
    f="$out/plots/$p.png"
    if ! [ -s "$f" ] || [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
        pngs_ok=1
        echo "  not a PNG: $f"
    fi
done
check "plots are PNG files (return vs steps and vs time, SPS, staleness, comm, threshold, actors)" $pngs_ok
for p in "$out"/plots/*.png; do
    grep -qF "(plots/$(basename "$p"))" "$out/report.md" || pngs_ok=1
done
check "report.md embeds every plot" $pngs_ok
[ "$(grep -c . "$out/study.csv")" -eq 5 ]
check "study.csv: a header and one row per cell" $?

# The summary table against figures recomputed from the raw metrics (columns by name):
# final return = last return_mean, steps to threshold = first env_steps with return_mean
# >= 25, SPS = last sps, shares of comm_s and wait_s in wall_s; means over the two seeds.
rows=$(grep -c '^| CartPole-v1 |' "$out/report.md")
[ "$rows" -eq 2 ]
check "summary table: one row per (env, algo, mode, variant, straggle, np) ($rows)" $?
for mode in sync async; do
    expect=$(awk -F, 'FNR == 1 { split("", c); for (j = 1; j <= NF; j++) c[$j] = j; hit = 0; n++; next }
        { last[n] = $c["return_mean"]; sps[n] = $c["sps"]; wall[n] = $c["wall_s"]
          comm[n] += $c["comm_s"]; wait[n] += $c["wait_s"]
          if (!hit && last[n] !~ /nan/ && last[n] + 0 >= 25 && $c["env_steps"] + 0 <= 3000) {
              hit = 1; reached++; steps += $c["env_steps"] } }
        END { for (i = 1; i <= n; i++) {
                  r += last[i]; s += sps[i]; cm += 100 * comm[i] / wall[i]; wt += 100 * wait[i] / wall[i] }
              printf "%d|%d/%d|%s|%.1f|%.0f|%.0f%%|%.0f%%\n", n, reached, n,
                  (reached ? sprintf("%.0f", steps / reached) : "-"), r / n, s / n, cm / n, wt / n }' \
        "$out/raw/CartPole-v1_ppo_${mode}_np2_s1/metrics.csv" "$out/raw/CartPole-v1_ppo_${mode}_np2_s2/metrics.csv")
    row=$(grep "^| CartPole-v1 | ppo | $mode | - | - | 2 |" "$out/report.md")
    got=$(awk -F'|' '{ split($10, st, "["); split($12, f, "±"); gsub(/ /, "")
        gsub(/ /, "", st[1]); gsub(/ /, "", f[1])
        printf "%s|%s|%s|%s|%s|%s|%s\n", $8, $9, st[1], f[1], $13, $14, $15 }' <<<"$row")
    [ -n "$row" ] && [ "$got" = "$expect" ]
    check "summary row of $mode agrees with the raw CSVs (seeds|reached|steps|final return|SPS|in MPI|waiting: expected $expect, got $got)" $?
done

# The 95% confidence interval of the steps to threshold (both seeds reach 25):
# mean -+ t(0.975, 1) sd / sqrt(2), t = 12.706, the low end clipped at 0
ci_want=$(for s in 1 2; do
    awk -F, 'NR == 1 { for (j = 1; j <= NF; j++) c[$j] = j; next }
        $c["return_mean"] !~ /nan/ && $c["return_mean"] + 0 >= 25 { print $c["env_steps"]; exit }' \
        "$out/raw/CartPole-v1_ppo_sync_np2_s$s/metrics.csv"
done | awk '{ x[NR] = $1 } END { m = (x[1] + x[2]) / 2; sd = sqrt(((x[1] - m) ^ 2 + (x[2] - m) ^ 2))
    h = 12.706 * sd / sqrt(2); printf "%.0f [%.0f, %.0f]", m, (m - h < 0 ? 0 : m - h), m + h }')
ci_got=$(grep "^| CartPole-v1 | ppo | sync | - | - | 2 |" "$out/report.md" | awk -F'|' '{ gsub(/^ +| +$/, "", $10); print $10 }')
[ "$ci_got" = "$ci_want" ]
check "steps to threshold with its 95% confidence interval (expected $ci_want, got $ci_got)" $?

# The actors' shares: compute, delay and wait of actors.csv over their sum, mean over seeds
a_want=$(for s in 1 2; do
    awk -F, 'NR > 1 { c += $3; d += $4; w += $5 } END { t = c + d + w; print 100 * c / t, 100 * w / t }' \
        "$out/raw/CartPole-v1_ppo_async_np2_s$s/actors.csv"
done | awk '{ c += $1; w += $2 } END { printf "%.3f %.3f", c / NR, w / NR }')
a_got=$(grep '^"*ppo async np2' "$out/data/actors_CartPole-v1.csv" | awk -F, '{ printf "%.3f %.3f", $2, $4 }')
[ -n "$a_got" ] && awk -v a="$a_want" -v b="$a_got" 'BEGIN { split(a, x, " "); split(b, y, " ")
    exit !((x[1] - y[1]) ^ 2 < 1e-4 && (x[2] - y[2]) ^ 2 < 1e-4) }' # the CSV's 4 digits
check "the actors' compute and waiting shares agree with actors.csv (expected $a_want, got $a_got)" $?

# The staleness histogram of an async group: shares of the counts in the seeds'
# staleness.csv files
want=$(cat "$out"/raw/CartPole-v1_ppo_async_np2_s[12]/staleness.csv | awk -F, '$1 != "iteration" {
        c[$2] += $3; t += $3 } END { for (k in c) printf "%d,%.4g\n", k, 100 * c[k] / t }' | sort)
got=$(tail -n +2 "$out/data/staleness_CartPole-v1_ppo_async_np2.csv" | sort)
[ -n "$want" ] && [ "$got" = "$want" ]
check "staleness histogram agrees with staleness.csv (expected ${want//$'\n'/ }, got ${got//$'\n'/ })" $?

# --- a second run skips everything ---
sum_before=$(cat "$out"/raw/*/metrics.csv | cksum)
study --spec tiny.spec --out "$out" >run2.txt 2>&1
check "second run exits 0" $?
grep -q "^4 cells: 4 finished earlier (skipped), 0 to run" run2.txt &&
    grep -q "^ran 0, skipped 4, failed 0" run2.txt && ! grep -q '^\[' run2.txt &&
    [ "$(cat "$out"/raw/*/metrics.csv | cksum)" = "$sum_before" ]
check "second run: every cell skipped, none rerun, raw CSVs untouched" $?

# --- an unfinished cell (killed: no done marker, a partial directory) ---
cell2=$out/raw/CartPole-v1_ppo_async_np2_s1
rm "$cell2/done"
touch "$cell2/partial-leftover"
study --out "$out" >run3.txt 2>&1 # the grid of an existing study comes from study.spec
check "run after an interrupted cell exits 0" $?
grep -q "^4 cells: 3 finished earlier (skipped), 1 to run" run3.txt &&
    grep -q "^\[3/4\] CartPole-v1 ppo async np2 seed 1 \.\.\." run3.txt &&
    [ -f "$cell2/done" ] && [ ! -e "$cell2/partial-leftover" ]
check "the unfinished cell alone is rerun from a clean directory" $?

# --- --cell ---
study --spec tiny.spec --out "$out" --cell 0 >cell0.txt 2>&1
check "--cell 0 on a finished cell exits 0" $?
grep -q "finished earlier: skipped" cell0.txt
check "--cell 0 is skipped" $?
rm "$out/raw/CartPole-v1_ppo_async_np2_s2/done" "$out/report.md"
study --spec tiny.spec --out "$out" --cell 3 >cell3.txt 2>&1
check "--cell 3 exits 0" $?
grep -q "^\[4/4\] CartPole-v1 ppo async np2 seed 2 \.\.\. .* s, return" cell3.txt &&
    [ -f "$out/raw/CartPole-v1_ppo_async_np2_s2/done" ] && [ ! -e "$out/report.md" ]
check "--cell 3 runs cell 3 only and writes no report" $?

# --- --report from the finished cells only ---
rm -r "$out/plots" "$out/study.csv"
rm "$out/raw/CartPole-v1_ppo_sync_np2_s2/done"
study --spec tiny.spec --out "$out" --report >report.txt 2>&1
check "--report exits 0" $?
grep -q "^3 of 4 cells finished; their runs took .* min in all" "$out/report.md" &&
    grep -q "^- CartPole-v1_ppo_sync_np2_s2" "$out/report.md" &&
    grep -q "^| CartPole-v1 | ppo | sync | - | - | 2 | 1 |" "$out/report.md" &&
    [ "$(grep -c . "$out/study.csv")" -eq 4 ] && [ -s "$out/plots/sps_CartPole-v1.png" ]
check "--report: 3 of 4 cells, the unfinished one listed, plots redrawn" $?

# --- a study run with other settings is refused ---
study --spec tiny.spec --out "$out" --steps 4000 >changed.txt 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "was run with other settings" changed.txt
check "changed settings on an existing study: exit 2 with a message (exit $rc)" $?
study --spec tiny.spec --out "$out" --seeds 1 --steps 4000 --report >changed.txt 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "was run with other settings" changed.txt
check "--report with other settings than the runs had: exit 2 with a message (exit $rc)" $?

# --- SIGTERM while a cell runs (what Slurm sends at its time limit): mpirl stops early
# and exits 0, but the cell is left unfinished, and the study stops ---
"$study" --mpirl "$mpirl" --out "$tmp/term" --algos ppo --modes sync --ranks 2 --seeds 1 --steps 5000000 >term.txt 2>&1 &
pid=$!
for _ in $(seq 300); do
    [ -s "$tmp/term/raw/CartPole-v1_ppo_sync_np2_s1/metrics.csv" ] && break
    sleep 0.1
done
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 130 ] && grep -q "stopped (SIGTERM); the cell reruns next time" term.txt &&
    [ ! -e "$tmp/term/raw/CartPole-v1_ppo_sync_np2_s1/done" ] && [ ! -e "$tmp/term/report.md" ]
check "SIGTERM: the running cell is stopped and left unfinished (exit $rc)" $?

# --- a failing cell: reported, the grid goes on, exit 1 ---
cat >fail.spec <<'EOF'
algos = reinforce
modes = async, sync
ranks = 2
seeds = 1
steps = 2000
EOF
study --spec fail.spec --out "$tmp/fail" >fail.txt 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "^\[1/2\] .* FAILED (exit 2): mpirl train: --algo reinforce runs in --mode sync" fail.txt &&
    grep -q "^\[2/2\] .* s, return" fail.txt && grep -q "^ran 1, skipped 0, failed 1" fail.txt &&
    grep -q "1 cell(s) failed" fail.txt && grep -q "^1 of 2 cells finished;" "$tmp/fail/report.md"
check "a failing cell is reported, the next one runs, the report is written, exit 1 (exit $rc)" $?

# --- bad specs and flags: exit 2, a message naming the problem ---
refused() { # refused NAME NEEDLE ARGS...
    local name=$1 needle=$2
    shift 2
    study "$@" >bad.out 2>bad.err
    local rc=$?
    [ $rc -eq 2 ] && [ ! -s bad.out ] && grep -qF -- "$needle" bad.err
    local ok=$? message
    message=$(head -1 bad.err)
    check "refused: $name (exit $rc: $message)" $ok
}
printf 'env = CartPole-v1\nspeed = 3\n' >bad1.spec
refused "an unknown key" "bad1.spec:2: unknown key 'speed' (valid: env algos" --spec bad1.spec --list
printf 'algos ppo\n' >bad2.spec
refused "a line without '='" "bad2.spec:1: expected 'key = value'" --spec bad2.spec --list
printf 'modes = sync, asynch\n' >bad3.spec
refused "an unknown mode" "unknown mode 'asynch' (valid: sync, async, async:K" --spec bad3.spec --list
refused "an unknown correction" "unknown correction 'dcasgd' (valid: none, staleness-lr, dc:LAMBDA, softsync:K)" --correction dcasgd --list
refused "a preempt fraction above 1" "preempt: '1.5' is not a fraction in [0, 1]" --preempt 1.5 --list
refused "an unknown ship value" "ship: unknown value 'rollouts' (valid: gradients, experience)" --ship rollouts --list
refused "a flag an axis sets" "'--backup' is set by the study itself" --flags "--backup 1" --list
refused "a staleness bound of 0" "the staleness bound must be a positive integer" --modes async:0 --list
refused "an unknown algorithm" "unknown algorithm 'dqn' (valid: ppo," --algos ppo,dqn --list
refused "zero ranks" "ranks: '0' is not a positive integer" --ranks 2,0 --list
refused "a fractional step count" "steps: '2.5e3x'" --steps 2.5e3x --list
refused "a flag the study sets" "'--seed' is set by the study itself" --flags "--lr 1e-3 --seed 4" --list
refused "a missing spec file" "cannot read spec file 'nope.spec'" --spec nope.spec --list
refused "an unknown option" "unknown option '--np'" --np 3 --list
refused "a cell out of range" "--cell 4 is out of range: the grid has 4 cells" --spec tiny.spec --out "$out" --cell 4
refused "run without --out" "--out DIR is required" --spec tiny.spec

tap_done
