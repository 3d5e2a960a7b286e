#!/usr/bin/python3
"""fit_tanh.py - coefficients of mpirl's vectorizable tanh (src/common/mlp.c).

tanh is evaluated in two branches (see mlp.c):
  |x| <  0.55: tanh(x) = x + x^3 P(x^2)        P of degree 5 in x^2
  |x| >= 0.55: tanh(x) = 1 - 2 / (2^z + 1)     z = 2 |x| log2(e), 2^z = 2^k 2^f,
                                               2^f = E(f), f in [-0.5, 0.5], E of degree 6
Both polynomials are near-minimax fits (least squares on Chebyshev nodes refined by
Lawson's reweighting), relative error for E, absolute error of (tanh(x) - x) / x^3 for
P. Prints the coefficients as C initialisers and the fit errors. Only needed to
regenerate the constants: /usr/bin/python3 scripts/fit_tanh.py
"""

import numpy as np


def minimax(xs, target, degree, power, relative, iters=200):
    """Coefficients c of sum_k c_k (xs^power)^k fitted to target in the max norm."""
    a = np.stack([(xs**power) ** k for k in range(degree + 1)], 1)
    w = 1 / np.abs(target) if relative else np.ones_like(xs)
    lw = np.ones_like(xs)
    best = None
    for _ in range(iters):
        c, *_ = np.linalg.lstsq(a * (w * lw)[:, None], target * w * lw, rcond=None)
        e = (a @ c - target) * w
        m = np.abs(e).max()
        if best is None or m < best[0]:
            best = (m, c)
        lw = lw * np.abs(e) / m + 1e-12
        lw /= lw.mean()
    return best


def cheb(n, lo, hi):
    return lo + (hi - lo) * (0.5 + 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n))


def main():
    f = cheb(20001, -0.5, 0.5)
    err_e, e = minimax(f, 2**f, 6, 1, relative=True)
    a = cheb(20001, 1e-3, 0.55)
    err_p, p = minimax(a, (np.tanh(a) - a) / a**3, 5, 2, relative=False)
    print("/* 2^f on [-0.5, 0.5], max relative error %.2g */" % err_e)
    print("static const float EXP2_C[7] = {%s};" % ", ".join("%.9ef" % v for v in e))
    print("/* (tanh(x) - x) / x^3 on [0, 0.55] in x^2, max abs error %.2g */" % err_p)
    print("static const float TANH_C[6] = {%s};" % ", ".join("%.9ef" % v for v in p))


if __name__ == "__main__":
    main()
