#!/usr/bin/python3
"""env_golden.py - independent reference trajectories for mpirl's classic-control set.

Re-implements, from the published equations and Gymnasium 1.x's documented choices,
CartPole-v1, Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0 and Pendulum-v1 with
NumPy, and writes for each environment a few trajectories (start state, actions, and per
step the float32 observation, the float64 reward, the terminated flag and the internal
state after the step) that tests/test_<env>.c replays through the C environments.
Nothing here imports or copies Gymnasium; the C code is not read either.

Floating-point choices, which are the point of the exercise:
  * Internal state float64, except Acrobot's reset draw (rounded to float32, then float64
    from the first step on) and MountainCarContinuous, whose state is rounded to float32
    after every step while the arithmetic of a step is float64.
  * Arithmetic follows NumPy 1.x promotion (Debian 12 ships NumPy 1.24): a float32
    action or state times a Python float is computed in float64. NumPy 2 (NEP 50) would
    compute some of those products in float32 (Pendulum's 3u and 0.001 u^2,
    MountainCarContinuous's whole step); this script does not model that.
  * sin and cos are libm's (math.sin / math.cos). Gymnasium calls numpy.sin / numpy.cos,
    which on x86-64 CPUs with AVX-512 dispatch to SVML and differ from libm by up to a
    few ulp in float64; libm is what the C code calls, and it does not depend on the CPU
    that generated the data.
  * `x**2` of a float64, as Gymnasium writes it (Acrobot's velocities and d2, Pendulum's
    cost), is libm pow(x, 2), which glibc rounds differently from x*x for about one
    argument in a thousand; it is computed as pow here (np.square, as in CartPole, is
    x*x). The number of such arguments met is written in each file's header.
  * Observations are float32; rewards are exactly what Python computes, as double.

Cross-check (done by hand when the data was made, not part of the build): replaying
every trajectory through Gymnasium 1.4.0 itself (env.unwrapped.state set to the start,
NumPy 1.24.2) gave bit-identical observations, rewards, flags and states for all five
environments once NumPy's AVX-512 dispatch was disabled
(NPY_DISABLE_CPU_FEATURES="AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL",
which makes numpy.sin / numpy.cos call libm).

Each file holds the spec (sizes and Gymnasium's space bounds as float32), then
trajectories t0, t1, ... of: tK_start (state_size) and tK_obs0 (obs_dim: the
observation of that state), tK_actions (T x act_dim, float32), tK_obs (T x obs_dim),
tK_reward (T), tK_terminated (T, 0/1) and tK_state (T x state_size). Steps continue
past termination where Gymnasium defines them (CartPole then rewards 0).

Not needed to build or test: it only regenerates committed data. Run with Debian's
interpreter (python3-numpy):
    /usr/bin/python3 scripts/env_golden.py --out tests/data
File format: see tests/testutil.h ("name count" line, then the values).
"""

import argparse
import math
import os
import sys

import numpy as np

PI = math.pi  # the same double as numpy.pi

POW2_MISMATCHES = [0]  # arguments met where libm pow(x, 2) != x*x


def f32(x):
    """x rounded to float32, as a Python float (exact)."""
    return float(np.float32(x))


def pow2(x):
    """Python's / NumPy's x**2 of a float64: libm pow, which is not always x*x."""
    p = math.pow(x, 2)
    if p != x * x:
        POW2_MISMATCHES[0] += 1
    return p


def clip(x, lo, hi):
    """np.clip of a scalar: max with lo, then min with hi (no NaN here)."""
    return float(np.clip(np.float64(x), lo, hi))


