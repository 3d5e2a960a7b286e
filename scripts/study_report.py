#!/usr/bin/python3
"""study_report.py - the report of a study run by scripts/study: statistics and plots.

Reads DIR/cells.csv (written by scripts/study: every cell of the grid and whether it
finished) and each finished cell's raw/<cell>/metrics.csv, staleness.csv (async) and
actors.csv, and writes

  study.csv        one row per finished cell: its figures (defined in report.md)
  report.md        the summary table per group (env, algo, mode, variant, straggle, np:
                   the cells that differ only in the seed) and the plots
  plots/*.png      return against environment steps and against wall-clock time (mean
                   over seeds with a band of one standard deviation), seconds to the
                   threshold with 95% confidence intervals across seeds, the
                   distribution of staleness, the actors' time split into compute,
                   straggle delay and waiting, steps per second against ranks, the
                   learner's time in communication
  data/*.csv       the plotted series

Columns are read by name, so the report works on the runs of any mpirl version that
writes them. Written to be read and extended: each figure is one function.

usage: /usr/bin/python3 scripts/study_report.py --out DIR [--command TEXT] [--version TEXT]
Needs NumPy and Matplotlib (Debian: python3-numpy, python3-matplotlib).
"""

import argparse
import csv
import datetime
import math
import os
import sys

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend is chosen first)
import matplotlib.ticker  # noqa: E402

# Okabe-Ito colours, distinguishable with colour-blindness
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442"]
STYLES = ["-", "--", "-.", ":"]

# two-sided 95% quantiles of Student's t for 1..30 degrees of freedom (published
# tables); 1.96 beyond
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
        2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
        2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


# the straggle specification every cell shares, if one does: then the labels leave it
# out and the titles say it once (set by write_report)
COMMON_STRAGGLE = None


def t975(df):
    return T975[df - 1] if 1 <= df <= len(T975) else 1.96


def read_csv(path):
    """Rows of a CSV file as dicts (columns by name); [] if the file is missing."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(text):
    """A float from a CSV field; NaN for '', 'nan' and the like."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def mean_sd(values):
    """(mean, sample standard deviation) of the values; sd 0 for one, (nan, nan) for none."""
    v = np.asarray([x for x in values if not math.isnan(x)], dtype=float)
    if v.size == 0:
        return math.nan, math.nan
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else 0.0


def ci95(values, floor=None):
    """(mean, low, high) of a t-based 95% confidence interval; low = high = mean for one;
    low no lower than floor if given (a quantity that cannot be negative)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return math.nan, math.nan, math.nan
    m = float(v.mean())
    if v.size == 1:
        return m, m, m
    h = t975(v.size - 1) * float(v.std(ddof=1)) / math.sqrt(v.size)
    return m, (m - h if floor is None else max(floor, m - h)), m + h


# ---------------------------------------------------------------------------
# Per cell
# ---------------------------------------------------------------------------
class Cell:
    def __init__(self, row, out):
        self.name = row["cell"]
        self.env = row["env"]
        self.algo = row["algo"]
        self.family = row["family"]
        self.mode = row["mode"]
        self.max_staleness = int(row["max_staleness"])
        self.variant = row["variant"]
        self.straggle = row["straggle"]
        self.np = int(row["np"])
        self.seed = int(row["seed"])
        self.steps = int(row["steps"])
        self.threshold = num(row["threshold"]) if row["threshold"] else None
        self.finished = row["finished"] == "1"
        self.dir = os.path.join(out, "raw", self.name)
        if self.finished:
            self.load()

    def group(self):
        return (self.env, self.algo, self.mode, self.variant, self.straggle, self.np)

    def label(self):
        """How the plots name the cell's group within a panel of one np."""
        words = [self.mode]
        if self.variant != "-":
            words.append(self.variant.replace(",", ", "))
        if self.straggle != "none" and self.straggle != COMMON_STRAGGLE:
            words.append("straggle " + self.straggle)
        return " ".join(words)

    def load(self):
        rows = read_csv(os.path.join(self.dir, "metrics.csv"))
        self.rows = rows
        last = rows[-1] if rows else {}
        self.env_steps = num(last.get("env_steps"))
        self.wall_s = num(last.get("wall_s"))
        self.sps = num(last.get("sps"))
        self.comm_s = sum(num(r.get("comm_s")) for r in rows)
        self.wait_s = sum(num(r.get("wait_s")) for r in rows) if rows and "wait_s" in rows[0] \
            else math.nan
        self.dropped = sum(num(r.get("dropped", 0)) for r in rows)
        # the return curve: rows with a finite return_mean
        self.curve = [(num(r["env_steps"]), num(r["wall_s"]), num(r["return_mean"]))
                      for r in rows if not math.isnan(num(r.get("return_mean")))]
        self.final_return = self.curve[-1][2] if self.curve else math.nan
        self.reached = None
        self.steps_to = self.wall_to = math.nan
        if self.threshold is not None:
            self.reached = 0
            for st, w, ret in self.curve:
                if st <= self.steps and ret >= self.threshold:
                    self.reached, self.steps_to, self.wall_to = 1, st, w
                    break
        # staleness.csv: iteration, staleness, count
        self.staleness = {}
        for r in read_csv(os.path.join(self.dir, "staleness.csv")):
            s = int(num(r["staleness"]))
            self.staleness[s] = self.staleness.get(s, 0) + num(r["count"])
        # actors.csv: the actors' compute, straggle delay and waiting, summed
        actors = read_csv(os.path.join(self.dir, "actors.csv"))
        self.has_actors = bool(actors)
        self.a_compute = sum(num(r["compute_s"]) for r in actors)
        self.a_delay = sum(num(r["delay_s"]) for r in actors)
        self.a_wait = sum(num(r["wait_s"]) for r in actors)


