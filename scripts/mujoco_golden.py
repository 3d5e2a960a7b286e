#!/usr/bin/python3
"""mujoco_golden.py - independent reference trajectories for mpirl's MuJoCo set.

Restates, with NumPy over Debian 12's libmujoco 2.2.2 (through scripts/mjctypes.py, no
MuJoCo Python bindings), the step / observation / reward / termination logic of
Gymnasium 1.4.0's 22 MuJoCo environments with their default constructor arguments:
Hopper, HalfCheetah, Walker2d, Ant, Humanoid, HumanoidStandup, Swimmer,
InvertedPendulum, InvertedDoublePendulum, Reacher and Pusher, each -v4 and -v5. The
models are Gymnasium's own asset files (gymnasium/envs/mujoco/assets/*.xml), read
from --assets; nothing else of Gymnasium is used, and no C code of mpirl is read.
For each id it writes tests/data/mj_<Id>.txt, which the C tests replay.

Simulation, as Gymnasium's MujocoEnv does it:
  * model = mj_loadXML(asset); data = mj_makeData; init_qpos = qpos0, init_qvel = 0.
  * reset: mj_resetData, then the env's reset_model draws (qpos, qvel) and set_state
    writes them and calls mj_forward. A trajectory here starts exactly so: the file's
    tK_qpos / tK_qvel are what set_state received.
  * step(action): data.ctrl[:] = action (the float32 action widened to double, NOT
    clipped: MuJoCo clamps ctrl to ctrlrange internally, data.ctrl keeps the raw
    value), mj_step frame_skip times, then mj_rnePostConstraint once.
  * mj_forward normalises free-joint quaternions IN PLACE in data.qpos (Ant, Humanoid,
    HumanoidStandup): after set_state, data.qpos[3:7] is not what was written. The
    files' tK_qpos is what set_state received (not unit-norm); tK_state is data.qpos.
  * dt = opt.timestep * frame_skip (a double product, not a decimal literal: 0.01*5
    is not the double nearest 0.05); velocities are (after - before) / dt.

What "after a step" means for derived quantities (xpos, xipos, site_xpos, cinert,
cvel, qfrc_actuator, qfrc_constraint, cfrc_ext): mj_step does not end with a forward
pass, so these belong to the last dynamics evaluation inside the last mj_step, not
to the final qpos/qvel:
  * Euler models (HalfCheetah, Pusher): the mj_forward at the START of the last
    mj_step, i.e. the qpos/qvel before its integration.
  * RK4 models (all others: option integrator="RK4"): the 4th Runge-Kutta stage of
    the last mj_step, state (q0 + h k3_v, v0 + h k3_a) at time t + h - neither the
    start nor the end state. (Checked: identical xpos to an mj_forward of that state.)
  * mj_rnePostConstraint then fills cacc/cfrc_int/cfrc_ext from those same
    quantities (and the last stage's constraint forces).
  * The constraint solver warm-starts from data.qacc_warmstart, which mj_resetData
    zeroes; so a trajectory's results depend on reset + the step sequence only.
  * Hence quantities read before a step (Ant's torso xpos, Humanoid's mass centre,
    Reacher-v4/Pusher-v4's pre-step reward) are from the previous step's last stage,
    or from set_state's mj_forward for the first step of an episode.

NumPy arithmetic reproduced (Debian 12: NumPy 1.24.2, OpenBLAS), which a C port must
follow to be bit-exact:
  * np.sum / .sum() of float64 or float32 (also 2-D contiguous arrays: one flat run):
    0 + pairwise(a), pairwise(n<8) = left-to-right; n<=128: 8 accumulators
    r[j] = a[j] + a[j+8] + ... over the largest multiple of 8, combined as
    ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the remaining a[i] added in order;
    n>128: split at n2 = n/2 rounded down to a multiple of 8. float32 data is summed
    in float32 (control costs of float32 actions: square and sum in float32, then the
    weight, a Python float, multiplies in double).
  * np.einsum("b,bj->j", body_mass, xipos) (Humanoid's mass centre): for each j a
    left-to-right sum over bodies from 0 of body_mass[b]*xipos[b,j] (separately
    rounded products, no FMA); divided by body_mass.sum() (pairwise, above).
  * np.linalg.norm of a 3-vector: sqrt(ddot) with OpenBLAS's ddot, which on x86-64
    with FMA is fma(v2,v2, fma(v1,v1, v0*v0)). This script computes exactly that (libm
    fma through ctypes) and counts disagreements with np.linalg.norm (header).
  * x**2 of a NumPy float64 scalar (InvertedDoublePendulum's penalties) is libm
    pow(x, 2), not x*x (about 1 argument in 1300 differs); computed with math.pow,
    mismatches with x*x counted (header). Arrays use np.square (x*x).
  * np.sin / np.cos of float64 arrays (InvertedDoublePendulum, Reacher observations)
    are libm sin / cos here (math.sin / math.cos). NumPy 1.24 on AVX-512 CPUs
    dispatches them to SVML, which differs from libm by an ulp or so; the number of
    such elements met on the generating machine is written in each header
    (NPY_DISABLE_CPU_FEATURES="AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL
    AVX512_ICL" makes NumPy call libm and gives 0).
  * np.clip(x, lo, hi) = min(max(x, lo), hi).

Random starts use numpy.random.default_rng(seed), which is what Gymnasium's
env.reset(seed=seed) uses (Generator(PCG64(SeedSequence(seed)))), with each env's
reset_model draw order; trajectory t0 of every id is what Gymnasium's reset(seed=S0)
would produce. Some trajectories then change the start (tilt, kick, drop) - each '#'
line says how. Trajectories stop at the first terminated step.

Cross-check (runs every time; --no-check skips it): every trajectory is replayed a
second time through one mjData that is reused across all trajectories of the id and
was first dirtied by an unrelated random episode (then mj_resetData'd as Gymnasium's
reset does); observations, rewards, flags and states must be bit-identical to the
run on a fresh mjModel/mjData.

Checked by hand when the data was made (not part of the build, nothing of it is in
the project): every file was replayed through Gymnasium 1.4.0's own environment
classes (gymnasium.make(id), unwrapped set_state / step, on a throw-away stand-in of
the mujoco bindings over mjctypes, NumPy's AVX-512 dispatch disabled as above): all 22
ids bit-identical in obs0, obs, reward, terminated and state_vector(), spec,
action bounds and max_episode_steps equal, and env.reset(seed=S0) gave t0's start.
With AVX-512 dispatch left on, Reacher and InvertedDoublePendulum observations differ
by 1 ulp (SVML sin/cos), nothing else.

Not needed to build or test: it only regenerates committed data. Run with Debian's
interpreter (python3-numpy), the assets extracted from Gymnasium 1.4.0:
    /usr/bin/python3 scripts/mujoco_golden.py --assets DIR --out tests/data
File format: see tests/testutil.h ("name count" line, then the values).
"""

