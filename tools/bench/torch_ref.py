#!/usr/bin/python3
"""PyTorch reference for `wegeft bench train`: the same models, methods and data, the same JSON fields.

  /usr/bin/python3 tools/bench/torch_ref.py --model vit-s16 --method wegeft --batch 8 --steps 10
  /usr/bin/python3 tools/bench/torch_ref.py --model llama-tiny --method lora --batch 4 --seq 256 --steps 10

Models (randomly initialised, plain torch, no timm / transformers needed):
  vit-ti16 / vit-s16 / vit-b16: timm's VisionTransformer at 224 px, patch 16, depth 12, width 192/384/768,
    3/6/12 heads, MLP ratio 4, class token, pre-norm, eps 1e-6, attention as timm writes it without fused SDPA
    (q @ k^T * scale, softmax, @ v), 100 classes; adapters on qkv, proj, fc1, fc2; the head trains in every method.
  llama-tiny: Hugging Face's LlamaForCausalLM code path (eager attention, fp32 RMSNorm, rotary half-split,
    SiLU(gate) * up), vocabulary 32,000, width 512, 8 layers, 8 heads, MLP 1,376, untied lm_head; adapters on
    q, k, v, o, gate, up, down; probe trains lm_head.
Methods (rank r, alpha = r, no dropout, as the Java side):
  wegeft: the authors' forward, y = base(x) + s * F.linear(F.linear(x, psi), W @ phi^T), one (phi, psi) per
    target name shared by all blocks; phi zero, psi kaiming-uniform.
  lora: PEFT's forward, y = base(x) + s * lora_B(lora_A(x)); A kaiming-uniform, B zero.
  full: everything trains. probe: the head (lm_head for llama-tiny) only. The ViT head also trains with
    wegeft and lora (a new task's classifier); lm_head does not.
AdamW (lr 1e-4, weight decay 0.01 as torch's default), random data (2 batches cycled), cross-entropy.
Timing: `--warmup` untimed steps, then the median of `--steps` timed steps (zero_grad, forward, loss, backward,
optimizer step). peak_rss_mb is the process's peak resident set (ru_maxrss). torch.set_num_threads(--threads,
default 2). With `--device cuda` steps are synchronised before the clock is read.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = {
    "vit-ti16": dict(width=192, depth=12, heads=3),
    "vit-s16": dict(width=384, depth=12, heads=6),
    "vit-b16": dict(width=768, depth=12, heads=12),
    "llama-tiny": dict(width=512, depth=8, heads=8),
}
IMAGE, PATCH, CLASSES = 224, 16, 100
VOCAB, LLAMA_MLP = 32000, 1376
VIT_TARGETS = ["qkv", "proj", "fc1", "fc2"]
LLAMA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


# ---------------------------------------------------------------- adapters

class WeGeFTLinear(nn.Module):
    """A frozen Linear with a (possibly shared) WeGeFT pair, in the authors' generator form."""

    def __init__(self, base, phi, psi, scale):
        super().__init__()
        self.base_layer = base
        self.wegeft_phi = phi  # nn.Linear(d_in, r): weight (r, d_in)
        self.wegeft_psi = psi  # nn.Linear(d_in, r): weight (r, d_in)
        self.scale = scale

    def forward(self, x):
        w = self.base_layer.weight
        generated = w @ self.wegeft_phi.weight.t()          # (d_out, r)
        return self.base_layer(x) + self.scale * F.linear(self.wegeft_psi(x), generated)


class LoraLinear(nn.Module):
    """PEFT's LoRA layer: base(x) + scale * B(A(x))."""

    def __init__(self, base, r, scale):
        super().__init__()
        self.base_layer = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scale = scale

    def forward(self, x):
        return self.base_layer(x) + self.lora_B(self.lora_A(x)) * self.scale


def apply_method(model, method, r, targets, head, head_trains_with_adapters):
    if method == "full":
        for p in model.parameters():
            p.requires_grad_(True)
        return
    for p in model.parameters():
        p.requires_grad_(False)
    if method == "probe":
        for p in head.parameters():
            p.requires_grad_(True)
        return
    shared = {}
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if child_name not in targets or not isinstance(child, nn.Linear):
                continue
            if method == "wegeft":
                if child_name not in shared:
                    phi = nn.Linear(child.in_features, r, bias=False)
                    psi = nn.Linear(child.in_features, r, bias=False)
                    nn.init.zeros_(phi.weight)
                    nn.init.kaiming_uniform_(psi.weight, a=math.sqrt(5))
                    shared[child_name] = (phi, psi)
                phi, psi = shared[child_name]
                setattr(module, child_name, WeGeFTLinear(child, phi, psi, 1.0))
            elif method == "lora":
                setattr(module, child_name, LoraLinear(child, r, 1.0))
            else:
                raise ValueError(method)
    if head_trains_with_adapters:
        for p in head.parameters():
            p.requires_grad_(True)