def load_cells(out):
    rows = read_csv(os.path.join(out, "cells.csv"))
    if not rows:
        sys.exit(f"study_report.py: {out}/cells.csv is missing or empty (scripts/study writes it)")
    return [Cell(r, out) for r in rows]


def groups_of(cells):
    """Finished cells by group, in grid order."""
    groups = {}
    for c in cells:
        if c.finished:
            groups.setdefault(c.group(), []).append(c)
    return groups


# ---------------------------------------------------------------------------
# study.csv
# ---------------------------------------------------------------------------
STUDY_COLUMNS = ["cell", "env", "algo", "mode", "max_staleness", "variant", "straggle", "np",
                 "seed", "steps", "threshold", "env_steps", "wall_s", "sps", "final_return",
                 "reached", "steps_to_threshold", "wall_to_threshold", "comm_s", "wait_s",
                 "dropped", "actor_compute_s", "actor_delay_s", "actor_wait_s"]


def fmt(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if isinstance(x, float) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.10g}" if isinstance(x, float) else str(x)


def write_study_csv(out, cells):
    with open(os.path.join(out, "study.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(STUDY_COLUMNS)
        for c in cells:
            if not c.finished:
                continue
            thr = c.threshold
            w.writerow([c.name, c.env, c.algo, c.mode, c.max_staleness, c.variant,
                        c.straggle, c.np, c.seed, c.steps, fmt(thr), fmt(c.env_steps),
                        fmt(c.wall_s), fmt(c.sps), fmt(c.final_return),
                        "" if c.reached is None else c.reached, fmt(c.steps_to),
                        fmt(c.wall_to), fmt(c.comm_s), fmt(c.wait_s), fmt(c.dropped),
                        fmt(c.a_compute) if c.has_actors else "",
                        fmt(c.a_delay) if c.has_actors else "",
                        fmt(c.a_wait) if c.has_actors else ""])


# ---------------------------------------------------------------------------
# Series and plots
# ---------------------------------------------------------------------------
def band(cells, x_index):
    """The seeds' return curves interpolated linearly onto 101 points of x (0: env
    steps, 1: wall seconds) over the range every seed covers: (x, mean, sd, seeds), or
    None when a seed has no finite return."""
    curves = [np.asarray(c.curve, dtype=float) for c in cells]
    if not curves or any(k.size == 0 for k in curves):
        return None
    lo = max(k[0, x_index] for k in curves)
    hi = min(k[-1, x_index] for k in curves)
    if hi < lo:
        return None
    x = np.linspace(lo, hi, 101)
    ys = np.vstack([np.interp(x, k[:, x_index], k[:, 2]) for k in curves])
    sd = ys.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros_like(x)
    return x, ys.mean(axis=0), sd, len(curves)


def save_plot(fig, out, name):
    """Write fig to plots/NAME.png under out and close it; returns the relative path."""
    fig.tight_layout()
    path = f"plots/{name}.png"
    fig.savefig(os.path.join(out, path), dpi=100)
    plt.close(fig)
    return path


def save_rows(out, name, header, rows):
    """data/NAME.csv under out: the header, then the rows."""
    with open(os.path.join(out, "data", f"{name}.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def safe(text):
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text)


def plot_returns(out, env, family, groups, ranks, threshold):
    """return-steps_ENV_FAMILY.png and return-wall_...: a panel per rank count, a line
    per (mode, variant, straggle) with its seed band. Returns the files written."""
    files = []
    mine = {k: v for k, v in groups.items() if k[0] == env and v[0].family == family}
    if not mine:
        return files
    for x_index, tag, xlabel in ((0, "steps", "environment steps"),
                                 (1, "wall", "learner wall-clock time (s)")):
        fig, axes = plt.subplots(1, len(ranks), figsize=(max(8.0, 5.6 * len(ranks) + 0.6), 5.0),
                                 squeeze=False)
        drawn = False
        for ax, npr in zip(axes[0], ranks):
            actors = npr - 1
            who = "one process" if npr == 1 else f"1 learner + {actors} actor" + \
                ("s" if actors > 1 else "")
            ax.set_title(f"np = {npr} ({who})", fontsize=10)
            k = 0
            for key, cells in mine.items():
                if key[5] != npr:
                    continue
                b = band(cells, x_index)
                if b is None:
                    continue
                x, m, sd, n = b
                col = COLOURS[k % len(COLOURS)]
                ls = STYLES[(k // len(COLOURS)) % len(STYLES)]
                ax.fill_between(x, m - sd, m + sd, color=col, alpha=0.18, linewidth=0)
                ax.plot(x, m, color=col, linestyle=ls, linewidth=1.8,
                        label=f"{cells[0].algo} {cells[0].label()} ({n} seeds)")
                name = f"return-{tag}_{safe(cells[0].name.rsplit('_s', 1)[0])}.csv"
                np.savetxt(os.path.join(out, "data", name), np.column_stack([x, m, m - sd, m + sd]),
                           delimiter=",", header="x,mean,lo,hi", comments="", fmt="%.6g")
                k += 1
                drawn = True
            if k == 0:
                ax.text(0.5, 0.5, "no finished run", ha="center", va="center",
                        transform=ax.transAxes)
            elif threshold is not None:
                ax.axhline(threshold, color="0.4", linestyle=(0, (4, 3)), linewidth=1,
                           label=f"threshold {threshold:g}")
            ax.set_xlabel(xlabel)
            ax.set_ylabel("return")
            ax.grid(True, alpha=0.3)
            if k:
                ax.legend(fontsize=7, loc="lower right")
        if drawn:
            fig.suptitle(f"{env}, {family}: return (mean of the last 100 episodes), "
                         "mean ± std over seeds" + straggle_note(), fontsize=11)
            fig.tight_layout()
            path = f"plots/return-{tag}_{safe(env)}_{safe(family)}.png"
            fig.savefig(os.path.join(out, path), dpi=100)
            files.append(path)
        plt.close(fig)
    return files


def straggle_note():
    return f"\nevery run: --straggle {COMMON_STRAGGLE}" if COMMON_STRAGGLE else ""


def group_title(key):
    env, algo, mode, variant, straggle, npr = key
    words = [algo, mode]
    if variant != "-":
        words.append(variant.replace(",", ", "))
    if straggle != "none" and straggle != COMMON_STRAGGLE:
        words.append("straggle " + straggle)
    words.append(f"np{npr}")
    return " ".join(words)


def plot_threshold(out, env, groups, threshold):
    """threshold_ENV.png: seconds (and steps) to the threshold per group, mean with a
    95% confidence interval across the seeds that reached it."""
    mine = [(k, v) for k, v in groups.items() if k[0] == env]
    if threshold is None or not mine:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.42 * len(mine) + 1.6))
    names = [group_title(k) for k, _ in mine]
    y = np.arange(len(mine))[::-1]
    rows = []
    for ax, attr, xlabel in ((axes[0], "wall_to", "seconds to threshold"),
                             (axes[1], "steps_to", "environment steps to threshold")):
        for yi, (key, cells) in zip(y, mine):
            got = [getattr(c, attr) for c in cells if c.reached]
            m, lo, hi = ci95(got, floor=0.0)
            if got:
                ax.barh(yi, m, color=COLOURS[0] if attr == "wall_to" else COLOURS[2],
                        alpha=0.75)
                ax.errorbar(m, yi, xerr=[[m - lo], [hi - m]], color="black", capsize=3,
                            linewidth=1)
            if ax is axes[1]:
                ax.text(1.02, yi, f"{len(got)}/{len(cells)} reached", ha="left", va="center",
                        fontsize=7, transform=ax.get_yaxis_transform())
            if attr == "wall_to":
                rows.append([group_title(key), len(cells), len(got), m, lo, hi])
        ax.set_xlabel(xlabel)
        ax.set_xlim(left=0)
        if attr == "steps_to":
            ax.xaxis.set_major_formatter(matplotlib.ticker.EngFormatter(sep=""))
        ax.grid(True, axis="x", alpha=0.3)
        ax.set_yticks(y)
        ax.set_yticklabels(names if ax is axes[0] else [""] * len(names), fontsize=8)
    fig.suptitle(f"{env}: time to a return of {threshold:g} (mean, 95% CI across the seeds "
                 "that reached it, clipped at 0)" + straggle_note(), fontsize=11)
    fig.tight_layout(rect=(0, 0, 0.94, 1))  # room for the counts on the right
    save_rows(out, f"threshold_{safe(env)}",
              ["group", "seeds", "reached", "seconds_mean", "ci_low", "ci_high"],
              [[r[0], r[1], r[2]] + [fmt(v) for v in r[3:]] for r in rows])
    path = f"plots/threshold_{safe(env)}.png"
    fig.savefig(os.path.join(out, path), dpi=100)
    plt.close(fig)
    return path


def staleness_shares(cells):
    """{staleness: percent of the gradients received}, all seeds of a group together."""
    total = {}
    for c in cells:
        for s, n in c.staleness.items():
            total[s] = total.get(s, 0) + n
    count = sum(total.values())
    return {s: 100.0 * n / count for s, n in sorted(total.items())} if count else {}


def plot_staleness(out, env, groups):
    mine = [(k, v) for k, v in groups.items() if k[0] == env and k[2].startswith("async")]
    if not mine:
        return None
    fig, ax = plt.subplots(figsize=(8, 4.8))
    k = 0
    for key, cells in mine:
        shares = staleness_shares(cells)
        if not shares:
            continue
        name = f"staleness_{safe(cells[0].name.rsplit('_s', 1)[0])}.csv"
        with open(os.path.join(out, "data", name), "w") as f:
            f.write("staleness,percent\n")
            for s, p in shares.items():
                f.write(f"{s},{p:.4g}\n")
        xs = np.array(list(shares.keys()), dtype=float) + 0.08 * k - 0.25
        ax.plot(xs, list(shares.values()), marker="os^vD<>p"[k % 8], linestyle="none",
                color=COLOURS[k % len(COLOURS)], label=group_title(key))
        k += 1
    if k == 0:
        ax.text(0.5, 0.5, "not recorded: these runs wrote no staleness.csv", ha="center",
                va="center", transform=ax.transAxes)
    else:
        ax.set_yscale("log")
        ax.legend(fontsize=7)
    ax.set_xlabel("staleness (parameter versions behind)")
    ax.set_ylabel("share of gradients or rollouts (%)")
    ax.set_title(f"{env}: staleness of what the learner received (async; dropped ones "
                 "included; all seeds)", fontsize=10)
    ax.grid(True, alpha=0.3)
    return save_plot(fig, out, f"staleness_{safe(env)}")


def plot_actors(out, env, groups):
    """actors_ENV.png: per group, the actors' time split into compute, straggle delay and
    waiting (inside MPI), as shares of their sum, mean over seeds."""
    mine = [(k, v) for k, v in groups.items() if k[0] == env and any(c.has_actors for c in v)]
    if not mine:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(mine) + 2.0))
    y = np.arange(len(mine))[::-1]
    rows = []
    for yi, (key, cells) in zip(y, mine):
        parts = []
        for c in cells:
            if not c.has_actors:
                continue
            t = c.a_compute + c.a_delay + c.a_wait
            parts.append([100 * c.a_compute / t, 100 * c.a_delay / t, 100 * c.a_wait / t]
                         if t > 0 else [0, 0, 0])
        share = np.mean(np.asarray(parts), axis=0)
        left = 0.0
        for j, (what, col) in enumerate((("compute", COLOURS[0]), ("straggle delay", COLOURS[4]),
                                         ("waiting", COLOURS[1]))):
            ax.barh(yi, share[j], left=left, color=col, label=what if yi == y[0] else None)
            left += share[j]
        rows.append([group_title(key)] + [f"{v:.4g}" for v in share])
    ax.set_yticks(y)
    ax.set_yticklabels([group_title(k) for k, _ in mine], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the actors' time")
    below = 0.55 / max(0.42 * len(mine) + 0.8, 1.0)  # under the axis label, in axes units
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -below), ncol=3,
              frameon=False)
    ax.set_title(f"{env}: what the actors did (actors.csv, mean over seeds)" + straggle_note(),
                 fontsize=10)
    save_rows(out, f"actors_{safe(env)}", ["group", "compute_percent", "delay_percent",
                                            "wait_percent"], rows)
    return save_plot(fig, out, f"actors_{safe(env)}")