import argparse
import ctypes
import ctypes.util
import hashlib
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mjctypes as mj  # noqa: E402

GYM_COMMIT = "3f0476a8cc224dcce2167cc4b6971ae0f04d5cfc"

_libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
_libm.fma.argtypes = [ctypes.c_double] * 3
_libm.fma.restype = ctypes.c_double


class Counters:
    """Per-file tallies of the NumPy/libm choices met (written in the header)."""

    def __init__(self):
        self.pow2 = 0       # pow(x, 2) != x*x
        self.trig = 0       # np.sin/np.cos (as NumPy runs here) != libm
        self.norm = 0       # np.linalg.norm != sqrt(fma chain)
        self.pow2_n = self.trig_n = self.norm_n = 0


C = Counters()


def pow2(x):
    """Gymnasium's x**2 of a NumPy float64 scalar: libm pow(x, 2)."""
    x = float(x)
    p = math.pow(x, 2)
    C.pow2_n += 1
    if p != x * x:
        C.pow2 += 1
    return np.float64(p)


def sin(v):
    """np.sin of a float64 array, as libm sin."""
    r = np.array([math.sin(float(x)) for x in v], dtype=np.float64)
    C.trig_n += len(v)
    C.trig += int(np.sum(np.sin(v) != r))
    return r


def cos(v):
    r = np.array([math.cos(float(x)) for x in v], dtype=np.float64)
    C.trig_n += len(v)
    C.trig += int(np.sum(np.cos(v) != r))
    return r


def norm(v):
    """np.linalg.norm of a 1-D float64 vector: sqrt(OpenBLAS ddot), a sequential FMA
    chain starting from v0*v0."""
    v = np.asarray(v, dtype=np.float64)
    s = 0.0
    for i, x in enumerate(v):
        x = float(x)
        s = x * x if i == 0 else _libm.fma(x, x, s)
    r = np.sqrt(np.float64(s))
    C.norm_n += 1
    if r != np.linalg.norm(v):
        C.norm += 1
    return r


def ctrl_cost(weight, a):
    """weight * np.sum(np.square(a)) (a float32: squares and sum in float32)."""
    return weight * np.sum(np.square(a))


# ------------------------------------------------------------------ MuJoCo plumbing
class Sim:
    """mjModel + mjData with 1-D / 2-D NumPy views shaped as the MuJoCo Python
    bindings shape them (qpos (nq,), xpos (nbody, 3), ...)."""

    def __init__(self, model, data=None):
        self.m = model
        self.d = data if data is not None else mj.Data(model)
        d = self.d
        col = lambda a: a[:, 0]  # noqa: E731  (n, 1) -> (n,)
        self.qpos = col(d.qpos)
        self.qvel = col(d.qvel)
        self.ctrl = col(d.ctrl)
        self.qfrc_actuator = col(d.qfrc_actuator)
        self.qfrc_constraint = col(d.qfrc_constraint)
        self.xpos = d.xpos
        self.xipos = d.xipos
        self.site_xpos = d.site_xpos
        self.cinert = d.cinert
        self.cvel = d.cvel
        self.cfrc_ext = d.cfrc_ext
        self.body_mass = col(model.body_mass)
        self.timestep = float(model.opt.timestep)

    def body(self, name):
        i = self.m.name2id(mj.mjOBJ_BODY, name)
        assert i >= 0, name
        return i


class MjEnv:
    """Common part of Gymnasium's MujocoEnv as used by the 22 ids."""

    id = None
    xml = None
    frame_skip = None
    max_steps = 1000
    can_terminate = False
    summary = ""

    def __init__(self, model, data=None):
        self.sim = Sim(model, data)
        s = self.sim
        self.nq, self.nv, self.nu = model.nq, model.nv, model.nu
        self.init_qpos = model.qpos0[:, 0].copy()   # = data.qpos after mj_makeData
        self.init_qvel = np.zeros(self.nv)
        self.dt = s.timestep * self.frame_skip
        bounds = model.actuator_ctrlrange.copy().astype(np.float32)
        self.act_low, self.act_high = bounds.T
        self.setup()

    def setup(self):
        pass

    # Gymnasium: mj_resetData, then set_state(qpos, qvel) = write + mj_forward
    def reset_to(self, qpos, qvel):
        s = self.sim
        s.d.reset()
        s.qpos[:] = np.copy(qpos)
        s.qvel[:] = np.copy(qvel)
        s.d.forward()
        return self.obs()

    def do_simulation(self, action):
        s = self.sim
        s.ctrl[:] = action
        s.d.step(self.frame_skip)
        s.d.rne_post_constraint()

    def state_vector(self):
        return np.concatenate([self.sim.qpos.flat, self.sim.qvel.flat])

    def state(self):
        return self.state_vector()

    # reset_model's draw, returns (qpos, qvel) for set_state
    def draw(self, rng):
        raise NotImplementedError

    def uniform_draw(self, rng, scale):
        qpos = self.init_qpos + rng.uniform(low=-scale, high=scale, size=self.nq)
        qvel = self.init_qvel + rng.uniform(low=-scale, high=scale, size=self.nv)
        return qpos, qvel


