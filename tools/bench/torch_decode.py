#!/usr/bin/python3
"""PyTorch reference for `wegeft llm generate`: greedy decoding with a KV cache, per-token time.

  tools/bench/native_openblas.sh /usr/bin/python3 tools/bench/torch_decode.py --model llama-1b \
      --prompt 7 --new 40

The model is torch_ref.py's (Hugging Face's eager LlamaForCausalLM code path at the same shapes, random float32
weights); decoding follows transformers' eager path with a DynamicCache: each step runs the new token through every
layer, appends its keys and values (after RoPE, before repeat_kv) to the cache and attends to all cached tokens; the
next token is the argmax of the last logits. Prints one JSON line: the prefill time, each later token's time, their
median, the weights' bytes, and the process's peak RSS. torch.set_num_threads(--threads, default 2).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openblas_core  # noqa: E402
import torch_ref  # noqa: E402  (the same model classes and shapes as the training reference)


def rope(model, positions):
    inv = 1.0 / (model.theta ** (torch.arange(0, model.head_dim, 2, dtype=torch.int64).float() / model.head_dim))
    if model.rope_scaling is not None:
        inv = torch_ref.llama3_inv_freq(inv, **model.rope_scaling)
    freqs = torch.outer(positions.float(), inv)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos()[None, None], emb.sin()[None, None]


def attend(attn, x, cos, sin, cache):
    """One layer's attention for the new tokens x (b, t, C), appending their keys and values to cache[0], cache[1]."""
    b, t, _ = x.shape
    q = attn.q_proj(x).view(b, t, attn.heads, attn.head_dim).transpose(1, 2)
    k = attn.k_proj(x).view(b, t, attn.kv_heads, attn.head_dim).transpose(1, 2)
    v = attn.v_proj(x).view(b, t, attn.kv_heads, attn.head_dim).transpose(1, 2)
    q = q * cos + torch_ref.rotate_half(q) * sin
    k = k * cos + torch_ref.rotate_half(k) * sin
    cache[0] = k if cache[0] is None else torch.cat((cache[0], k), dim=2)
    cache[1] = v if cache[1] is None else torch.cat((cache[1], v), dim=2)
    rep = attn.heads // attn.kv_heads
    keys, values = torch_ref.repeat_kv(cache[0], rep), torch_ref.repeat_kv(cache[1], rep)
    w = torch.matmul(q, keys.transpose(2, 3)) / (attn.head_dim ** 0.5)
    if t > 1:   # the prompt: causal within itself
        past = keys.shape[2] - t
        mask = torch.full((t, keys.shape[2]), torch.finfo(torch.float32).min).triu(past + 1)
        w = w + mask[None, None]
    w = F.softmax(w, dim=-1, dtype=torch.float32)
    o = torch.matmul(w, values).transpose(1, 2).reshape(b, t, -1)
    return attn.o_proj(o)


def forward(model, ids, start, caches):
    """Logits of the last position for the new ids (b, t) at positions start.., with the caches updated."""
    cos, sin = rope(model, torch.arange(start, start + ids.shape[1]))
    x = model.embed_tokens(ids)
    for layer, cache in zip(model.layers, caches):
        x = x + attend(layer.self_attn, layer.input_layernorm(x), cos, sin, cache)
        x = x + layer.mlp(layer.post_attention_layernorm(x))
    return model.lm_head(model.norm(x[:, -1:]))[:, -1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="llama-1b", choices=[m for m, s in torch_ref.MODELS.items() if s.get("llm")])
    ap.add_argument("--prompt", type=int, default=7, help="prompt tokens (random ids; default 7)")
    ap.add_argument("--new", type=int, default=40, help="new tokens (default 40)")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    if a.prompt < 1 or a.new < 2:
        ap.error("--prompt must be at least 1 and --new at least 2")
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    spec = torch_ref.MODELS[a.model]
    model = torch_ref.Llama(spec).eval()
    caches = [[None, None] for _ in model.layers]
    ids = torch.randint(0, spec["vocab"], (1, a.prompt))
    times = []
    with torch.no_grad():
        t0 = time.perf_counter()
        nxt = forward(model, ids, 0, caches).argmax(-1, keepdim=True)
        prefill = time.perf_counter() - t0
        pos = a.prompt
        for _ in range(a.new - 1):
            t0 = time.perf_counter()
            nxt = forward(model, nxt, pos, caches).argmax(-1, keepdim=True)
            times.append(time.perf_counter() - t0)
            pos += 1
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    print(json.dumps({
        "bench": "decode", "impl": "pytorch", "torch": torch.__version__, "model": a.model, "dtype": "f32",
        "threads": torch.get_num_threads(), "prompt": a.prompt, "new": a.new,
        "prefill_s": round(prefill, 4), "token_s_median": round(statistics.median(times), 4),
        "token_s": [round(t, 4) for t in times], "weight_bytes": weights,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "openblas_core": openblas_core.core_name(),
    }))


if __name__ == "__main__":
    main()
