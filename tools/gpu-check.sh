#!/usr/bin/env bash
# The GPU check, for a machine with NVIDIA's driver and CUDA toolkit (libcuda, libnvrtc, libcublas; for the opencl
# steps also its OpenCL driver and libclblast), Python with PyTorch, and neither a JDK nor network. It uses the bundle tools/make-gpu-bundle.sh builds (a jlink'ed Java 25
# runtime, wegeft.jar, the conformance suite) and writes every result as JSON into $OUT (default: gpu-check-out/):
#   backends.json          wegeft backends --json
#   conformance-cuda.json  the kernel conformance suite on the cuda backend (through host staging)
#   kernels-ptx.txt        every shared kernel module (CUDA dialect) compiled to PTX by nvcc, each kernel checked as
#                          exported (only where nvcc is installed; NVRTC compiles the same text at run time)
#   conformance-opencl.json  the conformance suite on the opencl backend (NVIDIA's OpenCL driver and CLBlast, where
#                          installed; else the backend's reason for being unavailable)
#   gemm-f32.json          wegeft bench gemm --backend cuda --dtype f32 --n 8192
#   gemm-bf16.json         wegeft bench gemm --backend cuda --dtype bf16 --n 8192
#   gemm-torch.json        the same two products in PyTorch, when torch sees a GPU
#   train-<model>-wegeft-jvm.json  wegeft bench train --backend cuda (WeGeFT, vit-s16 batch 8; llama-tiny batch 4)
#   train-<model>-torch.json       tools/bench/torch_ref.py --device cuda, the same configuration in PyTorch
#   train-ratios.json              our step time / PyTorch's for each model
#   summary.json           exit status of each step
# Budget: under 10 minutes: each step has its own timeout, cut to what is left of 570 s; a step with under 20 s
# left is skipped (status "skipped: out of time"). Usage: gpu-check.sh [bundle-dir]
set -uo pipefail
BUNDLE="${1:-$(cd "$(dirname "$0")" && pwd)}"
[ -x "$BUNDLE/jre/bin/java" ] || BUNDLE="$(cd "$(dirname "$0")/.." && pwd)/shared-gpu"
OUTDIR="${OUT:-gpu-check-out}"
mkdir -p "$OUTDIR"
JAVA="$BUNDLE/jre/bin/java"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m)
PY="${PYTHON:-python3}"
declare -A STATUS
START=$SECONDS
BUDGET=570

step() { # name timeout-seconds command...
  local name="$1" limit="$2"; shift 2
  local left=$((BUDGET - (SECONDS - START)))
  if [ "$left" -lt 20 ]; then
    STATUS[$name]="skipped: out of time"
    echo "== $name: skipped, ${left}s of the budget left"
    return
  fi
  [ "$limit" -le "$left" ] || limit=$left
  echo "== $name (timeout ${limit}s)"
  timeout "$limit" "$@"
  STATUS[$name]=$?
  echo "== $name: status ${STATUS[$name]}"
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$OUTDIR/nvidia-smi.csv" 2>&1 || true
step backends 60 bash -c "'$JAVA' ${FLAGS[*]} -jar '$BUNDLE/wegeft.jar' backends --json > '$OUTDIR/backends.json'"
step conformance 240 "$JAVA" "${FLAGS[@]}" -cp "$BUNDLE/conformance/test-classes:$BUNDLE/conformance/classes:$BUNDLE/conformance/cuda-classes:$BUNDLE/conformance/lib/*" \
  org.wegeft.kernels.ConformanceMain cuda "$OUTDIR/conformance-cuda.json"
step conformance-opencl 180 "$JAVA" "${FLAGS[@]}" -cp "$BUNDLE/conformance/test-classes:$BUNDLE/conformance/classes:$BUNDLE/conformance/opencl-classes:$BUNDLE/conformance/lib/*" \
  org.wegeft.kernels.ConformanceMain opencl "$OUTDIR/conformance-opencl.json"
# The shared kernel sources through nvcc: compile errors and missing entry points, without running anything
ptx_check() {
  local nvcc dir="$BUNDLE/kernel-sources" tmp bad=0
  nvcc="$(command -v nvcc || true)"
  [ -n "$nvcc" ] || { [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc; }
  if [ -z "$nvcc" ]; then echo "skipped: no nvcc"; return 0; fi
  tmp="$(mktemp -d)"
  for src in "$dir"/*.cu; do
    local m; m="$(basename "$src" .cu)"
    if ! "$nvcc" --ptx -arch=compute_90 -o "$tmp/$m.ptx" "$src"; then echo "$m: does not compile"; bad=1; continue; fi
    local missing=0
    while read -r k; do
      [ -z "$k" ] || grep -q "\.entry $k(" "$tmp/$m.ptx" || { echo "$m: kernel $k not exported"; missing=1; }
    done < "$dir/$m.entries"
    [ $missing -eq 0 ] && echo "$m: ok" || bad=1
  done
  rm -rf "$tmp"
  return $bad
}
step kernels-ptx 90 bash -c "$(declare -f ptx_check); BUNDLE='$BUNDLE' ptx_check > '$OUTDIR/kernels-ptx.txt' 2>&1"
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
# Training benchmark vs PyTorch on the same GPU: WeGeFT, rank 16, the benchmark configurations
TORCH_REF="$BUNDLE/torch_ref.py"
[ -f "$TORCH_REF" ] || TORCH_REF="$(cd "$(dirname "$0")" && pwd)/bench/torch_ref.py"
for cfg in "vit-s16 8" "llama-tiny 4"; do
  set -- $cfg
  step "train-$1-wegeft-jvm" 150 bash -c "'$JAVA' ${FLAGS[*]} -jar '$BUNDLE/wegeft.jar' bench train --backend cuda \
    --model $1 --method wegeft --batch $2 --steps 10 --warmup 3 --gemm-n 4096 > '$OUTDIR/train-$1-wegeft-jvm.json'"
  step "train-$1-torch" 120 bash -c "'$PY' '$TORCH_REF' --device cuda --model $1 --method wegeft --batch $2 \
    --steps 10 --warmup 3 > '$OUTDIR/train-$1-torch.json'"
done
"$PY" - "$OUTDIR" > "$OUTDIR/train-ratios.json" <<'PYEOF'
import json, os, sys
d = sys.argv[1]
out = {}
for model in ("vit-s16", "llama-tiny"):
    try:
        ours = json.load(open(os.path.join(d, f"train-{model}-wegeft-jvm.json")))
        torch = json.load(open(os.path.join(d, f"train-{model}-torch.json")))
        out[model] = {"ours_ms": ours["step_ms_median"], "torch_ms": torch["step_ms_median"],
                      "ratio": ours["step_ms_median"] / torch["step_ms_median"]}
    except Exception as e:  # a step failed or was skipped: say which and why
        out[model] = {"error": f"{type(e).__name__}: {e}"}
print(json.dumps(out))
PYEOF
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
cat "$OUTDIR"/*.json "$OUTDIR/kernels-ptx.txt"
