#!/usr/bin/python3
"""export_reference.py - reference outputs of an exported policy, computed from the
safetensors file alone with numpy (Debian's python3-numpy), for tests/test_export.c.

    scripts/export_reference.py FILE.safetensors OUT.txt [--torch]

Reads the file as the safetensors specification describes it (a little-endian u64
header length, the JSON header, the raw tensors), rebuilds the policy and value
networks from the metadata (hidden sizes, activation) and the tensors named as in a
PyTorch nn.Sequential, and evaluates them in float64 with numpy's exact tanh on fixed
observations: 64 drawn around the normaliser's mean (up to 4 of its standard
deviations away, and a few far outside, so that the clip is used), then
    obs       the observations (float32 values)
    x         the normalised observations, as the networks take them
    out       the policy's output (logits or Gaussian means)
    value     the value network's output
    action    the deterministic action (argmax; the mean clipped to the bounds)
in tests/testutil.h's golden format (a line "name count", then the values).

--torch also loads the tensors into torch.nn.Sequential modules with load_state_dict
(strict: every name and shape must match) and checks that torch gives the same
outputs (Debian's python3-torch); it changes nothing in OUT.

The committed references were made by
    mpirl export --checkpoint tests/data/export/NAME.ckpt --format safetensors \
        --out tests/data/export/NAME.safetensors
    scripts/export_reference.py tests/data/export/NAME.safetensors tests/data/export/NAME.txt
for NAME in cartpole and pendulum.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64}


def read_safetensors(path):
    """(tensors by name, metadata) of a safetensors file, checked as the format asks"""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    assert all(isinstance(v, str) for v in meta.values()), "metadata values must be strings"
    data = raw[8 + n:]
    spans = sorted(tuple(t["data_offsets"]) for t in header.values())
    end = 0
    for b, e in spans:
        assert b == end, "tensors must cover the data without holes or overlaps"
        end = e
    assert end == len(data), "the data must end with the last tensor"
    tensors = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        dt = np.dtype(DTYPES[t["dtype"]]).newbyteorder("<")
        a = np.frombuffer(data[b:e], dtype=dt).astype(DTYPES[t["dtype"]])
        assert a.size == int(np.prod(t["shape"])), name
        tensors[name] = a.reshape(t["shape"])
    return tensors, meta


def layers(tensors, prefix):
    """the Linear layers of an nn.Sequential: prefix.0, prefix.2, ..."""
    out = []
    while f"{prefix}.{2 * len(out)}.weight" in tensors:
        k = 2 * len(out)
        out.append((tensors[f"{prefix}.{k}.weight"].astype(np.float64),
                    tensors[f"{prefix}.{k}.bias"].astype(np.float64)))
    return out


def forward(net, x, activation):
    act = np.tanh if activation == "tanh" else (lambda z: np.maximum(z, 0.0))
    for i, (w, b) in enumerate(net):
        x = x @ w.T + b
        if i + 1 < len(net):
            x = act(x)
    return x


def observations(tensors, meta, n=64, seed=12345):
    """fixed float32 observations around the normaliser's mean"""
    rng = np.random.RandomState(seed)
    mean = tensors["obs_norm.mean"]
    std = np.sqrt(tensors["obs_norm.var"])
    d = mean.size
    obs = mean + std * rng.uniform(-4.0, 4.0, size=(n, d))
    obs[-4:] = mean + std * rng.choice([-1.0, 1.0], size=(4, d)) * 50.0  # beyond the clip
    return obs.astype(np.float32)


def normalise(tensors, meta, obs):
    x = obs.astype(np.float64)
    if meta["norm_obs"] != "true":
        return x
    eps, clip = float(meta["obs_norm_eps"]), float(meta["obs_clip"])
    x = (x - tensors["obs_norm.mean"]) / np.sqrt(tensors["obs_norm.var"] + eps)
    return np.clip(x, -clip, clip)


def main(argv):
    args = [a for a in argv[1:] if a != "--torch"]
    if len(args) != 2:
        sys.exit(__doc__)
    tensors, meta = read_safetensors(args[0])
    obs = observations(tensors, meta)
    x = normalise(tensors, meta, obs)
    pi, vf = layers(tensors, "pi"), layers(tensors, "vf")
    out = forward(pi, x, meta["activation"])
    value = forward(vf, x, meta["activation"])[:, 0]
    if meta["action_space"] == "discrete":
        action = np.argmax(out, axis=1).astype(np.float64)[:, None]
    else:
        lo = np.array([float(v) for v in meta["act_low"].split(",")])
        hi = np.array([float(v) for v in meta["act_high"].split(",")])
        action = np.clip(out, lo, hi)
    if "--torch" in argv:
        check_torch(tensors, meta, x, out, value)
    with open(args[1], "w") as f:
        f.write(f"# {meta['env']} policy of {args[0].split('/')[-1]}: scripts/export_reference.py\n")
        for name, v in (("obs", obs), ("x", x), ("out", out), ("value", value),
                        ("action", action)):
            flat = np.asarray(v, dtype=np.float64).ravel()
            f.write(f"{name} {flat.size}\n")
            f.write("\n".join(repr(float(a)) for a in flat) + "\n")


def check_torch(tensors, meta, x, out, value):
    """the names match torch.nn.Sequential's state_dict and torch computes the same"""
    import torch
    from torch import nn

    def sequential(prefix):
        net = layers(tensors, prefix)
        mods = []
        for i, (w, _) in enumerate(net):
            mods.append(nn.Linear(w.shape[1], w.shape[0]))
            if i + 1 < len(net):
                mods.append(nn.Tanh() if meta["activation"] == "tanh" else nn.ReLU())
        seq = nn.Sequential(*mods).double()
        sd = {k[len(prefix) + 1:]: torch.from_numpy(v.astype(np.float64))
              for k, v in tensors.items() if k.startswith(prefix + ".")}
        seq.load_state_dict(sd, strict=True)
        return seq

    with torch.no_grad():
        xt = torch.from_numpy(x)
        t_out = sequential("pi")(xt).numpy()
        t_value = sequential("vf")(xt).numpy()[:, 0]
    assert np.allclose(t_out, out, rtol=0, atol=1e-12), "torch's policy output differs"
    assert np.allclose(t_value, value, rtol=0, atol=1e-12), "torch's value differs"
    print(f"torch {torch.__version__}: nn.Sequential loads pi and vf strictly, same outputs")


if __name__ == "__main__":
    main(sys.argv)
