#!/usr/bin/python3
"""Float32 GEMM throughput of PyTorch (OpenBLAS on CPU), the reference for `wegeft bench gemm`.

Same method as the Java side: C = A·B (alpha 1, beta 0), warm-up, then the median of 10 timed runs;
GFLOP/s = 2·M·N·K / time. Prints one JSON line per size.

  /usr/bin/python3 tools/bench/torch_gemm.py --n 256 1024 2048
  /usr/bin/python3 tools/bench/torch_gemm.py --shape 1576x384x1152 --shape 384x384x1576:TN

A shape is MxNxK, optionally followed by :XY with X, Y in {N, T} (op(A) = Aᵀ when X == T).
Run it through tools/bench/native_openblas.sh, which gives OpenBLAS its fastest kernel for the CPU; the JSON line
reports the kernel OpenBLAS ran (openblas_core).
"""
import argparse
import json
import statistics
import time

import torch

import openblas_core


def parse_shape(text):
    dims, _, trans = text.partition(":")
    m, n, k = (int(x) for x in dims.lower().split("x"))
    trans = (trans or "NN").upper()
    return m, n, k, trans[0] == "T", trans[1] == "T"


def measure(m, n, k, trans_a, trans_b, runs):
    g = torch.Generator().manual_seed(0)
    a = torch.rand((k, m) if trans_a else (m, k), generator=g)
    b = torch.rand((n, k) if trans_b else (k, n), generator=g)
    opa = a.t() if trans_a else a
    opb = b.t() if trans_b else b
    out = torch.empty(m, n)
    flops = 2.0 * m * n * k
    # warm-up: at least 3 runs and at least ~0.3 s
    t_end = time.perf_counter() + 0.3
    for i in range(1000):
        torch.matmul(opa, opb, out=out)
        if i >= 2 and time.perf_counter() > t_end:
            break
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        torch.matmul(opa, opb, out=out)
        times.append(time.perf_counter() - t0)
    t = statistics.median(times)
    return flops / t / 1e9, t


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, nargs="*", default=[], help="square sizes n (n×n·n×n)")
    p.add_argument("--shape", action="append", default=[], help="MxNxK[:XY] shapes")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=10)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    shapes = [(n, n, n, False, False) for n in args.n] + [parse_shape(s) for s in args.shape]
    for m, n, k, ta, tb in shapes:
        gflops, t = measure(m, n, k, ta, tb, args.runs)
        print(json.dumps({"backend": "torch-openblas", "n": n, "m": m, "k": k,
                          "trans": ("T" if ta else "N") + ("T" if tb else "N"),
                          "threads": args.threads, "gflops": round(gflops, 1), "median_ms": round(t * 1e3, 3),
                          "openblas_core": openblas_core.core_name()}), flush=True)


if __name__ == "__main__":
    main()
