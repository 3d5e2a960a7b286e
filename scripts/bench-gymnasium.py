#!/usr/bin/python3
"""bench-gymnasium.py - Gymnasium's own CartPole-v1 speed on this machine, the
reference for `scripts/bench envs` (the README compares the two).

Times env.step in a Python loop with resets, as a user of gymnasium.make would run
it, for one environment; prints steps per second (best of three runs of 200k steps).
Needs Gymnasium, which is not a dependency of mpirl (it is not packaged in Debian 12):
run it where Gymnasium is installed, e.g. `python3 scripts/bench-gymnasium.py`.
"""

import sys
import time


def main():
    try:
        import gymnasium as gym
        import numpy as np
    except ImportError as e:
        print(f"bench-gymnasium: Gymnasium is not installed here ({e})", file=sys.stderr)
        return 2
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    actions = np.random.default_rng(0).integers(0, 2, size=200_000)
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        for a in actions:
            _, _, terminated, truncated, _ = env.step(int(a))
            if terminated or truncated:
                env.reset()
        best = max(best, len(actions) / (time.perf_counter() - t0))
    print(f"gymnasium {gym.__version__} CartPole-v1 single={best:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
