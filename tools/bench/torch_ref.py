#!/usr/bin/python3
"""PyTorch reference for `wegeft bench train`: the same models, methods and data, the same JSON fields.

  /usr/bin/python3 tools/bench/torch_ref.py --model vit-s16 --method wegeft --batch 8 --steps 10
  /usr/bin/python3 tools/bench/torch_ref.py --model llama-tiny --method lora --batch 4 --seq 256 --steps 10
  /usr/bin/python3 tools/bench/torch_ref.py --model llama-1b --method wegeft --seq 256 --steps 5   (batch 1)

Models (randomly initialised, plain torch, no timm / transformers needed; weights in float32 whatever the Java
side's --dtype, since PyTorch 1.13's CPU matmuls in bf16 are not a fair reference):
  vit-ti16 / vit-s16 / vit-b16: timm's VisionTransformer at 224 px, patch 16, depth 12, width 192/384/768,
    3/6/12 heads; vit-l16: ViT-L/16, depth 24, width 1024, 16 heads. MLP ratio 4, class token, pre-norm, eps 1e-6,
    attention as timm writes it without fused SDPA (q @ k^T * scale, softmax, @ v), 100 classes; adapters on qkv,
    proj, fc1, fc2; the head trains in every method.
  llama-tiny / llama-1b / llama-8b: Hugging Face's LlamaForCausalLM code path (eager attention with repeat_kv for
    grouped-query attention, fp32 RMSNorm, rotary half-split, SiLU(gate) * up); adapters on q, k, v, o, gate, up,
    down; probe trains lm_head.
    llama-tiny: vocabulary 32,000, width 512, 8 layers, 8 heads, MLP 1,376, untied lm_head, rope theta 10,000,
      eps 1e-6.
    llama-1b: Llama-3.2-1B's shapes: vocabulary 128,256, width 2,048, 16 layers, 32 query heads and 8 key/value
      heads of 64, MLP 8,192, lm_head tied to embed_tokens (probe then trains the shared table), rope theta
      500,000 with Llama 3 scaling of inv_freq (transformers' _compute_llama3_parameters: factor 32, low/high
      frequency factors 1 and 4, original context 8,192), eps 1e-5; 1.24 B parameters (about 5 GB in float32,
      plus AdamW state for what trains).
    llama-8b: Llama-3.1-8B's shapes: vocabulary 128,256, width 4,096, 32 layers, 32 query heads and 8 key/value
      heads of 128, MLP 14,336, untied lm_head, rope theta 500,000 with Llama 3.1's scaling (factor 8, low/high
      frequency factors 1 and 4, original context 8,192), eps 1e-5; 8.03 B parameters.
    qwen3-0.6b: Qwen3-0.6B's shapes, Qwen3ForCausalLM's code path: the llama one with 16 query and 8 key/value
      heads of 128 (head_dim given, not width / heads) and q_norm / k_norm (RMSNorm over each head of q and k,
      before the rotation); vocabulary 151,936, width 1,024, 28 layers, MLP 3,072, tied lm_head, rope theta
      1,000,000, eps 1e-6; 0.60 B parameters.
Methods (rank r, alpha = r, as the Java side):
  wegeft: the authors' forward, y = base(x) + s * F.linear(F.linear(x, psi), F.dropout(W) @ phi^T) (dropout on
    W inside the generator, --dropout P, default 0), one (phi, psi) per target name shared by all blocks; phi
    zero, psi kaiming-uniform. --form representation runs the cheaper y = base(x + s * (x psi^T) phi) instead,
    the same function when there is no dropout (refused with --dropout > 0).
  lora: PEFT's forward, y = base(x) + s * lora_B(lora_A(x)); A kaiming-uniform, B zero.
  full: everything trains. probe: the head (lm_head for a llama) only. The ViT head also trains with
    wegeft and lora (a new task's classifier); lm_head does not.
AdamW (lr 1e-4, weight decay 0.01 as torch's default), random data (2 batches cycled), cross-entropy.
Timing: `--warmup` untimed steps, then the median of `--steps` timed steps (zero_grad, forward, loss, backward,
optimizer step). peak_rss_mb is the process's peak resident set (ru_maxrss). torch.set_num_threads(--threads,
default 2). With `--device cuda` steps are synchronised before the clock is read. trainable and total count
parameters as `wegeft bench train` does (a tied table once).
"""
import argparse
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import openblas_core