# ---------------------------------------------------------------- Hopper / Walker2d
class Hopper(MjEnv):
    xml, frame_skip, can_terminate = "hopper.xml", 4, True
    v5 = False
    z_range, angle_range = (0.7, float("inf")), (-0.2, 0.2)
    state_range = (-100.0, 100.0)

    @property
    def summary(self):
        return ("obs = qpos[1:], clip(qvel, -10, 10); reward = (1.0*x_vel + healthy) - "
                "1e-3*sum(a^2) with x_vel = (qpos0_after - qpos0_before)/dt, healthy = "
                + ("is_healthy*1.0 (0 on the terminating step)" if self.v5 else
                   "1.0 always (v4: float(is_healthy or True))")
                + "; terminated = not is_healthy: " + self.health_text())

    def health_text(self):
        return ("all(-100 < state_vector()[2:] < 100) and 0.7 < qpos[1] and "
                "-0.2 < qpos[2] < 0.2 (strict)")

    def draw(self, rng):
        return self.uniform_draw(rng, 5e-3)

    def is_healthy(self):
        q = self.sim.qpos
        z, angle = q[1:3]
        state = self.state_vector()[2:]
        lo, hi = self.state_range
        healthy_state = np.all(np.logical_and(lo < state, state < hi))
        healthy_z = self.z_range[0] < z < self.z_range[1]
        healthy_angle = self.angle_range[0] < angle < self.angle_range[1]
        return all((healthy_state, healthy_z, healthy_angle))

    def healthy_reward(self):
        if self.v5:
            return self.is_healthy() * 1.0
        return float(self.is_healthy() or True) * 1.0

    def obs(self):
        s = self.sim
        position = s.qpos.flatten()[1:]
        velocity = np.clip(s.qvel.flatten(), -10, 10)
        return np.concatenate((position, velocity)).ravel()

    def step(self, a):
        s = self.sim
        x_before = s.qpos[0]
        self.do_simulation(a)
        x_after = s.qpos[0]
        x_velocity = (x_after - x_before) / self.dt
        forward_reward = 1.0 * x_velocity
        healthy_reward = self.healthy_reward()
        rewards = forward_reward + healthy_reward
        costs = ctrl_cost(1e-3, a)
        ob = self.obs()
        reward = rewards - costs
        terminated = not self.is_healthy()
        return ob, reward, terminated


class HopperV5(Hopper):
    v5 = True


class Walker2d(Hopper):
    xml = "walker2d.xml"
    z_range, angle_range = (0.8, 2.0), (-1.0, 1.0)

    def health_text(self):
        return "0.8 < qpos[1] < 2.0 and -1 < qpos[2] < 1 (strict; no state range)"

    def is_healthy(self):
        z, angle = self.sim.qpos[1:3]
        healthy_z = self.z_range[0] < z < self.z_range[1]
        healthy_angle = self.angle_range[0] < angle < self.angle_range[1]
        return healthy_z and healthy_angle


class Walker2dV5(Walker2d):
    xml = "walker2d_v5.xml"
    v5 = True


# ---------------------------------------------------------------- HalfCheetah / Swimmer
class HalfCheetah(MjEnv):
    xml, frame_skip = "half_cheetah.xml", 5
    summary = ("obs = qpos[1:], qvel; reward = 1.0*x_vel - 0.1*sum(a^2), x_vel from "
               "qpos[0]; never terminates (v4 = v5)")

    def draw(self, rng):
        qpos = self.init_qpos + rng.uniform(low=-0.1, high=0.1, size=self.nq)
        qvel = self.init_qvel + 0.1 * rng.standard_normal(self.nv)
        return qpos, qvel

    def obs(self):
        s = self.sim
        return np.concatenate((s.qpos.flatten()[1:], s.qvel.flatten())).ravel()

    def step(self, a):
        s = self.sim
        x_before = s.qpos[0]
        self.do_simulation(a)
        x_velocity = (s.qpos[0] - x_before) / self.dt
        forward_reward = 1.0 * x_velocity
        cost = ctrl_cost(0.1, a)
        ob = self.obs()
        return ob, forward_reward - cost, False


class Swimmer(MjEnv):
    xml, frame_skip = "swimmer.xml", 4
    summary = ("obs = qpos[2:], qvel; reward = 1.0*x_vel - 1e-4*sum(a^2), x_vel from "
               "qpos[0:2] (array difference / dt); never terminates (v4 = v5)")

    def draw(self, rng):
        return self.uniform_draw(rng, 0.1)

    def obs(self):
        s = self.sim
        return np.concatenate([s.qpos.flatten()[2:], s.qvel.flatten()]).ravel()

    def step(self, a):
        s = self.sim
        xy_before = s.qpos[0:2].copy()
        self.do_simulation(a)
        xy_after = s.qpos[0:2].copy()
        x_velocity, _ = (xy_after - xy_before) / self.dt
        forward_reward = 1.0 * x_velocity
        cost = ctrl_cost(1e-4, a)
        ob = self.obs()
        return ob, forward_reward - cost, False


