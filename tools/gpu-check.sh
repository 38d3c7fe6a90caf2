#!/usr/bin/env bash
# The GPU check, for a machine with NVIDIA's driver and CUDA toolkit (libcuda, libnvrtc, libcublas), Python with
# PyTorch, and neither a JDK nor network. It uses the bundle tools/make-gpu-bundle.sh builds (a jlink'ed Java 25
# runtime, wegeft.jar, the conformance suite) and writes every result as JSON into $OUT (default: gpu-check-out/):
#   backends.json          wegeft backends --json
#   conformance-cuda.json  the kernel conformance suite on the cuda backend (through host staging)
#   gemm-f32.json          wegeft bench gemm --backend cuda --dtype f32 --n 8192
#   gemm-bf16.json         wegeft bench gemm --backend cuda --dtype bf16 --n 8192
#   gemm-torch.json        the same two products in PyTorch, when torch sees a GPU
#   train-*.json           the training benchmark vs PyTorch, ONLY when `wegeft bench train` exists (issue 8)
#   summary.json           exit status of each step
# Budget: under 10 minutes (each step has its own timeout). Usage: gpu-check.sh [bundle-dir]
set -uo pipefail
BUNDLE="${1:-$(cd "$(dirname "$0")" && pwd)}"
[ -x "$BUNDLE/jre/bin/java" ] || BUNDLE="$(cd "$(dirname "$0")/.." && pwd)/shared-gpu"
OUTDIR="${OUT:-gpu-check-out}"
mkdir -p "$OUTDIR"
JAVA="$BUNDLE/jre/bin/java"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m)
PY="${PYTHON:-python3}"
declare -A STATUS

step() { # name timeout-seconds command...
  local name="$1" limit="$2"; shift 2
  echo "== $name"
  timeout "$limit" "$@"
  STATUS[$name]=$?
  echo "== $name: status ${STATUS[$name]}"
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$OUTDIR/nvidia-smi.csv" 2>&1 || true
step backends 60 bash -c "'$JAVA' ${FLAGS[*]} -jar '$BUNDLE/wegeft.jar' backends --json > '$OUTDIR/backends.json'"
step conformance 240 "$JAVA" "${FLAGS[@]}" -cp "$BUNDLE/conformance/test-classes:$BUNDLE/conformance/classes:$BUNDLE/conformance/lib/*" \
  org.wegeft.kernels.ConformanceMain cuda "$OUTDIR/conformance-cuda.json"
for dt in f32 bf16; do
  step "gemm-$dt" 90 bash -c "'$JAVA' ${FLAGS[*]} -jar '$BUNDLE/wegeft.jar' bench gemm --backend cuda --dtype $dt \
    --n 8192 --runs 10 --warmup-seconds 3 > '$OUTDIR/gemm-$dt.json'"
done
step gemm-torch 90 "$PY" - "$OUTDIR/gemm-torch.json" <<'PYEOF'
import json, sys, time
import torch
out = []
if torch.cuda.is_available():
    torch.backends.cuda.matmul.allow_tf32 = False
    n = 8192
    for name, dt in (("f32", torch.float32), ("bf16", torch.bfloat16)):
        a = torch.rand(n, n, device="cuda", dtype=dt) * 2 - 1
        b = torch.rand(n, n, device="cuda", dtype=dt) * 2 - 1
        for _ in range(3):
            a @ b
        torch.cuda.synchronize()
        ms = []
        for _ in range(10):
            t0 = time.perf_counter(); a @ b; torch.cuda.synchronize(); ms.append((time.perf_counter() - t0) * 1e3)
        ms.sort()
        med = (ms[4] + ms[5]) / 2
        out.append({"bench": "gemm", "backend": "torch", "dtype": name, "n": n, "median_ms": med,
                    "gflops": 2 * n ** 3 / (med / 1e3) / 1e9, "device": torch.cuda.get_device_name(0)})
else:
    out.append({"bench": "gemm", "backend": "torch", "skipped": "torch.cuda.is_available() is False"})
json.dump(out, open(sys.argv[1], "w"))
PYEOF
# Training benchmark vs PyTorch: `wegeft bench train` does not exist yet (issue 8); run it only when it does.
if "$JAVA" "${FLAGS[@]}" -jar "$BUNDLE/wegeft.jar" bench --help 2>/dev/null | grep -Eq '^[[:space:]]+train([[:space:]]|$)'; then
  step train-cuda 240 bash -c "'$JAVA' ${FLAGS[*]} -jar '$BUNDLE/wegeft.jar' bench train --backend cuda > '$OUTDIR/train-cuda.json'"
else
  echo '{"bench":"train","skipped":"wegeft bench train does not exist in this build (issue 8)"}' > "$OUTDIR/train-cuda.json"
  STATUS[train-cuda]=skipped
fi
{
  printf '{'
  first=1
  for k in "${!STATUS[@]}"; do
    [ $first -eq 1 ] || printf ','
    first=0
    printf '"%s":"%s"' "$k" "${STATUS[$k]}"
  done
  printf '}\n'
} > "$OUTDIR/summary.json"
cat "$OUTDIR"/*.json
