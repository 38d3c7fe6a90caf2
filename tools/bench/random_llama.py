#!/usr/bin/env python3
"""Writes a random LLaMA folder (config.json, model.safetensors, the tokenizer of examples/models/llama-kjv) and a
text JSONL from examples/data/kjv-heldout.txt, for the integrity checks in tools/bench/integrity.sh.

usage: random_llama.py OUT_DIR [LAYERS]      (numpy only; no PyTorch)
"""
import json
import os
import shutil
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KJV = os.path.join(ROOT, "examples", "models", "llama-kjv")


def save_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, a in tensors.items():
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


def main():
    out = sys.argv[1]
    layers = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    os.makedirs(out, exist_ok=True)
    cfg = json.load(open(os.path.join(KJV, "config.json")))
    cfg["num_hidden_layers"] = layers
    v, c, i, h, kv, d = (cfg["vocab_size"], cfg["hidden_size"], cfg["intermediate_size"],
                         cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"])
    rng = np.random.default_rng(0)
    t = {"model.embed_tokens.weight": rng.normal(0, 0.02, (v, c)), "model.norm.weight": np.ones(c)}
    for n in range(layers):
        p = f"model.layers.{n}."
        t[p + "self_attn.q_proj.weight"] = rng.normal(0, 0.02, (h * d, c))
        t[p + "self_attn.k_proj.weight"] = rng.normal(0, 0.02, (kv * d, c))
        t[p + "self_attn.v_proj.weight"] = rng.normal(0, 0.02, (kv * d, c))
        t[p + "self_attn.o_proj.weight"] = rng.normal(0, 0.02, (c, h * d))
        t[p + "mlp.gate_proj.weight"] = rng.normal(0, 0.02, (i, c))
        t[p + "mlp.up_proj.weight"] = rng.normal(0, 0.02, (i, c))
        t[p + "mlp.down_proj.weight"] = rng.normal(0, 0.02, (c, i))
        t[p + "input_layernorm.weight"] = np.ones(c)
        t[p + "post_attention_layernorm.weight"] = np.ones(c)
    save_safetensors(os.path.join(out, "model.safetensors"), t)
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=2)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(KJV, f), out)
    with open(os.path.join(ROOT, "examples", "data", "kjv-heldout.txt")) as src, \
            open(os.path.join(out, "kjv.jsonl"), "w") as dst:
        for line in src:
            if line.strip():
                dst.write(json.dumps({"text": line.strip()}) + "\n")


if __name__ == "__main__":
    main()