# ---------------------------------------------------------------- Ant
class Ant(MjEnv):
    xml, frame_skip, can_terminate = "ant.xml", 5, True
    v5 = False

    @property
    def summary(self):
        if self.v5:
            return ("obs = qpos[2:], qvel, clip(cfrc_ext, -1, 1)[1:] (13x6); reward = "
                    "(x_vel*1 + is_healthy*1.0) - (0.5*sum(a^2) + 5e-4*sum(clip(cfrc_ext,"
                    "-1,1)^2) over all 14 bodies); x_vel from torso xpos[:2] (lagged); "
                    "terminated = not (finite(state) and 0.2 <= qpos[2] <= 1.0)")
        return ("obs = qpos[2:], qvel (27; use_contact_forces=False: no contact term); "
                "reward = (x_vel + 1.0) - 0.5*sum(a^2), x_vel from torso xpos[:2] "
                "(lagged); terminated = not (finite(state) and 0.2 <= qpos[2] <= 1.0)")

    def setup(self):
        self.torso = self.sim.body("torso")   # v5: main_body=1, the same body

    def draw(self, rng):
        qpos = self.init_qpos + rng.uniform(low=-0.1, high=0.1, size=self.nq)
        qvel = self.init_qvel + 0.1 * rng.standard_normal(self.nv)
        return qpos, qvel

    def is_healthy(self):
        state = self.state_vector()
        return np.isfinite(state).all() and 0.2 <= state[2] <= 1.0

    def contact_forces(self):
        return np.clip(self.sim.cfrc_ext, -1.0, 1.0)

    def obs(self):
        s = self.sim
        position = s.qpos.flatten()[2:]
        velocity = s.qvel.flatten()
        if self.v5:
            return np.concatenate((position, velocity, self.contact_forces()[1:].flatten()))
        return np.concatenate((position, velocity))

    def step(self, a):
        s = self.sim
        xy_before = s.xpos[self.torso][:2].copy()
        self.do_simulation(a)
        xy_after = s.xpos[self.torso][:2].copy()
        x_velocity, _ = (xy_after - xy_before) / self.dt
        if self.v5:
            ob = self.obs()
            forward_reward = x_velocity * 1
            healthy_reward = self.is_healthy() * 1.0
            rewards = forward_reward + healthy_reward
            costs = ctrl_cost(0.5, a) + 5e-4 * np.sum(np.square(self.contact_forces()))
            reward = rewards - costs
            terminated = not self.is_healthy()
            return ob, reward, terminated
        forward_reward = x_velocity
        healthy_reward = float(self.is_healthy() or True) * 1.0
        rewards = forward_reward + healthy_reward
        costs = ctrl_cost(0.5, a)
        terminated = not self.is_healthy()
        ob = self.obs()
        return ob, rewards - costs, terminated


class AntV5(Ant):
    v5 = True


# ---------------------------------------------------------------- Humanoid(Standup)
def mass_center(sim):
    num = np.einsum("b,bj->j", sim.body_mass, sim.xipos)
    denom = sim.body_mass.sum()
    return (num / denom)[0:2].copy()


class HumanoidObs:
    v5 = False

    def obs(self):
        s = self.sim
        position = s.qpos.flatten()[2:]
        velocity = s.qvel.flatten()
        if self.v5:
            parts = (position, velocity, s.cinert[1:].flatten(), s.cvel[1:].flatten(),
                     s.qfrc_actuator[6:].flatten(), s.cfrc_ext[1:].flatten())
        else:
            parts = (position, velocity, s.cinert.flatten(), s.cvel.flatten(),
                     s.qfrc_actuator.flatten(), s.cfrc_ext.flatten())
        return np.concatenate(parts)

    OBS_V4 = "qpos[2:], qvel, cinert, cvel, qfrc_actuator, cfrc_ext (all 14 bodies)"
    OBS_V5 = ("qpos[2:], qvel, cinert[1:], cvel[1:], qfrc_actuator[6:], cfrc_ext[1:] "
              "(world body and root dofs dropped)")


class Humanoid(HumanoidObs, MjEnv):
    xml, frame_skip, can_terminate = "humanoid.xml", 5, True

    @property
    def summary(self):
        if self.v5:
            return ("obs = " + self.OBS_V5 + "; reward = (1.25*x_vel + is_healthy*5.0) - "
                    "(0.1*sum(ctrl^2) + clip(5e-7*sum(cfrc_ext^2), -inf, 10)); "
                    "terminated = not 1 < qpos[2] < 2")
        return ("obs = " + self.OBS_V4 + "; reward = (1.25*x_vel + 5.0) - 0.1*sum(ctrl^2)"
                "; x_vel from mass_center (einsum of body_mass, xipos; lagged); ctrl = "
                "float64 data.ctrl; terminated = not 1 < qpos[2] < 2")

    def draw(self, rng):
        return self.uniform_draw(rng, 1e-2)

    def is_healthy(self):
        return 1.0 < self.sim.qpos[2] < 2.0

    def step(self, a):
        s = self.sim
        xy_before = mass_center(s)
        self.do_simulation(a)
        xy_after = mass_center(s)
        x_velocity, _ = (xy_after - xy_before) / self.dt
        cost = 0.1 * np.sum(np.square(s.ctrl))   # data.ctrl: float64, unclamped
        forward_reward = 1.25 * x_velocity
        if self.v5:
            ob = self.obs()
            healthy_reward = self.is_healthy() * 5.0
            rewards = forward_reward + healthy_reward
            contact_cost = np.clip(5e-7 * np.sum(np.square(s.cfrc_ext)), -np.inf, 10.0)
            self.note_clip(5e-7 * np.sum(np.square(s.cfrc_ext)) > 10.0)
            reward = rewards - (cost + contact_cost)
            return ob, reward, not self.is_healthy()
        healthy_reward = float(self.is_healthy() or True) * 5.0
        rewards = forward_reward + healthy_reward
        ob = self.obs()
        return ob, rewards - cost, not self.is_healthy()

    clipped = 0

    def note_clip(self, hit):
        self.clipped += int(hit)


class HumanoidV5(Humanoid):
    v5 = True


