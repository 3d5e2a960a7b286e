#!/usr/bin/python3
"""group_golden.py - reference values of group.h (tests/test_group.c) from PyTorch.

    /usr/bin/python3 scripts/group_golden.py [--out tests/data]

Writes group.txt in tests/testutil.h's golden format:
    ret            returns of 5 groups of 6 members (one group with equal returns)
    grpo, dr_grpo  the group-relative advantages: (R - mean) / (std + 1e-8) with
                   torch.std's Bessel correction, and R - mean (Dr. GRPO)
    rloo           R_i minus the mean of the other members, an explicit loop over j != i
    ret1, rloo1    a group of one: no other member, advantage 0 (GRPO and Dr. GRPO too)
    logp, ref_logp log-probs of actions under a policy and under a reference
    k3, dk3        k3 = q - log q - 1 with q = exp(ref_logp - logp), and its derivative by
                   torch.autograd with respect to logp
"""
import argparse
import os

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests",
                                                  "data"))
    args = ap.parse_args()
    g = torch.Generator().manual_seed(20261203)
    G, n_groups = 6, 5
    ret = (torch.randn(n_groups, G, generator=g, dtype=torch.float64) * 40 + 100)
    ret[2] = 200.0  # every member alike: GRPO's numerator is 0
    ret[4, 3] = ret[4, 1]  # a tie inside a group
    mean = ret.mean(dim=1, keepdim=True)
    grpo = (ret - mean) / (ret.std(dim=1, keepdim=True) + 1e-8)
    dr = ret - mean
    rloo = torch.empty_like(ret)
    for k in range(n_groups):
        for i in range(G):
            others = [ret[k, j] for j in range(G) if j != i]
            rloo[k, i] = ret[k, i] - sum(others) / len(others)

    logp = torch.randn(12, generator=g, dtype=torch.float64) - 1.5
    ref_logp = logp + 0.5 * torch.randn(12, generator=g, dtype=torch.float64)
    ref_logp[0] = logp[0]  # the same policy: k3 = 0, dk3 = 0
    lp = logp.clone().requires_grad_(True)
    log_q = ref_logp - lp
    k3 = torch.exp(log_q) - log_q - 1
    (dk3,) = torch.autograd.grad(k3.sum(), lp)

    arrays = [("ret", ret), ("grpo", grpo), ("dr_grpo", dr), ("rloo", rloo),
              ("ret1", torch.tensor([42.0])), ("rloo1", torch.tensor([0.0])),
              ("logp", logp), ("ref_logp", ref_logp), ("k3", k3.detach()), ("dk3", dk3)]
    path = os.path.join(args.out, "group.txt")
    with open(path, "w") as f:
        f.write("# Do not edit. Regenerate: /usr/bin/python3 scripts/group_golden.py --out "
                "tests/data\n")
        f.write(f"# torch {torch.__version__}; {n_groups} groups of {G} members\n")
        for name, v in arrays:
            flat = v.reshape(-1).tolist()
            f.write(f"{name} {len(flat)}\n" + "\n".join(repr(float(x)) for x in flat) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