def plot_sps(out, env, groups):
    series = {}
    for key, cells in groups.items():
        if key[0] != env:
            continue
        m, sd = mean_sd([c.sps for c in cells])
        series.setdefault(key[1:5], []).append((key[5], m, sd))
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(7.2, 4.8))
    for k, (key, pts) in enumerate(series.items()):
        pts.sort()
        algo, mode, variant, straggle = key
        label = " ".join([algo, mode] + ([variant] if variant != "-" else []) +
                         (["straggle " + straggle] if straggle not in ("none", COMMON_STRAGGLE)
                          else []))
        ax.errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] for p in pts],
                    marker="o", capsize=3, color=COLOURS[k % len(COLOURS)],
                    linestyle="--" if mode.startswith("async") else "-", label=label)
    ax.set_xlabel("ranks (mpirun -np)")
    ax.set_ylabel("env steps / s")
    ax.set_ylim(bottom=0)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title(f"{env}: environment steps per second (mean ± std over seeds)", fontsize=10)
    return save_plot(fig, out, f"sps_{safe(env)}")


def comm_shares(cells):
    """(percent of wall time in MPI calls, percent waiting outside MPI), mean over seeds."""
    comm = [100 * c.comm_s / c.wall_s if c.wall_s > 0 else 0.0 for c in cells]
    wait = [100 * c.wait_s / c.wall_s if c.wall_s > 0 else 0.0 for c in cells
            if not math.isnan(c.wait_s)]
    return float(np.mean(comm)), (float(np.mean(wait)) if wait else math.nan)