# ---------------------------------------------------------------------------- CartPole
class CartPole:
    """Barto, Sutton & Anderson (1983) cart-pole, with the equations of motion of
    Florian (2007) as Gymnasium writes them, explicit Euler, tau = 0.02."""

    name, id = "cartpole", "CartPole-v1"
    obs_dim, act_kind, act_n, max_steps, state_size = 4, 0, 2, 500, 4
    G, M_CART, M_POLE, HALF_LEN, F_MAG, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    M_TOTAL = M_POLE + M_CART
    PM_LEN = M_POLE * HALF_LEN
    THETA_LIM = 12 * 2 * math.pi / 360
    X_LIM = 2.4
    obs_high = np.array([X_LIM * 2, np.inf, THETA_LIM * 2, np.inf], dtype=np.float32)
    obs_low = -obs_high
    act_low = act_high = None

    def __init__(self, state):
        self.s = np.array(state, dtype=np.float64)
        self.ended = False  # a step has already terminated: later steps reward 0

    def obs(self):
        return np.array(self.s, dtype=np.float32)

    def step(self, a):
        x, v, th, w = (float(q) for q in self.s)
        f = self.F_MAG if a == 1 else -self.F_MAG
        c, s = math.cos(th), math.sin(th)
        # common term (F + m_p l w^2 sin th) / (m_c + m_p)
        tmp = (f + self.PM_LEN * (w * w) * s) / self.M_TOTAL
        # angular acceleration: (g sin th - cos th tmp) / (l (4/3 - m_p cos^2 th / M))
        alpha = (self.G * s - c * tmp) / (
            self.HALF_LEN * (4.0 / 3.0 - self.M_POLE * (c * c) / self.M_TOTAL))
        acc = tmp - self.PM_LEN * alpha * c / self.M_TOTAL
        # explicit Euler: positions advance with the old velocities
        x, v, th, w = x + self.TAU * v, v + self.TAU * acc, th + self.TAU * w, w + self.TAU * alpha
        self.s = np.array([x, v, th, w], dtype=np.float64)
        term = x < -self.X_LIM or x > self.X_LIM or th < -self.THETA_LIM or th > self.THETA_LIM
        if not term:
            r = 1.0
        elif not self.ended:
            self.ended = True
            r = 1.0
        else:
            r = 0.0
        return self.obs(), r, term

    def state(self):
        return [float(q) for q in self.s]


# ----------------------------------------------------------------------------- Acrobot
class Acrobot:
    """Sutton (1996) / Sutton & Barto's acrobot with the book's equations (not the NIPS
    paper's), one RK4 step of dt = 0.2, angles wrapped to [-pi, pi], velocities bounded
    to 4 pi and 9 pi, no torque noise."""

    name, id = "acrobot", "Acrobot-v1"
    obs_dim, act_kind, act_n, max_steps, state_size = 6, 0, 3, 500, 4
    DT = 0.2
    L1, M1, M2, LC1, LC2, I1, I2, G = 1.0, 1.0, 1.0, 0.5, 0.5, 1.0, 1.0, 9.8
    VMAX1, VMAX2 = 4 * math.pi, 9 * math.pi
    TORQUES = (-1.0, 0.0, 1.0)
    obs_high = np.array([1.0, 1.0, 1.0, 1.0, VMAX1, VMAX2], dtype=np.float32)
    obs_low = -obs_high
    act_low = act_high = None

    def __init__(self, state):
        self.s = np.array(state, dtype=np.float64)

    def obs(self):
        t1, t2, w1, w2 = (float(q) for q in self.s)
        return np.array([math.cos(t1), math.sin(t1), math.cos(t2), math.sin(t2), w1, w2],
                        dtype=np.float32)

    def deriv(self, y):
        """d/dt of (theta1, theta2, dtheta1, dtheta2, torque); the torque is constant."""
        t1, t2, w1, w2, tau = (float(q) for q in y)
        L1, M1, M2, LC1, LC2, I1, I2, G = (self.L1, self.M1, self.M2, self.LC1, self.LC2,
                                           self.I1, self.I2, self.G)
        c2, s2 = math.cos(t2), math.sin(t2)
        # inertia terms d1 (whole arm about the shoulder) and d2 (coupling)
        d1 = M1 * LC1**2 + M2 * (L1**2 + LC2**2 + 2 * L1 * LC2 * c2) + I1 + I2
        d2 = M2 * (LC2**2 + L1 * LC2 * c2) + I2
        # gravity and Coriolis / centrifugal terms
        phi2 = M2 * LC2 * G * math.cos(t1 + t2 - PI / 2.0)
        phi1 = (-M2 * L1 * LC2 * pow2(w2) * s2 - 2 * M2 * L1 * LC2 * w2 * w1 * s2
                + (M1 * LC1 + M2 * L1) * G * math.cos(t1 - PI / 2) + phi2)
        # book version: with the m2 l1 lc2 dtheta1^2 sin(theta2) term
        acc2 = (tau + d2 / d1 * phi1 - M2 * L1 * LC2 * pow2(w1) * s2 - phi2) / (
            M2 * LC2**2 + I2 - pow2(d2) / d1)
        acc1 = -(d2 * acc2 + phi1) / d1
        return np.array([w1, w2, acc1, acc2, 0.0], dtype=np.float64)

    @staticmethod
    def wrap(x, lo, hi):
        span = hi - lo
        while x > hi:
            x = x - span
        while x < lo:
            x = x + span
        return x

    @staticmethod
    def bound(x, lo, hi):
        # Python's max(x, lo) keeps x unless lo > x; min(., hi) keeps it unless hi < it
        x = lo if lo > x else x
        return hi if hi < x else x

    def step(self, a):
        y0 = np.append(self.s, self.TORQUES[a]).astype(np.float64)
        h = self.DT - 0  # t = [0, dt]
        h2 = h / 2.0
        k1 = self.deriv(y0)
        k2 = self.deriv(y0 + h2 * k1)
        k3 = self.deriv(y0 + h2 * k2)
        k4 = self.deriv(y0 + h * k3)
        y = y0 + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        t1 = self.wrap(float(y[0]), -PI, PI)
        t2 = self.wrap(float(y[1]), -PI, PI)
        w1 = self.bound(float(y[2]), -self.VMAX1, self.VMAX1)
        w2 = self.bound(float(y[3]), -self.VMAX2, self.VMAX2)
        self.s = np.array([t1, t2, w1, w2], dtype=np.float64)
        # the tip is above the bar at height 1 (link lengths 1)
        term = -math.cos(t1) - math.cos(t2 + t1) > 1.0
        return self.obs(), (0.0 if term else -1.0), term

    def state(self):
        return [float(q) for q in self.s]


