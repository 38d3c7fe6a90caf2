#!/usr/bin/env bash
# The training-step figures side by side in one run on this machine: `wegeft bench train` against PyTorch
# (tools/bench/torch_ref.py) for WeGeFT on vit-s16 (batch 8) and llama-tiny (batch 4, 256 tokens), alternating
# ROUNDS times; our LoRA and full fine-tuning in the same configurations (step time and peak memory); and
# `wegeft bench forward` (merged WeGeFT vs base). PyTorch runs with OpenBLAS's fastest kernel for the CPU
# (native_openblas.sh) and, for reference, with the environment's setting.
# Each measurement is its own process (peak RSS = that process's VmHWM / ru_maxrss); our JVMs run with -Xmx1g
# (JAVA_HEAP) and the launcher's default collector (serial, 64 MB young generation: tensors live off-heap).
# WeGeFT, LoRA and full fine-tuning with gradient checkpointing (full, and selective: attention and down-projection
# outputs kept), with the batch run as two micro-batches (gradient accumulation), and with two micro-batches plus
# recomputed activations (--recompute-activations: norms' and activation functions' outputs given back after
# forward) are measured too, for their memory; WeGeFT in that last configuration alternates with PyTorch in every
# round like the default one. Prints every JSON line, then summary tables (best of rounds per side, i.e. the lower
# of the per-round median step times) and, per ViT-S/16 configuration, the target lines.
#   tools/bench/train_vs_torch.sh [ROUNDS] [STEPS]      (defaults 2 and 10; about 20 minutes on 2 cores)
# Needs /usr/bin/python3 with torch (apt-get install python3-torch libopenblas0-pthread); the plot needs
# python3-matplotlib. Run it on a quiet machine. Raw lines and plot: runs/train_vs_torch.{log,png}.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-2}
STEPS=${2:-10}
export WEGEFT_JAVA_OPTS="${WEGEFT_JAVA_OPTS:-} -Xmx${JAVA_HEAP:-1g}"
./wegeft backends >/dev/null   # builds the jar first, outside the timed part
out=$(mktemp)
# ours MODEL METHOD BATCH [MEMORY: full|selective (checkpointing) | acc (two micro-batches) | accra (two
# micro-batches, recomputed activations)]; log tag ours-METHOD, ours-METHOD-gc, -sgc, -acc or -accra
ours() {
  local tag="" flags=()
  case "${4:-}" in
    full) tag=-gc; flags=(--grad-checkpointing=full) ;;
    selective) tag=-sgc; flags=(--grad-checkpointing=selective) ;;
    acc) tag=-acc; flags=(--grad-accumulation 2) ;;
    accra) tag=-accra; flags=(--grad-accumulation 2 --recompute-activations) ;;
  esac
  ./wegeft bench train --model "$1" --method "$2" --batch "$3" --steps "$STEPS" --warmup 3 \
    ${flags[@]+"${flags[@]}"} 2>/dev/null | sed "s/^/ours-$2$tag /" | tee -a "$out"
}
torch_native() { tools/bench/native_openblas.sh /usr/bin/python3 tools/bench/torch_ref.py --model "$1" \
  --method "$2" --batch "$3" --steps "$STEPS" --warmup 3 2>/dev/null | sed "s/^/torch-native-$2 /" | tee -a "$out"; }
torch_env() { /usr/bin/python3 tools/bench/torch_ref.py --model "$1" --method "$2" --batch "$3" --steps "$STEPS" \
  --warmup 3 2>/dev/null | sed "s/^/torch-env-$2 /" | tee -a "$out"; }
for cfg in "vit-s16 8" "llama-tiny 4"; do
  set -- $cfg
  for r in $(seq "$ROUNDS"); do
    ours "$1" wegeft "$2"
    torch_native "$1" wegeft "$2"
    ours "$1" wegeft "$2" accra
    torch_env "$1" wegeft "$2"
  done
  ours "$1" lora "$2"
  ours "$1" full "$2"
  for gc in full selective acc; do
    ours "$1" wegeft "$2" $gc
    ours "$1" lora "$2" $gc
    ours "$1" full "$2" $gc
  done
  ours "$1" lora "$2" accra
  ours "$1" full "$2" accra
  # three JVMs: where the two models' weights land in memory moves one JVM's ratio by up to ±3 % (two identical
  # models measured 0.97–1.02), so the summary takes the median of the three ratios
  for r in 1 2 3; do
    ./wegeft bench forward --model "$1" --batch "$2" 2>/dev/null | sed "s/^/forward /" | tee -a "$out"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys, collections, statistics
best = {}
fwd = collections.defaultdict(list)
for line in open(sys.argv[1]):
    who, js = line.split(" ", 1)
    d = json.loads(js)
    if who == "forward":
        fwd[d["model"]].append(d["ratio_merged_to_base"])
        continue
    key = (who, d["model"])
    if key not in best or d["step_ms_median"] < best[key]["step_ms_median"]:
        best[key] = d