def plot_comm(out, env, groups):
    mine = [(k, v) for k, v in groups.items() if k[0] == env]
    if not mine:
        return None
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(mine) + 2), 5.2))
    x = np.arange(len(mine))
    shares = [comm_shares(v) for _, v in mine]
    ax.bar(x - 0.2, [s[0] for s in shares], 0.4, color=COLOURS[0],
           label="in MPI calls (comm_s)")
    ax.bar(x + 0.2, [0 if math.isnan(s[1]) else s[1] for s in shares], 0.4, color=COLOURS[1],
           label="waiting for actors (wait_s)")
    ax.set_xticks(x)
    ax.set_xticklabels([group_title(k) for k, _ in mine], rotation=35, ha="right", fontsize=7)
    ax.set_ylim(0, 119)
    ax.set_ylabel("% of wall time")
    ax.legend(fontsize=8, loc="upper left", ncol=2)
    ax.set_title(f"{env}: the learner's wall time in communication (mean over seeds)",
                 fontsize=10)
    save_rows(out, f"comm_{safe(env)}", ["group", "comm_percent", "wait_percent"],
              [[group_title(k), f"{sh[0]:.4g}", fmt(sh[1])] for (k, _), sh in zip(mine, shares)])
    return save_plot(fig, out, f"comm_{safe(env)}")