# ------------------------------------------------------------------------- MountainCar
class MountainCar:
    """Moore (1990) mountain car, discrete pushes (0 left, 1 none, 2 right)."""

    name, id = "mountain_car", "MountainCar-v0"
    obs_dim, act_kind, act_n, max_steps, state_size = 2, 0, 3, 200, 2
    X_MIN, X_MAX, V_MAX, X_GOAL, V_GOAL, FORCE, GRAV = -1.2, 0.6, 0.07, 0.5, 0, 0.001, 0.0025
    obs_low = np.array([X_MIN, -V_MAX], dtype=np.float32)
    obs_high = np.array([X_MAX, V_MAX], dtype=np.float32)
    act_low = act_high = None

    def __init__(self, state):
        self.s = np.array(state, dtype=np.float64)

    def obs(self):
        return np.array(self.s, dtype=np.float32)

    def step(self, a):
        x, v = (float(q) for q in self.s)
        v = v + ((a - 1) * self.FORCE + math.cos(3 * x) * (-self.GRAV))
        v = clip(v, -self.V_MAX, self.V_MAX)
        x = clip(x + v, self.X_MIN, self.X_MAX)
        if x == self.X_MIN and v < 0:  # inelastic left wall
            v = 0.0
        term = x >= self.X_GOAL and v >= self.V_GOAL
        self.s = np.array([x, v], dtype=np.float64)
        return self.obs(), -1.0, term

    def state(self):
        return [float(q) for q in self.s]