class HumanoidStandup(HumanoidObs, MjEnv):
    xml, frame_skip = "humanoidstandup.xml", 5
    clipped = 0

    @property
    def summary(self):
        return ("obs = " + (self.OBS_V5 if self.v5 else self.OBS_V4) + "; reward = "
                "((qpos[2] - 0)/timestep - 0.1*sum(ctrl^2)) - "
                + ("clip(0.5e-6*sum(cfrc_ext^2), -inf, 10.0)" if self.v5 else
                   "min(0.5e-6*sum(cfrc_ext^2), 10)") + " + 1; never terminates")

    def draw(self, rng):
        return self.uniform_draw(rng, 0.01)

    def step(self, a):
        s = self.sim
        self.do_simulation(a)
        pos_after = s.qpos[2]
        uph_cost = (pos_after - 0) / s.timestep
        quad_ctrl_cost = 0.1 * np.square(s.ctrl).sum()
        quad_impact_cost = 0.5e-6 * np.square(s.cfrc_ext).sum()
        self.clipped += int(quad_impact_cost > 10)
        if self.v5:
            quad_impact_cost = np.clip(quad_impact_cost, -np.inf, 10.0)
        else:
            quad_impact_cost = min(quad_impact_cost, 10)
        reward = uph_cost - quad_ctrl_cost - quad_impact_cost + 1
        return self.obs(), reward, False


class HumanoidStandupV5(HumanoidStandup):
    v5 = True


# ---------------------------------------------------------------- pendulums
class InvertedPendulum(MjEnv):
    xml, frame_skip, can_terminate = "inverted_pendulum.xml", 2, True
    v5 = False

    @property
    def summary(self):
        return ("obs = qpos, qvel; reward = " + ("int(not terminated) (a Python int)"
                if self.v5 else "1.0 always") + "; terminated = not all(isfinite(obs)) "
                "or |obs[1]| > 0.2")

    def draw(self, rng):
        return self.uniform_draw(rng, 0.01)

    def obs(self):
        s = self.sim
        return np.concatenate([s.qpos, s.qvel]).ravel()

    def step(self, a):
        self.do_simulation(a)
        ob = self.obs()
        terminated = bool(not np.isfinite(ob).all() or (np.abs(ob[1]) > 0.2))
        reward = int(not terminated) if self.v5 else 1.0
        return ob, reward, terminated


class InvertedPendulumV5(InvertedPendulum):
    v5 = True


class InvertedDoublePendulum(MjEnv):
    xml, frame_skip, can_terminate = "inverted_double_pendulum.xml", 5, True
    v5 = False

    @property
    def summary(self):
        return ("obs = qpos[:1], sin(qpos[1:]), cos(qpos[1:]), clip(qvel,-10,10), "
                + ("clip(qfrc_constraint,-10,10)[:1]" if self.v5 else
                   "clip(qfrc_constraint,-10,10) (3)")
                + "; reward = " + ("10.0*int(not terminated)" if self.v5 else "10")
                + " - (0.01*x**2 + (y-2)**2) - (1e-3*v1**2 + 5e-3*v2**2) with (x,_,y) = "
                "site_xpos[0] (lagged), v1,v2 = qvel[1:3], ** = libm pow; terminated = "
                "y <= 1")

    def draw(self, rng):
        qpos = self.init_qpos + rng.uniform(low=-0.1, high=0.1, size=self.nq)
        qvel = self.init_qvel + rng.standard_normal(self.nv) * 0.1
        return qpos, qvel

    def obs(self):
        s = self.sim
        fc = np.clip(s.qfrc_constraint, -10, 10)
        return np.concatenate([s.qpos[:1], sin(s.qpos[1:]), cos(s.qpos[1:]),
                               np.clip(s.qvel, -10, 10), fc[:1] if self.v5 else fc]).ravel()

    def step(self, a):
        s = self.sim
        self.do_simulation(a)
        ob = self.obs()
        x, _, y = s.site_xpos[0]
        terminated = bool(y <= 1)
        dist_penalty = 0.01 * pow2(x) + pow2(y - 2)
        v1, v2 = s.qvel[1:3]
        vel_penalty = 1e-3 * pow2(v1) + 5e-3 * pow2(v2)
        alive_bonus = 10.0 * int(not terminated) if self.v5 else 10
        return ob, alive_bonus - dist_penalty - vel_penalty, terminated


class InvertedDoublePendulumV5(InvertedDoublePendulum):
    v5 = True


# ---------------------------------------------------------------- Reacher / Pusher
class Reacher(MjEnv):
    xml, frame_skip, max_steps = "reacher.xml", 2, 50
    v5 = False

    @property
    def summary(self):
        if self.v5:
            return ("obs = cos(qpos[:2]), sin(qpos[:2]), qpos[2:], qvel[:2], "
                    "(fingertip - target xpos)[:2] (10); reward AFTER the step = "
                    "-norm(fingertip - target)*1 + -sum(a^2)*1; never terminates")
        return ("obs = cos(qpos[:2]), sin(qpos[:2]), qpos[2:], qvel[:2], fingertip - "
                "target xpos (3) (11); reward from the state BEFORE the step = "
                "-norm(fingertip - target) + -sum(a^2); never terminates")

    def setup(self):
        self.fingertip = self.sim.body("fingertip")
        self.target = self.sim.body("target")

    def draw(self, rng):
        qpos = rng.uniform(low=-0.1, high=0.1, size=self.nq) + self.init_qpos
        while True:
            goal = rng.uniform(low=-0.2, high=0.2, size=2)
            if norm(goal) < 0.2:
                break
        qpos[-2:] = goal
        qvel = self.init_qvel + rng.uniform(low=-0.005, high=0.005, size=self.nv)
        qvel[-2:] = 0
        return qpos, qvel

    def vec(self):
        x = self.sim.xpos
        return x[self.fingertip] - x[self.target]

    def obs(self):
        s = self.sim
        theta = s.qpos.flatten()[:2]
        v = self.vec()
        return np.concatenate([cos(theta), sin(theta), s.qpos.flatten()[2:],
                               s.qvel.flatten()[:2], v[:2] if self.v5 else v])

    def reward(self, a):
        reward_dist = -norm(self.vec())
        reward_ctrl = -np.square(a).sum()
        if self.v5:
            reward_dist, reward_ctrl = reward_dist * 1, reward_ctrl * 1
        return reward_dist + reward_ctrl

    def step(self, a):
        if not self.v5:
            reward = self.reward(a)
        self.do_simulation(a)
        ob = self.obs()
        if self.v5:
            reward = self.reward(a)
        return ob, reward, False