MODELS = {
    "vit-ti16": dict(width=192, depth=12, heads=3),
    "vit-s16": dict(width=384, depth=12, heads=6),
    "vit-b16": dict(width=768, depth=12, heads=12),
    "vit-l16": dict(width=1024, depth=24, heads=16),
    "llama-tiny": dict(llm=True, vocab=32000, width=512, depth=8, heads=8, kv_heads=8, mlp=1376, tied=False,
                       theta=10000.0, eps=1e-6, rope_scaling=None, batch=4),
    "llama-1b": dict(llm=True, vocab=128256, width=2048, depth=16, heads=32, kv_heads=8, mlp=8192, tied=True,
                     theta=500000.0, eps=1e-5, batch=1,
                     rope_scaling=dict(factor=32.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                       original_max_position_embeddings=8192)),
    "llama-8b": dict(llm=True, vocab=128256, width=4096, depth=32, heads=32, kv_heads=8, mlp=14336, tied=False,
                     theta=500000.0, eps=1e-5, batch=1,
                     rope_scaling=dict(factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                       original_max_position_embeddings=8192)),
    "qwen3-0.6b": dict(llm=True, vocab=151936, width=1024, depth=28, heads=16, kv_heads=8, head_dim=128, qk_norm=True,
                       mlp=3072, tied=True, theta=1000000.0, eps=1e-6, rope_scaling=None, batch=1),
}
IMAGE, PATCH, CLASSES = 224, 16, 100
VIT_TARGETS = ["qkv", "proj", "fc1", "fc2"]
LLAMA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


# ---------------------------------------------------------------- adapters

class WeGeFTLinear(nn.Module):
    """A frozen Linear with a (possibly shared) WeGeFT pair: the authors' generator form, dropout on W inside the
    generator; or, without dropout, the representation form (a rank-r edit of the input, then the frozen W)."""

    def __init__(self, base, phi, psi, scale, dropout, form):
        super().__init__()
        self.base_layer = base
        self.wegeft_phi = phi  # nn.Linear(d_in, r): weight (r, d_in)
        self.wegeft_psi = psi  # nn.Linear(d_in, r): weight (r, d_in)
        self.scale = scale
        self.dropout = dropout
        self.form = form

    def forward(self, x):
        if self.form == "representation":
            u = self.wegeft_psi(x)                                   # (..., r)
            return self.base_layer(x + self.scale * F.linear(u, self.wegeft_phi.weight.t()))
        w = F.dropout(self.base_layer.weight, p=self.dropout, training=self.training)
        generated = w @ self.wegeft_phi.weight.t()                  # (d_out, r)
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


def apply_method(model, method, r, targets, head, head_trains_with_adapters, dropout=0.0, form="generator",
                 scale=1.0):
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
                setattr(module, child_name, WeGeFTLinear(child, phi, psi, scale, dropout, form))
            elif method == "lora":
                setattr(module, child_name, LoraLinear(child, r, scale))
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


def repeat_kv(x, n_rep):
    """(b, kv_heads, t, d) -> (b, kv_heads * n_rep, t, d), as transformers' repeat_kv."""
    b, kv, t, d = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(b, kv, n_rep, t, d).reshape(b, kv * n_rep, t, d)