# --------------------------------------------------------------- MountainCarContinuous
class MountainCarContinuous:
    """Mountain car with a continuous force in [-1, 1] (power 0.0015), goal x >= 0.45
    with v >= 0, reward +100 at the goal minus 0.1 a^2 of the unclipped action. The
    state is float32 between steps; a step computes in float64."""

    name, id = "mountain_car_continuous", "MountainCarContinuous-v0"
    obs_dim, act_kind, act_n, max_steps, state_size = 2, 1, 1, 999, 2
    X_MIN, X_MAX, V_MAX, X_GOAL, V_GOAL, POWER = -1.2, 0.6, 0.07, 0.45, 0, 0.0015
    obs_low = np.array([X_MIN, -V_MAX], dtype=np.float32)
    obs_high = np.array([X_MAX, V_MAX], dtype=np.float32)
    act_low = np.array([-1.0], dtype=np.float32)
    act_high = np.array([1.0], dtype=np.float32)

    def __init__(self, state):
        # a state set from outside (or a reset) is float64 until the first step
        self.s = np.array(state, dtype=np.float64)

    def obs(self):
        return np.array(self.s, dtype=np.float32)

    def step(self, a):
        a = f32(a)  # the action is float32
        x, v = (float(q) for q in self.s)
        u = -1.0 if -1.0 > a else a
        u = 1.0 if 1.0 < u else u
        v = v + (u * self.POWER - 0.0025 * math.cos(3 * x))
        if v > self.V_MAX:
            v = self.V_MAX
        if v < -self.V_MAX:
            v = -self.V_MAX
        x = x + v
        if x > self.X_MAX:
            x = self.X_MAX
        if x < self.X_MIN:
            x = self.X_MIN
        if x == self.X_MIN and v < 0:
            v = 0.0
        term = x >= self.X_GOAL and v >= self.V_GOAL  # on the float64 values
        r = 100.0 if term else 0.0
        r = r - math.pow(a, 2) * 0.1  # the unclipped action
        self.s = np.array([x, v], dtype=np.float32).astype(np.float64)
        return self.obs(), r, term

    def state(self):
        return [float(q) for q in self.s]


# ---------------------------------------------------------------------------- Pendulum
class Pendulum:
    """Inverted pendulum swing-up: torque clipped to [-2, 2], semi-implicit Euler with
    dt = 0.05, speed clipped to 8, no wrapping of the angle (only inside the cost)."""

    name, id = "pendulum", "Pendulum-v1"
    obs_dim, act_kind, act_n, max_steps, state_size = 3, 1, 1, 200, 2
    V_MAX, U_MAX, DT, G, M, L = 8, 2.0, 0.05, 10.0, 1.0, 1.0
    obs_high = np.array([1.0, 1.0, V_MAX], dtype=np.float32)
    obs_low = -obs_high
    act_low = np.array([-U_MAX], dtype=np.float32)
    act_high = np.array([U_MAX], dtype=np.float32)

    def __init__(self, state):
        self.s = np.array(state, dtype=np.float64)

    def obs(self):
        th, w = (float(q) for q in self.s)
        return np.array([math.cos(th), math.sin(th), w], dtype=np.float32)

    @staticmethod
    def norm_angle(x):
        # Python's % takes the sign of the divisor: result in [-pi, pi)
        return ((x + PI) % (2 * PI)) - PI

    def step(self, a):
        th, w = (float(q) for q in self.s)
        u = float(np.clip(np.float32(a), -self.U_MAX, self.U_MAX))  # float32 clip
        cost = pow2(self.norm_angle(th)) + 0.1 * pow2(w) + 0.001 * math.pow(u, 2)
        w2 = w + (3 * self.G / (2 * self.L) * math.sin(th) + 3.0 / (self.M * self.L**2) * u) * self.DT
        w2 = clip(w2, -self.V_MAX, self.V_MAX)
        th2 = th + w2 * self.DT
        self.s = np.array([th2, w2], dtype=np.float64)
        return self.obs(), -cost, False

    def state(self):
        return [float(q) for q in self.s]


# ------------------------------------------------------------------------ trajectories
def run(cls, start, actions):
    """The trajectory from start under actions; counts the pow(x, 2) != x*x met."""
    env = cls(start)
    traj = dict(start=env.state(), obs0=env.obs(), actions=[], obs=[], reward=[], term=[],
                state=[])
    pow2_before = POW2_MISMATCHES[0]
    for a in actions:
        o, r, t = env.step(a)
        traj["actions"].append(a)
        traj["obs"].append(o)
        traj["reward"].append(r)
        traj["term"].append(1 if t else 0)
        traj["state"].append(env.state())
    traj["pow2"] = POW2_MISMATCHES[0] - pow2_before
    return traj