class ReacherV5(Reacher):
    v5 = True


class Pusher(MjEnv):
    xml, frame_skip, max_steps = "pusher.xml", 5, 100
    v5 = False

    @property
    def summary(self):
        return ("obs = qpos[:7], qvel[:7], xpos of tips_arm, object, goal (23); reward "
                + ("AFTER the step = (-norm(obj-goal)*1 + -sum(a^2)*0.1) + "
                   "-norm(obj-tips)*0.5" if self.v5 else
                   "from the state BEFORE the step = (-norm(obj-goal) + 0.1*-sum(a^2)) "
                   "+ 0.5*-norm(obj-tips)")
                + "; never terminates")

    def setup(self):
        s = self.sim
        self.tips, self.object, self.goal = (s.body("tips_arm"), s.body("object"),
                                             s.body("goal"))

    def draw(self, rng):
        qpos = self.init_qpos    # Gymnasium aliases (and so mutates) init_qpos here
        goal_pos = np.asarray([0, 0])
        while True:
            cylinder_pos = np.concatenate([rng.uniform(low=-0.3, high=0, size=1),
                                           rng.uniform(low=-0.2, high=0.2, size=1)])
            if norm(cylinder_pos - goal_pos) > 0.17:
                break
        qpos[-4:-2] = cylinder_pos
        qpos[-2:] = goal_pos
        qvel = self.init_qvel + rng.uniform(low=-0.005, high=0.005, size=self.nv)
        qvel[-4:] = 0
        return qpos.copy(), qvel

    def obs(self):
        s = self.sim
        x = s.xpos
        return np.concatenate([s.qpos.flatten()[:7], s.qvel.flatten()[:7],
                               x[self.tips], x[self.object], x[self.goal]])

    def reward(self, a):
        x = self.sim.xpos
        vec_1 = x[self.object] - x[self.tips]
        vec_2 = x[self.object] - x[self.goal]
        if self.v5:
            reward_near = -norm(vec_1) * 0.5
            reward_dist = -norm(vec_2) * 1
            reward_ctrl = -np.square(a).sum() * 0.1
            return reward_dist + reward_ctrl + reward_near
        reward_near = -norm(vec_1)
        reward_dist = -norm(vec_2)
        reward_ctrl = -np.square(a).sum()
        return reward_dist + 0.1 * reward_ctrl + 0.5 * reward_near

    def step(self, a):
        if not self.v5:
            reward = self.reward(a)
        self.do_simulation(a)
        ob = self.obs()
        if self.v5:
            reward = self.reward(a)
        return ob, reward, False


class PusherV5(Pusher):
    xml = "pusher_v5.xml"
    v5 = True


ENVS = [
    ("Hopper-v4", Hopper), ("Hopper-v5", HopperV5),
    ("HalfCheetah-v4", HalfCheetah), ("HalfCheetah-v5", HalfCheetah),
    ("Walker2d-v4", Walker2d), ("Walker2d-v5", Walker2dV5),
    ("Ant-v4", Ant), ("Ant-v5", AntV5),
    ("Humanoid-v4", Humanoid), ("Humanoid-v5", HumanoidV5),
    ("HumanoidStandup-v4", HumanoidStandup), ("HumanoidStandup-v5", HumanoidStandupV5),
    ("Swimmer-v4", Swimmer), ("Swimmer-v5", Swimmer),
    ("InvertedPendulum-v4", InvertedPendulum), ("InvertedPendulum-v5", InvertedPendulumV5),
    ("InvertedDoublePendulum-v4", InvertedDoublePendulum),
    ("InvertedDoublePendulum-v5", InvertedDoublePendulumV5),
    ("Reacher-v4", Reacher), ("Reacher-v5", ReacherV5),
    ("Pusher-v4", Pusher), ("Pusher-v5", PusherV5),
]


# ------------------------------------------------------------------ trajectories
def policy_uniform(scale=1.0):
    def pol(env, rng, ob):
        return rng.uniform(scale * env.act_low, scale * env.act_high).astype(np.float32)
    return pol


def policy_bang(scale=3.0):
    def pol(env, rng, ob):
        sign = rng.integers(0, 2, size=env.nu) * 2 - 1
        return np.where(sign > 0, scale * env.act_high, scale * env.act_low).astype(np.float32)
    return pol


def policy_pendulum(env, rng, ob):
    """A noisy balancing rule for InvertedPendulum (obs x, theta, xdot, thetadot)."""
    u = 8.0 * ob[1] + 1.5 * ob[3] + 0.2 * ob[0] + 0.5 * ob[2] + rng.normal(0, 0.3)
    return np.array([np.clip(u, env.act_low[0], env.act_high[0])], dtype=np.float32)


# gain of a discrete LQR on a finite-difference linearisation of the upright double
# pendulum (h = 0.05), found once; only a generator of test actions
IDP_K = np.array([0.087708, 1.056977, 4.737271, 0.162041, 0.639206, 0.700938])


def policy_double_pendulum(env, rng, ob):
    s = np.concatenate([env.sim.qpos, env.sim.qvel])
    u = -(IDP_K @ s) + rng.normal(0, 0.05)
    return np.array([np.clip(u, env.act_low[0], env.act_high[0])], dtype=np.float32)