# ---------------------------------------------------------------- ViT

class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim * 4)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(dim * 4, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    def __init__(self, width, depth, heads):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, width, PATCH, PATCH)
        n = (IMAGE // PATCH) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.randn(1, n + 1, width) * 0.02)
        self.blocks = nn.Sequential(*[Block(width, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(width, eps=1e-6)
        self.head = nn.Linear(width, CLASSES)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


# ---------------------------------------------------------------- LLaMA (HF's eager code path)

class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.to(torch.float32)
        variance = x.pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(variance + self.eps)
        return self.weight * x.to(dtype)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class LlamaAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.k_proj = nn.Linear(dim, dim, bias=False)
        self.v_proj = nn.Linear(dim, dim, bias=False)
        self.o_proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        w = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim) + mask
        w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        o = torch.matmul(w, v).transpose(1, 2).reshape(b, t, -1)
        return self.o_proj(o)


class LlamaMLP(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaLayer(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.input_layernorm = RMSNorm(dim)
        self.self_attn = LlamaAttention(dim, heads)
        self.post_attention_layernorm = RMSNorm(dim)
        self.mlp = LlamaMLP(dim, LLAMA_MLP)

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Llama(nn.Module):
    def __init__(self, width, depth, heads):
        super().__init__()
        self.embed_tokens = nn.Embedding(VOCAB, width)
        self.layers = nn.ModuleList([LlamaLayer(width, heads) for _ in range(depth)])
        self.norm = RMSNorm(width)
        self.lm_head = nn.Linear(width, VOCAB, bias=False)
        self.head_dim = width // heads

    def forward(self, ids):
        b, t = ids.shape
        inv = 1.0 / (10000.0 ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32, device=ids.device)
                                 / self.head_dim))
        freqs = torch.outer(torch.arange(t, dtype=torch.float32, device=ids.device), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        mask = torch.full((t, t), torch.finfo(torch.float32).min, device=ids.device).triu(1)[None, None]
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.lm_head(self.norm(x))


# ---------------------------------------------------------------- benchmark

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--method", required=True, choices=["wegeft", "lora", "full", "probe"])
    ap.add_argument("--batch", type=int)
    ap.add_argument("--seq", type=int)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    llm = a.model == "llama-tiny"
    if a.seq is not None and not llm:
        ap.error("--seq applies to llama-tiny only")
    batch = a.batch or (4 if llm else 8)
    seq = (a.seq or 256) if llm else 0
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    spec = MODELS[a.model]
    if llm:
        model = Llama(spec["width"], spec["depth"], spec["heads"])
        apply_method(model, a.method, a.rank, LLAMA_TARGETS, model.lm_head, False)
        # seq + 1 ids: the model reads seq tokens, as `wegeft bench train` does
        data = [torch.randint(0, VOCAB, (batch, seq + 1)) for _ in range(2)]
    else:
        model = ViT(spec["width"], spec["depth"], spec["heads"])
        apply_method(model, a.method, a.rank, VIT_TARGETS, model.head, True)
        data = [(torch.rand(batch, 3, IMAGE, IMAGE) * 2 - 1, torch.randint(0, CLASSES, (batch,))) for _ in range(2)]
    model.to(dev).train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    trainable = sum(p.numel() for p in params)
    total = sum(p.numel() for p in model.parameters())

    def step(i):
        opt.zero_grad(set_to_none=True)
        if llm:
            ids = data[i % 2].to(dev)
            logits = model(ids[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, VOCAB), ids[:, 1:].reshape(-1))
        else:
            x, y = data[i % 2]
            loss = F.cross_entropy(model(x.to(dev)), y.to(dev))
        loss.backward()
        opt.step()
        return loss

    times = []
    loss = None
    for i in range(a.warmup + a.steps):
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = step(i)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        dt = (time.perf_counter() - t0) * 1e3
        print(f"torch_ref {a.model} {a.method}: step {i + 1}/{a.warmup + a.steps} {dt:.1f} ms",
              file=sys.stderr, flush=True)
        if i >= a.warmup:
            times.append(dt)
    out = {
        "bench": "train", "impl": "pytorch", "torch": torch.__version__, "model": a.model, "method": a.method,
        "backend": a.device, "threads": torch.get_num_threads(), "batch": batch,
    }
    if llm:
        out["seq"] = seq
    out.update({
        "rank": a.rank, "warmup": a.warmup, "steps": a.steps,
        "step_ms_median": round(statistics.median(times), 2), "step_ms_min": round(min(times), 2),
        "step_ms_max": round(max(times), 2), "step_ms": [round(t, 2) for t in times],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "trainable": trainable, "total": total, "last_loss": float(loss),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
    })
    if dev.type == "cuda":
        out["cuda_peak_mb"] = round(torch.cuda.max_memory_allocated() / 1048576.0, 1)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