def first_step_terminates(cls, start, a):
    return cls(start).step(a)[2]


def boundary(cls, make_start, a, lo, hi):
    """Adjacent doubles p_ok < p_end (or >) in [lo, hi] where one step from
    make_start(p) with action a does not / does terminate (bisection; the termination
    must flip once between lo and hi)."""
    t_lo = first_step_terminates(cls, make_start(lo), a)
    assert t_lo != first_step_terminates(cls, make_start(hi), a)
    while True:
        mid = lo + (hi - lo) / 2
        if mid in (lo, hi):
            break
        if first_step_terminates(cls, make_start(mid), a) == t_lo:
            lo = mid
        else:
            hi = mid
    return (hi, lo) if t_lo else (lo, hi)  # (not terminated, terminated)


def cartpole_trajs(rs):
    C = CartPole
    out = []
    # t0 normal: a noisy balancing rule, 50 steps
    env, acts = C([0.012, -0.034, 0.021, 0.043]), []
    for _ in range(50):
        x, v, th, w = env.s
        a = 1 if th + 0.3 * w + 0.05 * v > 0 else 0
        if rs.rand() < 0.3:
            a = 1 - a
        acts.append(a)
        env.step(a)
    out.append(("normal: a noisy balancing rule", run(C, [0.012, -0.034, 0.021, 0.043], acts)))
    # boundaries: exactly on a limit is not terminated (strict), then one step beyond;
    # the step after termination rewards 0
    out.append(("x == 2.4 exactly after step 1 (not terminated), then beyond",
                run(C, [2.4, 0.0, 0.0, 0.0], [1, 1, 1, 1])))
    out.append(("x == -2.4 exactly (not terminated), then beyond",
                run(C, [-2.4, 0.0, 0.0, 0.0], [0, 0, 0])))
    out.append(("theta == 12 deg exactly (not terminated), then beyond",
                run(C, [0.0, 0.0, C.THETA_LIM, 0.0], [0, 0, 0])))
    out.append(("theta == -12 deg exactly (not terminated), then beyond",
                run(C, [0.0, 0.0, -C.THETA_LIM, 0.0], [1, 1, 1])))
    ok, end = boundary(C, lambda v: [2.3, v, 0.0, 0.0], 1, 4.9, 5.1)
    out.append(("x crosses 2.4: largest velocity that stays in", run(C, [2.3, ok, 0.0, 0.0], [1])))
    out.append(("x crosses 2.4: next double terminates", run(C, [2.3, end, 0.0, 0.0], [1])))
    ok, end = boundary(C, lambda t: [0.0, 0.0, t, 0.3], 0, 0.19, 0.21)
    out.append(("theta crosses 12 deg: last start inside", run(C, [0.0, 0.0, ok, 0.3], [0])))
    out.append(("theta crosses 12 deg: next double terminates", run(C, [0.0, 0.0, end, 0.3], [0])))
    # long: balance 150 steps, then push one way and keep stepping after the fall
    env, acts = C([0.0, 0.0, 0.0, 0.0]), []
    for k in range(220):
        x, v, th, w = env.s
        a = (1 if th + 0.3 * w + 0.05 * v + 0.02 * x > 0 else 0) if k < 150 else 1
        acts.append(a)
        env.step(a)
    out.append(("long: 150 balanced steps, then pushed right past termination",
                run(C, [0.0, 0.0, 0.0, 0.0], acts)))
    return out