def run(env, qpos, qvel, actions_or_policy, T, rng=None):
    """One trajectory from set_state(qpos, qvel): T steps or up to terminated."""
    t = {"qpos": np.array(qpos, dtype=np.float64), "qvel": np.array(qvel, dtype=np.float64),
         "actions": [], "obs": [], "reward": [], "term": [], "state": []}
    ob = env.reset_to(qpos, qvel)
    t["obs0"] = ob
    for k in range(T):
        if callable(actions_or_policy):
            a = actions_or_policy(env, rng, ob)
        else:
            a = actions_or_policy[k]
        assert a.dtype == np.float32 and a.shape == (env.nu,)
        ob, r, term = env.step(a)
        t["actions"].append(a)
        t["obs"].append(np.asarray(ob, dtype=np.float64).copy())
        t["reward"].append(float(r))
        t["term"].append(int(bool(term)))
        t["state"].append(env.state().copy())
        if term:
            break
    return t


def trajectories(env, seed, n0, n1):
    """[(description, trajectory)] for one id."""
    out = []

    # t0: reset_model's draw, uniform actions inside the bounds
    rng = np.random.default_rng(seed)
    q, v = env.draw(rng)
    t = run(env, q, v, policy_uniform(), n0, rng)
    out.append((f"reset draw of default_rng({seed}) (= Gymnasium reset(seed={seed})), "
                "uniform actions inside the bounds", t))

    # t1: actions up to 3x the bounds (Gymnasium does not clip; MuJoCo clamps ctrl)
    rng = np.random.default_rng(seed + 1)
    q, v = env.draw(rng)
    t = run(env, q, v, policy_uniform(3.0), n1, rng)
    out.append((f"reset draw of default_rng({seed + 1}), actions uniform in 3x the "
                "bounds (unclipped)", t))

    # t2: an episode run until terminated
    if env.can_terminate:
        found = False
        for desc, mod, pol in t2_recipes(env):
            rng = np.random.default_rng(seed + 2)
            q, v = env.draw(rng)
            mod(q, v)
            t = run(env, q, v, pol, 400, rng)
            if t["term"][-1]:
                out.append((f"reset draw of default_rng({seed + 2}), {desc}, until "
                            "terminated", t))
                found = True
                break
        assert found, f"{env.id}: no t2 recipe terminates"

    # t3: extra coverage
    extra = t3_recipe(env)
    if extra is not None:
        desc, mod, pol, T = extra
        rng = np.random.default_rng(seed + 3)
        q, v = env.draw(rng)
        mod(q, v)
        t = run(env, q, v, pol, T, rng)
        out.append((f"reset draw of default_rng({seed + 3}), {desc}", t))
    return out


def nomod(q, v):
    pass


def t2_recipes(env):
    if isinstance(env, Ant):
        def kick(q, v):
            v[2] += 3.0
        return [("bang-bang actions at 3x the bounds", nomod, policy_bang()),
                ("start kicked upwards (qvel[2] += 3), uniform actions", kick,
                 policy_uniform())]
    if isinstance(env, (InvertedPendulum, InvertedDoublePendulum)):
        return [("actions uniform in 3x the bounds", nomod, policy_uniform(3.0))]
    return [("bang-bang actions at 3x the bounds", nomod, policy_bang())]


def t3_recipe(env):
    if isinstance(env, InvertedPendulum):
        return ("a noisy balancing rule, 100 steps", nomod, policy_pendulum, 100)
    if isinstance(env, InvertedDoublePendulum):
        return ("a noisy LQR balancing rule on (qpos, qvel), 100 steps", nomod,
                policy_double_pendulum, 100)
    if isinstance(env, Humanoid):
        def drop(q, v):
            q[2] = 1.9
            v[2] = -6.0
        return ("dropped: qpos[2] = 1.9, qvel[2] = -6 (hard landing), uniform actions, "
                "until terminated", drop, policy_uniform(), 60)
    if isinstance(env, HumanoidStandup):
        def drop(q, v):
            q[2] += 1.0
            v[2] = -6.0
        return ("dropped: qpos[2] += 1, qvel[2] = -6 (hard landing), uniform actions, "
                "30 steps", drop, policy_uniform(), 30)
    if env.can_terminate:
        return ("small actions (5% of the bounds), up to 150 steps or terminated", nomod,
                policy_uniform(0.05), 150)
    return None


# ------------------------------------------------------------------ cross-check
def replay_check(env_id, cls, model_path, trajs):
    """Replay every trajectory through one reused, previously dirtied mjData and
    require bit-identical results. Returns the number of steps compared."""
    saved = dict(C.__dict__)
    model, err = mj.load_xml(model_path)
    assert model is not None, err
    env = cls(model)
    env.id = env_id
    rng = np.random.default_rng(12345)
    q, v = env.draw(rng)                      # dirty the data: warm start, contacts...
    run(env, q, v, policy_uniform(2.0), 30, rng)
    n = 0
    for desc, t in trajs:
        r = run(env, t["qpos"], t["qvel"], t["actions"], len(t["actions"]))
        same = (np.array_equal(r["obs0"], t["obs0"])
                and all(np.array_equal(a, b) for a, b in zip(r["obs"], t["obs"]))
                and r["reward"] == t["reward"] and r["term"] == t["term"]
                and all(np.array_equal(a, b) for a, b in zip(r["state"], t["state"])))
        assert same, f"{env_id}: replay through a reused mjData differs ({desc})"
        n += len(t["actions"])
    C.__dict__.update(saved)
    return n


# ------------------------------------------------------------------ output
def fmt(v):
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return repr(float(v))  # shortest repr: strtod reads back the same double


def write_array(f, name, values, per_line):
    values = list(values)
    f.write(f"{name} {len(values)}\n")
    per_line = max(1, per_line)
    for i in range(0, len(values), per_line):
        f.write(" ".join(fmt(v) for v in values[i:i + per_line]) + "\n")


