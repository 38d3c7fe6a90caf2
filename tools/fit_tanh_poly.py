"""Fits the small-argument tanh polynomial used by CpuVec.tanh (kernels).

tanh(x) = x + x^3 * P(x^2) for |x| <= A. P is a least-squares fit on Chebyshev nodes in z = x^2,
weighted so the relative error of tanh is what is minimised; coefficients are rounded to float and
the float-rounded polynomial is re-evaluated in high precision to report its max relative error.
Run: /usr/bin/python3 tools/fit_tanh_poly.py
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40
A = 0.625
Z = A * A


def target(z):
    x = mp.sqrt(z)
    return (mp.tanh(x) - x) / (x * z)


def fit(deg, nodes=400):
    zs = [Z * (1 - mp.cos(mp.pi * (k + 0.5) / nodes)) / 2 for k in range(nodes)]
    # weight: error in P is multiplied by x^3 / tanh(x) ~ z in the relative error of tanh
    rows = [[float(z ** j * z) for j in range(deg + 1)] for z in zs]
    rhs = [float(target(z) * z) for z in zs]
    c, *_ = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)
    return [float(np.float32(v)) for v in c]


def max_rel(c, samples=4000):
    worst = 0
    for k in range(1, samples + 1):
        x = mp.mpf(A) * k / samples
        z = x * x
        p = mp.mpf(0)
        for v in reversed(c):
            p = p * z + mp.mpf(v)
        worst = max(worst, abs((x + x ** 3 * p) / mp.tanh(x) - 1))
    return worst


for deg in (4, 5, 6, 7):
    c = fit(deg)
    print(deg, "max rel err %.3e" % max_rel(c), ", ".join("%.9ef" % v for v in c))
