#!/usr/bin/env bash
# A quantized frozen base through the user's own command, `wegeft llm train` (WeGeFT defaults, dropout 0.1, batch
# 1 × 256 tokens): the Llama-3.2-1B-shaped bf16 folder as it is and with --quantize nf4, alternating ROUNDS rounds
# (median step after the first, GNU time's peak RSS), then one step of the Llama-3.1-8B-shaped bf16 folder with
# --quantize nf4 for its peak RSS. Make the folders first with `wegeft bench make-model --model llama-1b|llama-8b
# --dtype bf16 --out DIR --tokenizer-from DIR` (see real_size_vs_torch.sh). Run it on a quiet machine.
#   MODEL_1B=DIR MODEL_8B=DIR tools/bench/quantized_base.sh [ROUNDS] [STEPS]      (defaults 2 and 8)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-2}
STEPS=${2:-8}
OUT=runs/quantized_base
mkdir -p "$OUT"
DATA="$OUT/text.jsonl"
/usr/bin/python3 tools/bench/docs_text.py "$DATA"
run() {   # tag model steps extra-flags…
  local tag=$1 model=$2 steps=$3
  shift 3
  rm -rf "$OUT/train-$tag"
  /usr/bin/time -f "%M" -o "$OUT/rss" ./wegeft llm train --model "$model" --data "$DATA" --pack --max-length 256 \
    --batch 1 --steps "$steps" --log-every 1 --out "$OUT/train-$tag" "$@" > /dev/null 2>&1
  /usr/bin/python3 - "$OUT/train-$tag/metrics.jsonl" "$(cat "$OUT/rss")" "$tag" <<'PY' | tee -a "$OUT/results.jsonl"
import json, statistics, sys
e = [json.loads(l)["elapsed_s"] for l in open(sys.argv[1]) if '"loss"' in l]
steps = [b - a for a, b in zip(e, e[1:])][1:]        # the first step's JIT warm-up left out
print(json.dumps({"run": sys.argv[3], "step_s_median": round(statistics.median(steps), 3) if steps else None,
                  "step_s": [round(s, 2) for s in steps], "peak_rss_mb": round(int(sys.argv[2]) / 1024, 1)}))
PY
}
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then
    run "bf16-$r" "$MODEL_1B" "$STEPS"; run "nf4-$r" "$MODEL_1B" "$STEPS" --quantize nf4
  else
    run "nf4-$r" "$MODEL_1B" "$STEPS" --quantize nf4; run "bf16-$r" "$MODEL_1B" "$STEPS"
  fi
done
run 8b-nf4 "$MODEL_8B" 1 --quantize nf4