def llama3_inv_freq(inv_freq, factor, low_freq_factor, high_freq_factor, original_max_position_embeddings):
    """transformers' _compute_llama3_parameters: long wavelengths interpolated, short ones kept, a blend between."""
    low_freq_wavelen = original_max_position_embeddings / low_freq_factor
    high_freq_wavelen = original_max_position_embeddings / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (original_max_position_embeddings / wavelen - low_freq_factor) / (high_freq_factor
                                                                                       - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


def head_dim(spec):
    return spec.get("head_dim") or spec["width"] // spec["heads"]


class LlamaAttention(nn.Module):
    def __init__(self, dim, heads, kv_heads, head_dim, qk_norm, eps):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, head_dim
        self.q_proj = nn.Linear(dim, heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(heads * self.head_dim, dim, bias=False)
        if qk_norm:                                                  # Qwen3: per head, before the rotation
            self.q_norm, self.k_norm = RMSNorm(head_dim, eps), RMSNorm(head_dim, eps)
        self.qk_norm = qk_norm

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim)
        if self.qk_norm:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = repeat_kv(k, self.heads // self.kv_heads)
        v = repeat_kv(v, self.heads // self.kv_heads)
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
    def __init__(self, spec):
        super().__init__()
        dim = spec["width"]
        self.input_layernorm = RMSNorm(dim, spec["eps"])
        self.self_attn = LlamaAttention(dim, spec["heads"], spec["kv_heads"], head_dim(spec),
                                        spec.get("qk_norm", False), spec["eps"])
        self.post_attention_layernorm = RMSNorm(dim, spec["eps"])
        self.mlp = LlamaMLP(dim, spec["mlp"])

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Llama(nn.Module):
    def __init__(self, spec):
        super().__init__()
        width, self.vocab = spec["width"], spec["vocab"]
        self.embed_tokens = nn.Embedding(self.vocab, width)
        self.layers = nn.ModuleList([LlamaLayer(spec) for _ in range(spec["depth"])])
        self.norm = RMSNorm(width, spec["eps"])
        self.lm_head = nn.Linear(width, self.vocab, bias=False)
        if spec["tied"]:
            self.lm_head.weight = self.embed_tokens.weight          # tie_word_embeddings: one tensor
        self.head_dim = head_dim(spec)
        self.theta = spec["theta"]
        self.rope_scaling = spec["rope_scaling"]

    def forward(self, ids):
        b, t = ids.shape
        inv = 1.0 / (self.theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.int64, device=ids.device).float()
                                    / self.head_dim))
        if self.rope_scaling is not None:
            inv = llama3_inv_freq(inv, **self.rope_scaling)
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
    ap.add_argument("--dropout", type=float, default=0.0,
                    help="WeGeFT: dropout on W inside the generator, as the authors' code (default 0)")
    ap.add_argument("--form", choices=["generator", "representation"], default="generator",
                    help="WeGeFT: the authors' generator form (default) or the representation form, "
                         "base(x + s (x psi^T) phi), exact only without dropout")
    ap.add_argument("--targets", help="llama adapters' targets, e.g. q,k,v,up,down as `wegeft llm train` "
                    "(default: q,k,v,o,gate,up,down)")
    ap.add_argument("--alpha", type=float, help="adapter alpha (default: the rank, scale 1)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    spec = MODELS[a.model]
    llm = spec.get("llm", False)
    if a.seq is not None and not llm:
        ap.error("--seq applies to the llama models only")
    if not 0 <= a.dropout < 1:
        ap.error("--dropout must be in [0, 1), got %s" % a.dropout)
    if a.form == "representation" and a.dropout > 0:
        ap.error("--form representation is the same function as the generator form only without dropout; "
                 "--dropout %s needs --form generator" % a.dropout)
    if (a.dropout > 0 or a.form != "generator") and a.method != "wegeft":
        ap.error("--dropout and --form apply to --method wegeft only")
    batch = a.batch or (spec["batch"] if llm else 8)
    seq = (a.seq or 256) if llm else 0
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    targets = LLAMA_TARGETS
    if a.targets:
        if not llm:
            ap.error("--targets applies to the llama models only")
        targets = [t if t.endswith("_proj") else t + "_proj" for t in a.targets.split(",")]
        unknown = [t for t in targets if t not in LLAMA_TARGETS]
        if unknown:
            ap.error("--targets: unknown %s (expected some of q,k,v,o,gate,up,down)" % ",".join(unknown))
    scale = (a.alpha if a.alpha is not None else a.rank) / a.rank
    if llm:
        model = Llama(spec)
        apply_method(model, a.method, a.rank, targets, model.lm_head, False, a.dropout, a.form, scale)
        # seq + 1 ids: the model reads seq tokens, as `wegeft bench train` does
        data = [torch.randint(0, spec["vocab"], (batch, seq + 1)) for _ in range(2)]
    else:
        model = ViT(spec["width"], spec["depth"], spec["heads"])
        apply_method(model, a.method, a.rank, VIT_TARGETS, model.head, True, a.dropout, a.form)
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
            loss = F.cross_entropy(logits.reshape(-1, model.vocab), ids[:, 1:].reshape(-1))
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
        "dtype": "f32", "backend": a.device, "threads": torch.get_num_threads(), "batch": batch,
    }
    if llm:
        out["seq"] = seq
    out["rank"] = a.rank
    out["scale"] = scale
    if llm:
        out["targets"] = [t[:-5] for t in targets]
    if a.method == "wegeft":
        out.update({"dropout": a.dropout, "form": a.form})
    out.update({
        "warmup": a.warmup, "steps": a.steps,
        "step_ms_median": round(statistics.median(times), 2), "step_ms_min": round(min(times), 2),
        "step_ms_max": round(max(times), 2), "step_ms": [round(t, 2) for t in times],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "trainable": trainable, "total": total, "last_loss": float(loss),
        "openblas_core": openblas_core.core_name(),
    })
    if dev.type == "cuda":
        out["cuda_peak_mb"] = round(torch.cuda.max_memory_allocated() / 1048576.0, 1)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
