#!/usr/bin/env bash
# Integrity checks through the user's own commands, on the committed 4-layer LLaMA (examples/models/llama-kjv):
#  1. a run with a checkpoint every 4 steps; a copy of its checkpoints with the last one removed and checkpoint-8's
#     trainable.safetensors truncated to 1000 bytes; `--resume` must skip checkpoint-8 with a warning, continue from
#     checkpoint-4, and log the same losses and write the same adapter, bit for bit, as the uninterrupted run;
#  2. its config.json edited to 1,000,000 and 100,000 layers: `llm train` and `llm perplexity` must exit 2 at once
#     (GNU time's wall time and peak RSS are printed);
#  3. the same for the committed timm ViT sample (depth) with `vit eval`.
#   tools/bench/integrity.sh [WORK_DIR]        (default runs/integrity)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
W=${1:-runs/integrity}
rm -rf "$W" && mkdir -p "$W"
cp -r examples/models/llama-kjv "$W/llama"
/usr/bin/python3 -c 'import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        print(json.dumps({"text": line.strip()}))' examples/data/kjv-heldout.txt > "$W/kjv.jsonl"
TRAIN=(llm train --model "$W/llama" --data "$W/kjv.jsonl" --template plain --steps 12 --checkpoint-every 4
       --max-length 32 --batch 2 --log-every 1)

echo "== resume past a truncated checkpoint"
./wegeft "${TRAIN[@]}" --out "$W/full" > /dev/null 2>&1
mkdir -p "$W/resumed" && cp -r "$W/full/checkpoints" "$W/resumed/"
rm -rf "$W/resumed/checkpoints/checkpoint-12"
truncate -s 1000 "$W/resumed/checkpoints/checkpoint-8/trainable.safetensors"
./wegeft "${TRAIN[@]}" --resume "$W/resumed/checkpoints" --out "$W/resumed" 2>&1 >/dev/null | grep -E "^(warning|note)"
/usr/bin/python3 - "$W/full/metrics.jsonl" "$W/resumed/metrics.jsonl" <<'PY'
import json, sys
def losses(f):
    return {j["step"]: j["loss"] for j in map(json.loads, open(f)) if "loss" in j}
a, b = losses(sys.argv[1]), losses(sys.argv[2])
same = all(a[s] == b[s] for s in b)
print(f"resumed steps {min(b)}..{max(b)}: losses bit-identical to the full run: {same}")
sys.exit(0 if same else 1)
PY
cmp "$W/full/adapter_model.safetensors" "$W/resumed/adapter_model.safetensors" && echo "adapters identical"

refused() {  # prints exit status, wall time and peak RSS of a command that must exit 2
  set +e
  /usr/bin/time -f "wall %e s, max RSS %M kB" -o "$W/time.txt" ./wegeft "$@" > /dev/null 2> "$W/err.txt"
  local rc=$?
  set -e
  echo "  status $rc, $(tail -1 "$W/time.txt"): $(head -1 "$W/err.txt")"
}
for n in 1000000 100000; do
  echo "== num_hidden_layers $n beside 4 layers"
  cp -r "$W/llama" "$W/hostile$n"
  sed -i "s/\"num_hidden_layers\" : 4/\"num_hidden_layers\" : $n/" "$W/hostile$n/config.json"
  grep -q "\"num_hidden_layers\" : $n" "$W/hostile$n/config.json"
  refused llm train --model "$W/hostile$n" --data "$W/kjv.jsonl" --template plain --steps 2 --out "$W/h$n"
  refused llm perplexity --model "$W/hostile$n" --data "$W/kjv.jsonl"
  echo "== ViT depth $n beside 2 blocks"
  cp -r examples/data/tiny-vit "$W/vit$n"
  sed -i "s/\"depth\": 2/\"depth\": $n/" "$W/vit$n/config.json"
  refused vit eval --model "$W/vit$n" --data examples/data/digits-test.arrow
done