def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def write_env(path, env, trajs, seed, asset_path, notes):
    obs_dim = len(trajs[0][1]["obs0"])
    act_dim = env.nu
    ns = env.nq + env.nv
    with open(path, "w") as f:
        f.write(f"# {env.id}: reference trajectories by scripts/mujoco_golden.py (MuJoCo "
                f"{mj.VERSION // 100}.{mj.VERSION // 10 % 10}.{mj.VERSION % 10} "
                f"via ctypes, NumPy {np.__version__}, seed {seed}).\n")
        f.write("# Do not edit. Regenerate: /usr/bin/python3 scripts/mujoco_golden.py "
                "--assets DIR --out tests/data\n")
        f.write(f"# Model: Gymnasium 1.4.0 ({GYM_COMMIT[:12]}) gymnasium/envs/mujoco/assets/"
                f"{env.xml}, sha256 {sha256(asset_path)}; frame_skip {env.frame_skip}, "
                f"dt = {env.sim.timestep!r} * {env.frame_skip}.\n")
        f.write(f"# {env.id}: {env.summary}.\n")
        f.write("# " + ("Can terminate; trajectories stop at the first terminated step."
                        if env.can_terminate else
                        "Cannot terminate (terminated is always False); no t2 episode.")
                + f" Time limit (max_episode_steps) {env.max_steps}, not applied here.\n")
        f.write("# Derived quantities after a step belong to the last dynamics evaluation "
                "of the last mj_step (Euler: its start; RK4: its 4th stage); see the "
                "script's docstring.\n")
        for line in notes:
            f.write(f"# {line}\n")
        f.write("# spec: obs_dim act_dim max_episode_steps nq nv frame_skip\n")
        write_array(f, "spec", [obs_dim, act_dim, env.max_steps, env.nq, env.nv,
                                env.frame_skip], 6)
        write_array(f, "act_low", env.act_low, act_dim)
        write_array(f, "act_high", env.act_high, act_dim)
        write_array(f, "ntraj", [len(trajs)], 1)
        for k, (desc, t) in enumerate(trajs):
            T = len(t["actions"])
            f.write(f"# t{k}: {desc}; {T} steps, {sum(t['term'])} terminated\n")
            write_array(f, f"t{k}_qpos", t["qpos"], env.nq)
            write_array(f, f"t{k}_qvel", t["qvel"], env.nv)
            write_array(f, f"t{k}_obs0", t["obs0"], obs_dim)
            write_array(f, f"t{k}_actions", np.concatenate(t["actions"]), act_dim)
            write_array(f, f"t{k}_obs", np.concatenate(t["obs"]), obs_dim)
            write_array(f, f"t{k}_reward", t["reward"], 5)
            write_array(f, f"t{k}_terminated", t["term"], 25)
            write_array(f, f"t{k}_state", np.concatenate(t["state"]), ns)
            assert all(len(o) == obs_dim for o in t["obs"])


# lengths of t0 / t1 (Humanoid-sized observations get fewer steps)
LENGTHS = {"HumanoidStandup": (60, 30), "Humanoid": (100, 50), "Reacher": (50, 50)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", required=True,
                    help="directory of Gymnasium 1.4.0's gymnasium/envs/mujoco/assets/*.xml")
    ap.add_argument("--out", default="tests/data", help="output directory")
    ap.add_argument("--only", default=None, help="comma-separated ids to write")
    ap.add_argument("--no-check", action="store_true", help="skip the replay cross-check")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    assert mj.VERSION == 222, f"expected libmujoco 2.2.2, found {mj.VERSION}"
    only = set(args.only.split(",")) if args.only else None
    cannot = [i for i, c in ENVS if not c.can_terminate]
    for i, (env_id, cls) in enumerate(ENVS):
        if only and env_id not in only:
            continue
        C.__init__()
        asset = os.path.join(args.assets, cls.xml)
        model, err = mj.load_xml(asset)
        if model is None:
            raise SystemExit(f"{asset}: {err}")
        env = cls(model)
        env.id = env_id
        seed = 1000 + 10 * i
        n0, n1 = LENGTHS.get(env_id.split("-")[0], (100, 50))
        trajs = trajectories(env, seed, n0, n1)
        if env.can_terminate:
            assert any(t["term"][-1] for _, t in trajs), env_id
        obs_clipped = 0
        if isinstance(env, (Hopper, InvertedDoublePendulum)):
            obs_clipped = sum(int(np.sum(np.abs(env_vel) == 10.0))
                              for _, t in trajs for env_vel in t["obs"])
        notes = []
        if C.pow2_n:
            notes.append(f"libm pow(x, 2) calls: {C.pow2_n}, of which != x*x: {C.pow2}.")
        if C.trig_n:
            notes.append(f"sin/cos elements: {C.trig_n}; np.sin/np.cos on the generating "
                         f"machine differed from libm in {C.trig} (libm is what is "
                         "written).")
        if C.norm_n:
            notes.append(f"norms: {C.norm_n}; np.linalg.norm != sqrt(fma chain) in "
                         f"{C.norm}.")
        if isinstance(env, HumanoidStandup) or isinstance(env, HumanoidV5):
            notes.append(f"steps whose contact/impact cost exceeded 10 (clipped): "
                         f"{env.clipped}.")
        if obs_clipped:
            notes.append(f"observation entries equal to +-10 (clipped): {obs_clipped}.")
        if not args.no_check:
            n = replay_check(env_id, cls, asset, trajs)
            notes.append(f"Cross-checked: all {n} steps replayed bit-identically through "
                         "one reused, previously dirtied mjData.")
        notes.append("Ids that cannot terminate: " + ", ".join(cannot) + ".")
        path = os.path.join(args.out, f"mj_{env_id}.txt")
        write_env(path, env, trajs, seed, asset, notes)
        print(f"{path}: {len(trajs)} trajectories, "
              f"{sum(len(t['actions']) for _, t in trajs)} steps, "
              f"{sum(sum(t['term']) for _, t in trajs)} terminated, "
              f"{os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