# ---------------------------------------------------------------------------
# report.md
# ---------------------------------------------------------------------------
def summary_row(key, cells, any_thr, any_wait):
    env, algo, mode, variant, straggle, npr = key
    cols = [env, algo, mode, variant, straggle if straggle != "none" else "-", str(npr),
            str(len(cells))]
    thr = cells[0].threshold
    if any_thr:
        if thr is None:
            cols += ["-", "-", "-"]
        else:
            hit = [c for c in cells if c.reached]
            cols.append(f"{len(hit)}/{len(cells)}")
            for attr, form in (("steps_to", "{:.0f}"), ("wall_to", "{:.2f}")):
                m, lo, hi = ci95([getattr(c, attr) for c in hit], floor=0.0)
                if not hit:
                    cols.append("-")
                elif len(hit) == 1:
                    cols.append(form.format(m))
                else:
                    cols.append(form.format(m) + " [" + form.format(lo) + ", " +
                                form.format(hi) + "]")
    fm, fs = mean_sd([c.final_return for c in cells])
    cols.append("-" if math.isnan(fm) else f"{fm:.1f} ± {fs:.1f}")
    cols.append(f"{mean_sd([c.sps for c in cells])[0]:.0f}")
    comm, wait = comm_shares(cells)
    cols.append(f"{comm:.0f}%")
    if any_wait:
        cols.append("not recorded" if math.isnan(wait) else f"{wait:.0f}%")
    return "| " + " | ".join(cols) + " |"