def acrobot_trajs(rs):
    A = Acrobot
    out = []
    start = [f32(q) for q in rs.uniform(-0.1, 0.1, 4)]  # a reset-like float32 start
    out.append(("normal: float32 reset-like start, random actions",
                run(A, start, list(rs.randint(0, 3, 50)))))
    # terminal test -cos t1 - cos(t1 + t2) > 1, strict: bisect the start angle
    make = lambda t: [t, 0.5, 0.0, 0.0]
    ok, end = boundary(A, make, 0, 1.5, 2.3)
    out.append(("tip height crosses 1: last start below", run(A, make(ok), [0, 0])))
    out.append(("tip height crosses 1: next double above", run(A, make(end), [0, 0])))
    # fast swinging: angles wrap past +-pi, velocities hit the 4 pi / 9 pi bounds;
    # steps go on after termination (reward 0 while the tip is up)
    acts = [2 if (k // 7) % 2 == 0 else 0 for k in range(120)]
    out.append(("long: fast swing, wrapping and velocity bounds", run(A, [3.0, -3.0, 12.4, 28.0], acts)))
    acts = list(rs.randint(0, 3, 200))
    out.append(("long: chaotic, random actions", run(A, [-2.5, 2.9, -11.0, -25.0], acts)))
    return out


def mountain_car_trajs(rs):
    M = MountainCar
    out = []
    acts = []
    env = M([-0.52, 0.0])
    for _ in range(50):
        a = 2 if env.s[1] >= 0 else 0
        if rs.rand() < 0.25:
            a = int(rs.randint(0, 3))
        acts.append(a)
        env.step(a)
    out.append(("normal: pumping with random pushes", run(M, [-0.52, 0.0], acts)))
    # goal x >= 0.5 (non-strict): bisect the start velocity
    make = lambda v: [0.45, v, ]
    ok, end = boundary(M, make, 1, 0.0, 0.1)
    out.append(("position crosses 0.5: last start short", run(M, make(ok), [1])))
    out.append(("position crosses 0.5: next double reaches", run(M, make(end), [1])))
    # v >= 0 (non-strict): a start velocity that cancels the step's change exactly
    x0 = 0.55
    dv = (1 - 1) * M.FORCE + math.cos(3 * x0) * (-M.GRAV)
    out.append(("velocity exactly 0 past the goal: terminated", run(M, [x0, -dv], [1])))
    out.append(("velocity just below 0 past the goal: not terminated",
                run(M, [x0, math.nextafter(-dv, -1.0)], [1])))
    # left wall: clipped to -1.2 with the velocity zeroed, then climb back; velocity
    # clipped at 0.07
    acts = [0, 0, 0] + [2 if k % 20 < 12 else 0 for k in range(120)]
    out.append(("long: left wall, then rocking", run(M, [-1.15, -0.06, ], acts)))
    out.append(("velocity clipped at +0.07", run(M, [-0.3, 0.0699], [2, 2, 2])))
    out.append(("velocity clipped at -0.07", run(M, [-0.3, -0.0699], [0, 0, 0])))
    acts = []
    env = M([-0.5, 0.0])
    for _ in range(200):
        a = 2 if env.s[1] >= 0 else 0
        acts.append(a)
        env.step(a)
    out.append(("long: energy pumping to the goal and beyond", run(M, [-0.5, 0.0], acts)))
    return out


def mountain_car_continuous_trajs(rs):
    M = MountainCarContinuous
    out = []
    acts = [f32(a) for a in rs.uniform(-1.0, 1.0, 40)]
    out.append(("normal: random actions in [-1, 1]", run(M, [-0.47, 0.0], acts)))
    acts = [f32(a) for a in (2.5, -3.0, 1.0000001, -1.5, 0.7, -1.0, 1.0, 7.25, -0.25, -12.0)]
    out.append(("out-of-range actions: clipped force, unclipped penalty", run(M, [-0.5, 0.01], acts)))
    # goal x >= 0.45 (non-strict), on the float64 position before float32 rounding
    make = lambda v: [0.4, v]
    ok, end = boundary(M, make, 0.5, 0.0, 0.1)
    out.append(("position crosses 0.45: last start short", run(M, make(ok), [0.5, 0.5])))
    out.append(("position crosses 0.45: next double reaches", run(M, make(end), [0.5, 0.5])))
    x0, a = 0.5, f32(-2.0)
    dv = -1.0 * M.POWER - 0.0025 * math.cos(3 * x0)
    out.append(("velocity exactly 0 past the goal, action -2: terminated",
                run(M, [x0, -dv], [a])))
    out.append(("velocity just below 0 past the goal: not terminated",
                run(M, [x0, math.nextafter(-dv, -1.0)], [a])))
    acts = [f32(-1.3)] * 3 + [f32(1.0 if k % 30 < 15 else -1.0) for k in range(150)]
    out.append(("long: left wall, then rocking", run(M, [-1.15, -0.06], acts)))
    out.append(("velocity clipped at +0.07", run(M, [-0.3, 0.0699], [f32(1.0)] * 3)))
    out.append(("velocity clipped at -0.07", run(M, [-0.3, -0.0699], [f32(-1.0)] * 3)))
    acts, env = [], M([-0.5, 0.0])
    for _ in range(160):
        a = f32(1.0 if env.s[1] >= 0 else -1.0) * f32(0.9)
        acts.append(f32(a))
        env.step(f32(a))
    out.append(("long: pumping to the goal and beyond", run(M, [-0.5, 0.0], acts)))
    return out


def pendulum_trajs(rs):
    P = Pendulum
    out = []
    acts = [f32(a) for a in rs.uniform(-2.0, 2.0, 50)]
    out.append(("normal: random torques in [-2, 2]", run(P, [0.8, -0.4], acts)))
    acts = [f32(a) for a in (5.0, -7.3, 2.0000002, -2.0000002, 2.0, -2.0, 1e30, -1e30, 0.0, 3.5)]
    out.append(("out-of-range torques: clipped in dynamics and cost", run(P, [-1.3, 0.6], acts)))
    out.append(("angle on pi (normalised to -pi in the cost)", run(P, [PI, 0.0], [f32(0.0)] * 3)))
    out.append(("angle on -pi", run(P, [-PI, 0.0], [f32(0.0)] * 3)))
    # starts whose cost terms are arguments where libm pow(x, 2) != x*x
    for q in rs.uniform(-8.0, 8.0, 100000):
        if math.pow(q, 2) != q * q:
            w0 = float(q)
            break
    for q in rs.uniform(-3.0, 3.0, 100000):
        if math.pow(P.norm_angle(q), 2) != P.norm_angle(q) * P.norm_angle(q):
            th0 = float(q)
            break
    out.append(("pow(x, 2) != x*x for both cost terms", run(P, [th0, w0], [f32(0.5)])))
    # spinning: speed clipped at 8, the angle grows past 2 pi unwrapped
    out.append(("long: spinning at the speed limit, angle unwrapped",
                run(P, [3.0, 7.9], [f32(2.0)] * 120 + [f32(-2.0)] * 80)))
    out.append(("speed clipped at -8", run(P, [-1.0, -7.99], [f32(-2.0)] * 5)))
    return out


def states(trajs, k=None):
    """All post-step states (of trajectory k, or of all), as an (n, state_size) array."""
    sel = [t for i, (_, t) in enumerate(trajs) if k is None or i == k]
    return np.array([q for t in sel for q in t["state"]])


def check_coverage(cls, trajs):
    """The cases must exercise what their descriptions claim."""
    S = states(trajs)
    if cls is CartPole:
        assert trajs[1][1]["state"][0][0] == 2.4 and trajs[1][1]["term"][0] == 0
        assert trajs[3][1]["state"][0][2] == CartPole.THETA_LIM and trajs[3][1]["term"][0] == 0
        assert trajs[5][1]["state"][0][0] <= 2.4 < trajs[6][1]["state"][0][0]
        assert trajs[1][1]["reward"][2] == 0.0
    elif cls is Acrobot:
        assert np.any(np.abs(S[:, 2]) == Acrobot.VMAX1) and np.any(np.abs(S[:, 3]) == Acrobot.VMAX2)
        for k in (3, 4):
            th = states(trajs, k)[:, :2]
            assert np.any(np.abs(np.diff(th, axis=0)) > PI)  # wrapped
        assert trajs[1][1]["term"][0] == 0 and trajs[2][1]["term"][0] == 1
    elif cls in (MountainCar, MountainCarContinuous):
        q = f32 if cls is MountainCarContinuous else float
        assert np.any((S[:, 0] == q(-1.2)) & (S[:, 1] == 0.0))  # left wall
        assert np.any(S[:, 1] == q(0.07)) and np.any(S[:, 1] == q(-0.07))
        if cls is MountainCar:
            assert trajs[2][1]["state"][0][0] == 0.5 and trajs[2][1]["term"][0] == 1
        assert trajs[3 if cls is MountainCar else 4][1]["state"][0][1] == 0.0
    elif cls is Pendulum:
        assert np.any(S[:, 1] == 8) and np.any(S[:, 1] == -8) and np.any(S[:, 0] > 2 * PI)
        assert trajs[4][1]["pow2"] == 2


ENVS = [
    (CartPole, cartpole_trajs, 101),
    (Acrobot, acrobot_trajs, 202),
    (MountainCar, mountain_car_trajs, 303),
    (MountainCarContinuous, mountain_car_continuous_trajs, 404),
    (Pendulum, pendulum_trajs, 505),
]


# ------------------------------------------------------------------------------ output
def fmt(v):
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return repr(float(v))  # shortest repr: strtod reads back the same double


def write_array(f, name, values, per_line):
    values = list(values)
    f.write(f"{name} {len(values)}\n")
    for i in range(0, len(values), per_line):
        f.write(" ".join(fmt(v) for v in values[i:i + per_line]) + "\n")


def write_env(path, cls, trajs, seed, pow2_count):
    with open(path, "w") as f:
        f.write(f"# {cls.id}: reference trajectories by scripts/env_golden.py (NumPy "
                f"{np.__version__}, seed {seed}).\n")
        f.write("# Do not edit. Regenerate: /usr/bin/python3 scripts/env_golden.py --out tests/data\n")
        f.write("# float64 state (MountainCarContinuous: float32 after a step), float32 obs, "
                "float64 reward; libm sin/cos/pow; NumPy 1.x promotion.\n")
        f.write(f"# Arguments met where libm pow(x, 2) != x*x: {pow2_count}.\n")
        f.write("# spec: obs_dim act_kind(0 discrete, 1 box) act_n max_steps state_size\n")
        write_array(f, "spec", [cls.obs_dim, cls.act_kind, cls.act_n, cls.max_steps,
                                cls.state_size], 5)  # ints
        write_array(f, "obs_low", cls.obs_low, 8)
        write_array(f, "obs_high", cls.obs_high, 8)
        if cls.act_low is not None:
            write_array(f, "act_low", cls.act_low, 8)
            write_array(f, "act_high", cls.act_high, 8)
        write_array(f, "ntraj", [len(trajs)], 1)
        act_dim = 1
        for k, (desc, t) in enumerate(trajs):
            n_term = sum(t["term"])
            f.write(f"# t{k}: {desc}; {len(t['actions'])} steps, {n_term} terminated\n")
            write_array(f, f"t{k}_start", t["start"], 8)
            write_array(f, f"t{k}_obs0", t["obs0"], 8)
            write_array(f, f"t{k}_actions", t["actions"], 10)
            write_array(f, f"t{k}_obs", np.concatenate(t["obs"]), cls.obs_dim)
            write_array(f, f"t{k}_reward", t["reward"], 5)
            write_array(f, f"t{k}_terminated", t["term"], 25)
            write_array(f, f"t{k}_state", np.concatenate(t["state"]), cls.state_size)
            assert len(t["actions"]) * act_dim == len(t["reward"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="tests/data", help="output directory")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for cls, make, seed in ENVS:
        trajs = make(np.random.RandomState(seed))
        check_coverage(cls, trajs)
        n_pow2 = sum(t["pow2"] for _, t in trajs)
        path = os.path.join(args.out, f"env_{cls.name}.txt")
        write_env(path, cls, trajs, seed, n_pow2)
        print(f"{path}: {len(trajs)} trajectories, "
              f"{sum(len(t['actions']) for _, t in trajs)} steps, "
              f"{n_pow2} pow(x,2) != x*x", file=sys.stderr)


if __name__ == "__main__":
    main()