print("\n| model | ours WeGeFT ms | torch AVX-512 ms | ratio | torch env ms | ratio | mfu | ours LoRA ms | WeGeFT/LoRA |"
      " peak MB WeGeFT / LoRA / full | WeGeFT/full | merged/base fwd, median of 3 JVMs (each) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for m in ("vit-s16", "llama-tiny"):
    w, tn, te = best[("ours-wegeft", m)], best[("torch-native-wegeft", m)], best[("torch-env-wegeft", m)]
    lo, fu = best[("ours-lora", m)], best[("ours-full", m)]
    print(f"| {m} | {w['step_ms_median']:.0f} | {tn['step_ms_median']:.0f} | {w['step_ms_median']/tn['step_ms_median']:.3f}"
          f" | {te['step_ms_median']:.0f} | {w['step_ms_median']/te['step_ms_median']:.3f} | {w.get('mfu', float('nan')):.3f}"
          f" | {lo['step_ms_median']:.0f} | {w['step_ms_median']/lo['step_ms_median']:.3f}"
          f" | {w['peak_rss_mb']:.0f} / {lo['peak_rss_mb']:.0f} / {fu['peak_rss_mb']:.0f}"
          f" | {w['peak_rss_mb']/fu['peak_rss_mb']:.3f} | {statistics.median(fwd[m]):.4f}"
          f" ({', '.join(f'{x:.4f}' for x in fwd[m])}) |")
print("\n| model | pool peak MB WeGeFT / LoRA / full | WeGeFT/full |")
print("|---|---|---|")
for m in ("vit-s16", "llama-tiny"):
    w, lo, fu = (best[(k, m)] for k in ("ours-wegeft", "ours-lora", "ours-full"))
    print(f"| {m} | {w['pool_peak_live_mb']:.0f} / {lo['pool_peak_live_mb']:.0f} / {fu['pool_peak_live_mb']:.0f}"
          f" | {w['pool_peak_live_mb']/fu['pool_peak_live_mb']:.3f} |")
for sfx, what in (("gc", "full gradient checkpointing"), ("sgc", "selective gradient checkpointing"),
                  ("acc", "two micro-batches (gradient accumulation)"),
                  ("accra", "two micro-batches and recomputed activations")):
    print(f"\n| model, all with {what} | step ms WeGeFT / LoRA / full | WeGeFT / torch AVX-512 |"
          " mfu | WeGeFT/LoRA | peak MB WeGeFT / LoRA / full | WeGeFT/full |")
    print("|---|---|---|---|---|---|---|")
    for m in ("vit-s16", "llama-tiny"):
        g, lg, fg, tn = (best[(k, m)] for k in (f"ours-wegeft-{sfx}", f"ours-lora-{sfx}", f"ours-full-{sfx}",
                                                 "torch-native-wegeft"))
        print(f"| {m} | {g['step_ms_median']:.0f} / {lg['step_ms_median']:.0f} / {fg['step_ms_median']:.0f}"
              f" | {g['step_ms_median']/tn['step_ms_median']:.3f} | {g.get('mfu', float('nan')):.3f}"
              f" | {g['step_ms_median']/lg['step_ms_median']:.3f}"
              f" | {g['peak_rss_mb']:.0f} / {lg['peak_rss_mb']:.0f} / {fg['peak_rss_mb']:.0f}"
              f" | {g['peak_rss_mb']/fg['peak_rss_mb']:.3f} |")
# the target lines per configuration (step and mfu lines: ViT-S/16 ≤ 0.4× PyTorch, llama-tiny ≤ 0.5×; mfu ≥ 0.4;
# WeGeFT step ≤ 1.05× LoRA's; WeGeFT peak ≤ LoRA's and ≤ 0.6× full's)
print("\n| model, configuration | 1/2. step vs torch | 3. mfu | 4a. WeGeFT/LoRA step | 4b. peak ≤ LoRA's"
      " | 4c. WeGeFT/full peak | all |")
print("|---|---|---|---|---|---|---|")
ok = lambda c: "✔" if c else "✘"
for m, limit in (("vit-s16", 0.4), ("llama-tiny", 0.5)):
    tn = best[("torch-native-wegeft", m)]
    for sfx, name in (("", "default"), ("-gc", "full ckpt"), ("-sgc", "selective ckpt"), ("-acc", "2 micro-batches"),
                      ("-accra", "2 micro-batches + recomputed activations")):
        w, lo, fu = (best[(f"ours-{k}{sfx}", m)] for k in ("wegeft", "lora", "full"))
        r1 = w["step_ms_median"] / tn["step_ms_median"]
        mfu = w.get("mfu", float("nan"))
        r4a = w["step_ms_median"] / lo["step_ms_median"]
        r4c = w["peak_rss_mb"] / fu["peak_rss_mb"]
        checks = (r1 <= limit, mfu >= 0.4, r4a <= 1.05, w["peak_rss_mb"] <= lo["peak_rss_mb"], r4c <= 0.6)
        print(f"| {m}, {name} | {r1:.3f} {ok(checks[0])} | {mfu:.3f} {ok(checks[1])} | {r4a:.3f} {ok(checks[2])}"
              f" | {w['peak_rss_mb']:.0f} vs {lo['peak_rss_mb']:.0f} {ok(checks[3])} | {r4c:.3f} {ok(checks[4])}"
              f" | {ok(all(checks))} |")
PY
# keep the raw lines and plot them (runs/ is gitignored; docs/performance-train.* are a committed run's)
mkdir -p runs
cp "$out" runs/train_vs_torch.log
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  /usr/bin/python3 tools/bench/plot_train_vs_torch.py runs/train_vs_torch.log runs/train_vs_torch.png \
    && echo "wrote runs/train_vs_torch.log and runs/train_vs_torch.png"
fi
rm -f "$out"