def write_report(out, cells, command, version):
    global COMMON_STRAGGLE
    shared = set(c.straggle for c in cells)
    COMMON_STRAGGLE = shared.pop() if len(shared) == 1 and "none" not in shared else None
    groups = groups_of(cells)
    finished = [c for c in cells if c.finished]
    envs = list(dict.fromkeys(c.env for c in cells))
    families = list(dict.fromkeys(c.family for c in cells))
    ranks = sorted(set(c.np for c in cells))
    os.makedirs(os.path.join(out, "plots"), exist_ok=True)
    os.makedirs(os.path.join(out, "data"), exist_ok=True)
    for d in ("plots", "data"):
        for f in os.listdir(os.path.join(out, d)):
            if f.endswith((".png", ".csv", ".gp")):
                os.remove(os.path.join(out, d, f))
    write_study_csv(out, cells)
    plots = {}
    for env in envs:
        thr = next((c.threshold for c in cells if c.env == env), None)
        files = []
        for fam in families:
            files += plot_returns(out, env, fam, groups, ranks, thr)
        for f in (plot_threshold(out, env, groups, thr), plot_actors(out, env, groups),
                  plot_staleness(out, env, groups), plot_sps(out, env, groups),
                  plot_comm(out, env, groups)):
            if f:
                files.append(f)
        plots[env] = files
    any_thr = any(c.threshold is not None for c in finished)
    any_wait = any(not math.isnan(c.wait_s) for c in finished)
    total = 0.0
    for c in finished:
        for line in open(os.path.join(c.dir, "done")):
            if line.startswith("seconds: "):
                total += num(line.split()[1])
    lines = ["# Study: synchronous vs asynchronous gradient accumulation", ""]
    lines.append(f"Produced by `{command}` with {version} on {os.cpu_count()} cores, "
                 f"{datetime.datetime.utcnow():%Y-%m-%d}.")
    lines.append(f"{len(finished)} of {len(cells)} cells finished; their runs took "
                 f"{total / 60:.1f} min in all (mpirun to exit, one after another).")
    lines.append("")
    spec = os.path.join(out, "study.spec")
    if os.path.exists(spec):
        lines += ["The grid (`study.spec`):", "", "```"]
        lines += [ln.rstrip("\n") for ln in open(spec) if not ln.startswith("#")]
        lines += ["```", ""]
    lines.append("Each run: `mpirun -np N mpirl train --env E --algo A --mode M [--max-staleness "
                 "K] [the variant's flags] --seed S --steps T --quiet --checkpoint-every 0 "
                 "--keep 0` and the spec's flags, otherwise the environment's preset; each "
                 "run's `config` is in `raw/<cell>/`.")
    lines += ["", "## Summary", ""]
    head = ["env", "algo", "mode", "variant", "straggle", "np", "seeds"]
    if any_thr:
        head += ["reached threshold", "steps to threshold", "seconds to threshold"]
    head += ["final return", "env steps/s", "time in MPI"]
    if any_wait:
        head.append("waiting for actors")
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + " --- |" * len(head))
    for key, gcells in groups.items():
        lines.append(summary_row(key, gcells, any_thr, any_wait))
    lines.append("")
    if any_thr:
        thr_text = "; ".join(
            f"{e} {next((f'{c.threshold:g}' for c in cells if c.env == e and c.threshold is not None), '-')}"
            for e in envs)
        lines += [f"- threshold: {thr_text}. Steps and seconds to threshold: the first metrics "
                  "row within the step budget whose return_mean (mean return of the last 100 "
                  "episodes) reached the threshold — its env_steps and the learner's wall_s — "
                  "averaged over the seeds that reached it (reached: how many), with a 95% "
                  "confidence interval [low, high] from Student's t across those seeds when "
                  "two or more did (its low end clipped at 0)."]
    lines += ["- final return: return_mean of the last row; mean ± sample standard deviation "
              "over seeds.",
              "- env steps/s: the last row's sps (environment steps over the learner's wall "
              "time), mean over seeds.",
              "- time in MPI: the sum of comm_s over the wall time, the learner's share of "
              "time inside MPI calls, mean over seeds."]
    if any_wait:
        lines.append("- waiting for actors: the sum of wait_s over the wall time, the "
                     "learner's share of time waiting for the actors outside MPI, its core "
                     "given to them.")
    lines += ["", "## Plots"]
    for env in envs:
        lines += ["", f"### {env}"]
        for p in plots[env]:
            lines += ["", f"![{env}: {os.path.basename(p)[:-4]}]({p})"]
    lines += ["", "Return curves: each seed's return_mean interpolated linearly onto 101 "
              "points over the range every seed covers; the line is the mean over seeds, the "
              "band ± one standard deviation. Staleness: the share of what the learner "
              "received at each staleness (staleness.csv; dropped ones included), all seeds of "
              "a group together. Actors: compute, --straggle delay and time inside MPI "
              "(actors.csv), summed over the actors and iterations of a run, as shares of "
              "their sum, mean over seeds.", "", "## Files", "",
              "- `study.csv`: one row per finished cell (the figures above per seed; actor_* "
              "are actors.csv's sums).",
              "- `cells.csv`: every cell of the grid and whether it finished.",
              "- `raw/<cell>/`: each run's `config`, `metrics.csv`, `actors.csv` (and "
              "`staleness.csv` for async); `raw/<cell>.log` its output.",
              "- `data/`: the plotted series as CSV."]
    missing = [c.name for c in cells if not c.finished]
    if missing:
        lines += ["", "## Unfinished cells", ""] + [f"- {m}" for m in missing]
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"report: {out}/report.md ({len(finished)} of {len(cells)} cells; plots in "
          f"{out}/plots)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="the study's output directory")
    ap.add_argument("--command", default="scripts/study", help="how the study was run")
    ap.add_argument("--version", default="mpirl", help="the mpirl version that ran it")
    a = ap.parse_args()
    write_report(a.out, load_cells(a.out), a.command, a.version)


if __name__ == "__main__":
    main()
