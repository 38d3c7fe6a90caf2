#!/usr/bin/env bash
# Side-by-side float32 GEMM throughput: `wegeft bench gemm` (CPU backend) against PyTorch/OpenBLAS on the
# same machine in the same run, alternating ROUNDS times per size (same method on both sides: warm-up,
# then the median of 10 runs). OpenBLAS runs twice: with its fastest kernel for the CPU
# (native_openblas.sh) and with the environment's setting.
# Prints one JSON line per measurement and a summary table with the best-of-rounds ratios.
#   tools/bench/gemm_vs_torch.sh [ROUNDS] [SIZES...]      e.g. tools/bench/gemm_vs_torch.sh 3 256 1024 2048
# Needs /usr/bin/python3 with torch (apt-get install python3-torch libopenblas0-pthread).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}; shift || true
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(256 1024 2048)
./wegeft backends >/dev/null   # builds the jar first, outside the timed part
out=$(mktemp)
for n in "${SIZES[@]}"; do
  for r in $(seq "$ROUNDS"); do
    ./wegeft bench gemm --n "$n" --backend cpu | sed "s/^/ours $n /" | tee -a "$out"
    tools/bench/native_openblas.sh /usr/bin/python3 tools/bench/torch_gemm.py --n "$n" \
      | sed "s/^/torch-native $n /" | tee -a "$out"
    /usr/bin/python3 tools/bench/torch_gemm.py --n "$n" | sed "s/^/torch-env $n /" | tee -a "$out"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys, collections
best = collections.defaultdict(float)
for line in open(sys.argv[1]):
    who, n, js = line.split(" ", 2)
    best[(who, int(n))] = max(best[(who, int(n))], json.loads(js)["gflops"])
print("\n| n | ours GFLOP/s | torch AVX-512 | ratio | torch (env coretype) | ratio |")
print("|---|---|---|---|---|---|")
for n in sorted({k[1] for k in best}):
    o, t, h = best[("ours", n)], best[("torch-native", n)], best[("torch-env", n)]
    print(f"| {n} | {o:.1f} | {t:.1f} | {o/t:.3f} | {h:.1f} | {o/h:.3f} |")
PY
rm -f "$out"
