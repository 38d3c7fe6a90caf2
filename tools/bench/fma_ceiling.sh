#!/usr/bin/env bash
# The CPU's multiply-add ceiling for a GEMM tile held in registers (fma_ceiling.c): float32 FMA and, where the CPU
# has AVX-512 BF16, the bf16 dot product. Needs gcc with OpenMP; prints one JSON line per kernel and thread count.
#   tools/bench/fma_ceiling.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
gcc -O2 -march=native -fopenmp "$here/fma_ceiling.c" -o "$out/fma_ceiling"
"$out/fma_ceiling"
